// Command gen builds identifiers.csv, the default IP-KVM identifiers that
// package hardware embeds, from the compiled table ip_kvm_identifiers.csv
// (lagwatch research data, README.md beside it). That table records facts
// (USB IDs and strings, EDID fields) read from the vendors' public sources:
// pikvm/kvmd, sipeed/NanoKVM and gl-inet/glkvm (GPL-3.0), tiny-pilot/tinypilot
// (MIT) and jetkvm/kvm (GPL-2.0); no code is copied.
//
// Run it through go generate in internal/endpoint/hardware:
//
//	go generate ./internal/endpoint/hardware
//
// The source table is free-form: a row names one or more fields ("manufacturer
// / product") and their values ("PiKVM / PiKVM HID (or PiKVM HID Bridge)").
// gen splits both on " / " outside brackets and pairs them, or, for one field
// and several values, takes the values as alternatives. In a value, "(or X)"
// and "(gadget fallback: X)" add X as an alternative, "<...; fallback 0104>"
// after a vendor ID means "any product ID, or 0104", and any other
// parenthesis is a remark and dropped. Rows gen cannot use are listed in skip
// with the reason; any other row it cannot parse is an error.
//
// From each device's defaults it writes rules, each a set of fields that must
// all match (see package hardware for the format): all defaults together,
// VID:PID with the product string, VID:PID with the manufacturer, a distinctive
// product or manufacturer string alone, VID:PID with the serial, and VID:PID
// alone; for EDIDs all fields together, manufacturer ID with product code,
// manufacturer ID with monitor name, and a distinctive monitor name alone. A
// rule is strong when it contains a distinctive string or a VID:PID that only
// this product uses; otherwise (the shared Linux Foundation gadget IDs, a
// vendor ID alone, generic strings, serials) it is weak.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
)

// skip lists the source rows gen leaves out, by device and interface.
var skip = map[[2]string]string{
	{"PiKVM (kvmd OTG gadget)", "USB mass storage"}:                "SCSI inquiry strings are not USB device attributes",
	{"GL.iNet Comet (GLKVM firmware)", "USB mass storage / audio"}: "SCSI inquiry and audio strings are not USB device attributes",
	{"GL.iNet Comet (GLKVM firmware)", "HDMI EDID"}:                "the repository ships PiKVM's EDIDs, covered by the PiKVM rows; the device's own EDID is not verified",
}

// distinctive holds lower-case words that only IP-KVM and capture hardware
// put in their strings; a string containing one is distinctive.
var distinctive = []string{
	"pikvm", "nanokvm", "tinypilot", "jetkvm", "glinet",
	"t749-fhd720", // monitor name of the Toshiba TC358743 HDMI-to-CSI bridge's reference EDID
}

// sharedVendors are USB vendor IDs whose product IDs many unrelated devices
// share: 1d6b is the Linux Foundation, whose 0104 "Multifunction Composite
// Gadget" any Linux USB gadget may use.
var sharedVendors = []string{"1d6b"}

// profile is one device's defaults on one interface.
type profile struct {
	device, kind, source string
	// USB
	ids                  []string // "vvvv:pppp", or "vvvv:" for any product
	manufacturers, names []string // names: USB product strings or EDID monitor names
	serials              []string
	// EDID
	pnp, code string
}

// rule is one output row.
type rule struct {
	device, kind, vendor, product, manufacturer, name, serial, strength, source string
}

func main() {
	in := flag.String("in", "/work/shared/data/ip-kvm-identifiers/ip_kvm_identifiers.csv", "source table")
	out := flag.String("o", "identifiers.csv", "output file")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	profiles, err := readSource(f)
	if err != nil {
		return fmt.Errorf("read %s: %w", in, err)
	}
	var rules []rule
	for _, p := range profiles {
		rules = append(rules, p.rules()...)
	}
	w, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := write(w, rules); err != nil {
		w.Close()
		return fmt.Errorf("write %s: %w", out, err)
	}
	return w.Close()
}

var (
	idRe       = regexp.MustCompile(`^([0-9a-f]{4}):([0-9a-f]{4})$`)
	fallbackRe = regexp.MustCompile(`^([0-9a-f]{4}):<[^>]*fallback ([0-9a-f]{4})>$`)
	altRe      = regexp.MustCompile(`^(.*?) \((?:or|gadget fallback:) ([^)]*)\)$`)
	remarkRe   = regexp.MustCompile(`^(.*?) \([^)]*\)$`)
	codeRe     = regexp.MustCompile(`^0x([0-9a-fA-F]{4})$`)
	pnpRe      = regexp.MustCompile(`^[A-Z]{3}$`)
)

func readSource(r io.Reader) ([]*profile, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, err
	}
	want := []string{"device", "interface", "field", "default_value", "overridable", "source_repo", "source_commit", "source_file"}
	if !slices.Equal(header, want) {
		return nil, fmt.Errorf("header %q, want %q", header, want)
	}
	var profiles []*profile
	byKey := map[[2]string]*profile{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return profiles, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		device, iface, field, value := rec[0], rec[1], rec[2], rec[3]
		if why, ok := skip[[2]string{device, iface}]; ok {
			fmt.Fprintf(os.Stderr, "gen: line %d: skip %s %s: %s\n", line, device, iface, why)
			continue
		}
		var kind string
		switch iface {
		case "USB":
			kind = "usb"
		case "HDMI EDID":
			kind = "edid"
		default:
			return nil, fmt.Errorf("line %d: interface %q is neither USB nor HDMI EDID", line, iface)
		}
		key := [2]string{device, kind}
		p := byKey[key]
		if p == nil {
			p = &profile{device: device, kind: kind, source: fmt.Sprintf("%s@%.12s", rec[5], rec[6])}
			byKey[key] = p
			profiles = append(profiles, p)
		}
		if err := p.add(field, value); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
	}
}

// splitTop splits s on " / " outside (), <> brackets.
func splitTop(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '<':
			depth++
		case ')', '>':
			depth--
		case '/':
			if depth == 0 && i > 0 && s[i-1] == ' ' && i+1 < len(s) && s[i+1] == ' ' {
				parts = append(parts, s[start:i-1])
				start = i + 2
			}
		}
	}
	return append(parts, s[start:])
}

// alternatives returns the values a source value stands for.
func alternatives(v string) []string {
	if m := altRe.FindStringSubmatch(v); m != nil {
		return []string{m[1], m[2]}
	}
	if m := remarkRe.FindStringSubmatch(v); m != nil {
		return []string{m[1]}
	}
	return []string{v}
}

func (p *profile) add(field, value string) error {
	fields, values := splitTop(field), splitTop(value)
	var pairs [][2]string
	switch {
	case len(fields) == len(values):
		for i := range fields {
			pairs = append(pairs, [2]string{fields[i], values[i]})
		}
	case len(fields) == 1:
		for _, v := range values {
			pairs = append(pairs, [2]string{fields[0], v})
		}
	default:
		return fmt.Errorf("%d fields %q but %d values %q", len(fields), field, len(values), value)
	}
	for _, fv := range pairs {
		f, v := fv[0], fv[1]
		if m := fallbackRe.FindStringSubmatch(v); m != nil && f == "idVendor:idProduct" {
			p.ids = append(p.ids, m[1]+":", m[1]+":"+m[2])
			continue
		}
		for _, a := range alternatives(v) {
			if err := p.set(f, strings.TrimSpace(a)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *profile) set(field, v string) error {
	switch {
	case p.kind == "usb" && field == "idVendor:idProduct":
		if !idRe.MatchString(v) {
			return fmt.Errorf("USB ID %q is not vvvv:pppp", v)
		}
		p.ids = append(p.ids, v)
	case p.kind == "usb" && field == "manufacturer":
		p.manufacturers = append(p.manufacturers, v)
	case p.kind == "usb" && field == "product":
		p.names = append(p.names, v)
	case p.kind == "usb" && field == "serial":
		p.serials = append(p.serials, v)
	case p.kind == "usb" && (field == "configuration" || field == "config"):
		// The configuration string is not matched.
	case p.kind == "edid" && field == "mfg":
		if !pnpRe.MatchString(v) {
			return fmt.Errorf("EDID manufacturer %q is not three capital letters", v)
		}
		p.pnp = v
	case p.kind == "edid" && field == "product code":
		m := codeRe.FindStringSubmatch(v)
		if m == nil {
			return fmt.Errorf("EDID product code %q is not 0xHHHH", v)
		}
		p.code = strings.ToLower(m[1])
	case p.kind == "edid" && field == "monitor name":
		p.names = append(p.names, v)
	case p.kind == "edid" && field == "monitor serial":
		p.serials = append(p.serials, v)
	default:
		return fmt.Errorf("unknown %s field %q", p.kind, field)
	}
	return nil
}

func isDistinctive(s string) bool {
	l := strings.ToLower(s)
	for _, d := range distinctive {
		if strings.Contains(l, d) {
			return true
		}
	}
	return false
}

// specificID reports whether a USB "vvvv:pppp" is used by this product only.
func specificID(id string) bool {
	v, pid, _ := strings.Cut(id, ":")
	return pid != "" && !slices.Contains(sharedVendors, v)
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func orNone(s []string) []string {
	if len(s) == 0 {
		return []string{""}
	}
	return s
}

// rules expands a profile into rules, without duplicates and without rules
// of no field.
func (p *profile) rules() []rule {
	var out []rule
	seen := map[rule]bool{}
	add := func(r rule) {
		r.device, r.kind, r.source = p.device, p.kind, p.source
		if r.vendor == "" && r.product == "" && r.manufacturer == "" && r.name == "" && r.serial == "" {
			return
		}
		if seen[r] {
			return
		}
		seen[r] = true
		strong := isDistinctive(r.manufacturer) || isDistinctive(r.name)
		if p.kind == "usb" {
			strong = strong || (r.vendor != "" && specificID(r.vendor+":"+r.product))
		} else {
			strong = strong || (r.manufacturer != "" && r.product != "")
		}
		r.strength = "weak"
		if strong {
			r.strength = "strong"
		}
		out = append(out, r)
	}
	if p.kind == "edid" {
		for _, n := range orNone(p.names) {
			add(rule{manufacturer: p.pnp, product: p.code, name: n, serial: first(p.serials)})
			add(rule{manufacturer: p.pnp, product: p.code})
			add(rule{manufacturer: p.pnp, name: n})
			if isDistinctive(n) {
				add(rule{name: n})
			}
		}
		return out
	}
	m, s := first(p.manufacturers), first(p.serials)
	for _, id := range orNone(p.ids) {
		v, pid, _ := strings.Cut(id, ":")
		for _, n := range orNone(p.names) {
			add(rule{vendor: v, product: pid, manufacturer: m, name: n, serial: s})
			if n != "" {
				add(rule{vendor: v, product: pid, name: n})
			}
			if isDistinctive(n) {
				add(rule{name: n})
			}
		}
		if m != "" {
			add(rule{vendor: v, product: pid, manufacturer: m})
		}
		if isDistinctive(m) {
			add(rule{manufacturer: m})
		}
		if s != "" && v != "" {
			add(rule{vendor: v, product: pid, serial: s})
		}
		if v != "" {
			add(rule{vendor: v, product: pid})
		}
	}
	return out
}

const preamble = `# Default IP-KVM identifiers for package hardware. Generated by gen/ (go generate); do not edit.
# Source: lagwatch research table ip_kvm_identifiers.csv, compiled from the vendors' public sources
# (pikvm/kvmd, sipeed/NanoKVM, gl-inet/glkvm: GPL-3.0; tiny-pilot/tinypilot: MIT; jetkvm/kvm: GPL-2.0).
# Facts only (IDs and strings); no code is copied. The source column names repository@commit.
# Every value is a default that the owner of the device can change.
`

func write(w io.Writer, rules []rule) error {
	if _, err := io.WriteString(w, preamble); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"device", "kind", "vendor_id", "product_id", "manufacturer", "product", "serial", "strength", "source"})
	for _, r := range rules {
		cw.Write([]string{r.device, r.kind, r.vendor, r.product, r.manufacturer, r.name, r.serial, r.strength, r.source})
	}
	cw.Flush()
	return cw.Error()
}
