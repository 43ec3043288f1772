package screen

import (
	_ "embed"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
)

// Limits of [LoadRanges].
const (
	MaxRangesBytes = 64 << 20  // bytes of text
	MaxRanges      = 4_000_000 // prefixes
)

// Ranges is a list of address ranges with labels, such as hosting and VPN
// networks. Create one with [LoadRanges]; it is read-only and safe for
// concurrent use.
type Ranges struct {
	bits   []int                           // prefix lengths present, longest first
	byBits map[int]map[netip.Prefix]string // masked prefix → label
	n      int
}

//go:embed hosting.txt
var defaultHosting string

// LoadRanges reads an address range list: one CIDR prefix per line
// ("198.51.100.0/24", "2001:db8::/32"), optionally followed by a label
// after white space. Text after "#" and blank lines are skipped. Host bits
// are masked off; an IPv4-mapped IPv6 prefix is taken as IPv4. Errors name
// the line (1-based).
func LoadRanges(r io.Reader) (*Ranges, error) {
	rs := &Ranges{byBits: map[int]map[netip.Prefix]string{}}
	err := readLines(r, MaxRangesBytes, "range list", func(n int, line string) error {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" {
			return nil
		}
		cidr, label, _ := strings.Cut(line, " ")
		if c, l, ok := strings.Cut(cidr, "\t"); ok {
			cidr, label = c, l+" "+label
		}
		p, err := netip.ParsePrefix(cidr)
		if err != nil {
			return fmt.Errorf("line %d: %q: want a CIDR prefix such as 198.51.100.0/24", n, clip(cidr, 60))
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		p = p.Masked()
		label = strings.Join(strings.Fields(label), " ")
		if len(label) > 256 {
			return fmt.Errorf("line %d: label: %d bytes, longer than the limit of 256", n, len(label))
		}
		if rs.n >= MaxRanges {
			return fmt.Errorf("line %d: more than %d ranges", n, MaxRanges)
		}
		bits := p.Bits()
		if p.Addr().Is6() {
			bits += 1000 // keep IPv4 and IPv6 lengths apart
		}
		m, ok := rs.byBits[bits]
		if !ok {
			m = map[netip.Prefix]string{}
			rs.byBits[bits] = m
			rs.bits = append(rs.bits, bits)
		}
		if _, dup := m[p]; !dup {
			rs.n++
		}
		m[p] = label
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rs.bits, func(a, b int) int { return b - a })
	return rs, nil
}

// Len returns the number of ranges.
func (r *Ranges) Len() int {
	if r == nil {
		return 0
	}
	return r.n
}

// match returns the most specific range holding addr and its label.
func (r *Ranges) match(addr netip.Addr) (netip.Prefix, string, bool) {
	if r == nil || r.n == 0 || !addr.IsValid() {
		return netip.Prefix{}, "", false
	}
	addr = addr.Unmap().WithZone("")
	for _, b := range r.bits {
		bits := b
		if b >= 1000 {
			if !addr.Is6() {
				continue
			}
			bits -= 1000
		} else if !addr.Is4() {
			continue
		}
		p, err := addr.Prefix(bits)
		if err != nil {
			continue
		}
		if label, ok := r.byBits[b][p]; ok {
			return p, label, true
		}
	}
	return netip.Prefix{}, "", false
}

// Prefixes returns the ranges in the list, longest prefixes first, for
// other checks that take a plain prefix list (sign-in logs).
func (r *Ranges) Prefixes() []netip.Prefix {
	if r == nil {
		return nil
	}
	out := make([]netip.Prefix, 0, r.n)
	for _, b := range r.bits {
		for p := range r.byBits[b] {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b netip.Prefix) int {
		if c := b.Bits() - a.Bits(); c != 0 {
			return c
		}
		return a.Addr().Compare(b.Addr())
	})
	return out
}
