package screen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits of [LoadDisposable].
const (
	MaxDomainListBytes = 32 << 20  // bytes of text
	MaxDomainList      = 2_000_000 // domains
)

// DomainList is a set of e-mail domains, such as disposable-mail services.
// Create one with [LoadDisposable]; it is read-only and safe for concurrent
// use.
type DomainList struct {
	set map[string]struct{}
}

// LoadDisposable reads a domain list in the format of the
// disposable-email-domains project (disposable_email_blocklist.conf): one
// domain per line. Blank lines and lines starting with "#" are skipped,
// domains are lower-cased, and a trailing dot is dropped. A domain matches
// itself and its subdomains. Errors name the line (1-based).
func LoadDisposable(r io.Reader) (*DomainList, error) {
	l := &DomainList{set: map[string]struct{}{}}
	err := readLines(r, MaxDomainListBytes, "domain list", func(n int, line string) error {
		if line == "" || line[0] == '#' {
			return nil
		}
		d, ok := normDomain(line)
		if !ok {
			return fmt.Errorf("line %d %q: not a domain name", n, clip(line, 60))
		}
		if len(l.set) >= MaxDomainList {
			return fmt.Errorf("line %d: more than %d domains", n, MaxDomainList)
		}
		l.set[d] = struct{}{}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Len returns the number of domains in the list.
func (l *DomainList) Len() int {
	if l == nil {
		return 0
	}
	return len(l.set)
}

// match returns the listed domain that domain is or is a subdomain of.
func (l *DomainList) match(domain string) (string, bool) {
	if l == nil {
		return "", false
	}
	for d := domain; d != ""; {
		if _, ok := l.set[d]; ok {
			return d, true
		}
		var found bool
		_, d, found = strings.Cut(d, ".")
		if !found {
			break
		}
	}
	return "", false
}

// defaultDisposable are long-running, well-known disposable-mail services.
// The configured list ([Config.Disposable]) adds to them.
var defaultDisposable = []string{
	"mailinator.com", "guerrillamail.com", "sharklasers.com", "10minutemail.com",
	"yopmail.com", "temp-mail.org", "trashmail.com", "getnada.com",
	"dispostable.com", "maildrop.cc",
}

// freeHosts are site builders and static hosts where anyone can publish a
// site under the host's domain at no cost.
var freeHosts = []string{
	"wixsite.com", "wordpress.com", "github.io", "gitlab.io", "blogspot.com",
	"weebly.com", "netlify.app", "vercel.app", "herokuapp.com", "pages.dev",
	"web.app", "firebaseapp.com", "godaddysites.com", "webflow.io", "carrd.co",
	"jimdosite.com", "mystrikingly.com", "site123.me", "000webhostapp.com",
	"glitch.me", "notion.site", "sites.google.com", "square.site",
}

// listOf builds a DomainList from domains known to be valid.
func listOf(domains []string) *DomainList {
	l := &DomainList{set: make(map[string]struct{}, len(domains))}
	for _, d := range domains {
		l.set[d] = struct{}{}
	}
	return l
}

// normDomain lower-cases a host name, drops a trailing dot, and reports
// whether it is a plausible host name: labels of letters, digits, "-" and
// "_", at least two labels, at most 253 bytes.
func normDomain(s string) (string, bool) {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	if len(s) == 0 || len(s) > 253 || !strings.Contains(s, ".") {
		return "", false
	}
	label := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if label == 0 {
				return "", false
			}
			label = 0
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
			label++
			if label > 63 {
				return "", false
			}
		default:
			return "", false
		}
	}
	return s, label > 0
}

// websiteHost returns the host of a website as résumés give it: a URL
// ("https://www.acme.io/about"), a domain ("acme.io") or a host and path
// ("sites.google.com/view/acme"). For sites.google.com it keeps that host.
func websiteHost(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimPrefix(strings.ToLower(s), "www.")
	return normDomain(s)
}

// splitEmail returns the handle (without a "+tag") and the domain of an
// e-mail address, or false when s is not one.
func splitEmail(s string) (handle, domain string, ok bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "mailto:")
	if i := strings.LastIndexByte(s, '<'); i >= 0 && strings.HasSuffix(s, ">") {
		s = s[i+1 : len(s)-1]
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return "", "", false
	}
	handle = strings.ToLower(s[:at])
	domain, ok = normDomain(s[at+1:])
	if !ok {
		return "", "", false
	}
	if i := strings.IndexByte(handle, '+'); i > 0 {
		handle = handle[:i]
	}
	return handle, domain, true
}

// readLines calls fn for each line of r, trimmed of spaces, with its
// 1-based number. Input past limit bytes is an error.
func readLines(r io.Reader, limit int64, what string, fn func(n int, line string) error) error {
	lr := &io.LimitedReader{R: r, N: limit + 1}
	sc := bufio.NewScanner(lr)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<10)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		if err := fn(n, strings.TrimSpace(string(line))); err != nil {
			return fmt.Errorf("read %s: %w", what, err)
		}
	}
	if lr.N <= 0 {
		return fmt.Errorf("read %s: longer than %d bytes", what, limit)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("read %s: line %d longer than %d bytes", what, n+1, 64<<10)
		}
		return fmt.Errorf("read %s: %w", what, err)
	}
	return nil
}
