package screen

import (
	"bytes"
	"net/netip"
	"os"
	"strings"
	"testing"
)

func TestLoadUniversities(t *testing.T) {
	u := testUniversities(t)
	if u.Len() != 11 {
		t.Fatalf("Len() = %d, want 11", u.Len())
	}
	for _, tc := range []struct {
		claimed string
		want    string // the listed name, "" for no match
	}{
		{"Arizona State University", "Arizona State University"},
		{"arizona state univ.", "Arizona State University"},
		{"ASU", "Arizona State University"},
		{"Ohio State University", "The Ohio State University"},
		{"University of California, Berkeley (Cal)", "University of California, Berkeley"},
		{"Oxford University", "University of Oxford"},
		{"University of Washington – Seattle", "University of Washington"},
		{"Universitaet Wien", ""},
		{"Universität Wien", "Universität Wien"},
		{"Indian Institute of Technology Bombay", "Indian Institute of Technology, Bombay"},
		{"Arizona University", ""},
		{"asu", ""}, // lower-case: not taken for an acronym
		{"", ""},
	} {
		ids, _ := u.lookup(tc.claimed)
		got := ""
		if len(ids) > 0 {
			got = u.list[ids[0]].Name
		}
		if got != tc.want {
			t.Errorf("lookup(%q) = %q, want %q", tc.claimed, got, tc.want)
		}
	}
	for _, tc := range []struct{ domain, want, matched string }{
		{"mit.edu", "Massachusetts Institute of Technology", "mit.edu"},
		{"alum.mit.edu", "Massachusetts Institute of Technology", "mit.edu"},
		{"cs.ox.ac.uk", "University of Oxford", "ox.ac.uk"},
		{"ac.uk", "", ""},
		{"gmail.com", "", ""},
	} {
		ids, m := u.owners(tc.domain)
		got := ""
		if len(ids) > 0 {
			got = u.list[ids[0]].Name
		}
		if got != tc.want || m != tc.matched {
			t.Errorf("owners(%q) = %q, %q; want %q, %q", tc.domain, got, m, tc.want, tc.matched)
		}
	}
}

func TestLoadUniversitiesErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"name": "x"}`, "want a JSON array"},
		{`[{"name": "", "alpha_two_code": "US"}]`, "entry 0: name: empty"},
		{`[{"name": "--", "alpha_two_code": "US"}]`, `entry 0: name "--": no letters or digits`},
		{`[{"name": "A", "alpha_two_code": "US"}, {"name": "B", "alpha_two_code": "USA"}]`, `entry 1: alpha_two_code "USA": want two letters`},
		{`[{"name": "A", "alpha_two_code": "US", "domains": ["a b.edu"]}]`, `entry 0: domains[0] "a b.edu": not a host name`},
		{`[{"name": "A", "alpha_two_code": "US", "domains": "a.edu"}]`, "entry 0: json: cannot unmarshal"},
		{`[{"name": "A", "alpha_two_code": "US"}`, "read university list"},
		{`[] []`, "data after the array"},
		{``, "read university list: EOF"},
	} {
		_, err := LoadUniversities(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadUniversities(%q) error = %v, want %q", tc.in, err, tc.want)
		}
	}
	if u, err := LoadUniversities(strings.NewReader(`[]`)); err != nil || u.Len() != 0 {
		t.Errorf("LoadUniversities([]) = %v, %v", u, err)
	}
}

func TestLoadDisposable(t *testing.T) {
	l, err := LoadDisposable(strings.NewReader("\xef\xbb\xbf# comment\n\nMailinator.com\nspam.example.org.\n  tempmail.test  \n"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 3 {
		t.Errorf("Len() = %d, want 3", l.Len())
	}
	for _, tc := range []struct{ domain, want string }{
		{"mailinator.com", "mailinator.com"},
		{"eu.mailinator.com", "mailinator.com"},
		{"spam.example.org", "spam.example.org"},
		{"example.org", ""},
		{"notmailinator.com", ""},
	} {
		got, _ := l.match(tc.domain)
		if got != tc.want {
			t.Errorf("match(%q) = %q, want %q", tc.domain, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"ok.com\nnot a domain\n", `line 2 "not a domain": not a domain name`},
		{"ok.com\nlocalhost\n", `line 2 "localhost": not a domain name`},
		{"a..b.com\n", "line 1"},
		{strings.Repeat("a", 70) + ".com\n", "line 1"},
		{"x.com\n" + strings.Repeat("a", 70000) + "\n", "line 2 longer than 65536 bytes"},
	} {
		if _, err := LoadDisposable(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadDisposable(%.40q) error = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestDefaultHighRisk(t *testing.T) {
	l := DefaultHighRisk()
	if l.Len() < 5 {
		t.Fatalf("default high-risk list has %d entries", l.Len())
	}
	for _, e := range l.Entries() {
		if !strings.HasPrefix(e.Source, "https://") {
			t.Errorf("entry %q: source %q, want a public https URL", e.Name, e.Source)
		}
	}
	for _, tc := range []struct {
		claimed, country string
		want             bool
	}{
		{"University of Northern New Jersey", "US", true},
		{"University of Northern New Jersey", "", true},
		{"Northern New Jersey University", "US", true},
		{"University of Northern New Jersey", "IN", false},
		{"St Regis University", "LR", true},
		{"Manchester Open University", "GB", true},
		{"The Open University", "GB", false},
		{"Regis University", "US", false},
		{"Tri Valley University (Pleasanton, CA)", "", true},
	} {
		if _, got := l.match(tc.claimed, tc.country); got != tc.want {
			t.Errorf("match(%q, %q) = %v, want %v", tc.claimed, tc.country, got, tc.want)
		}
	}
}

func TestLoadHighRiskErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Name | US | reason\n", "line 1: 3 fields, want 4"},
		{"# c\nName | US | | src\n", "line 2: reason: empty"},
		{"Name | USA | r | src\n", `line 1: country "USA": want two letters`},
		{" | US | r | src\n", "line 1: name: empty"},
		{"--- | | r | src\n", `name "---": no letters or digits`},
		{"Name | | r | \n", "line 1: source: empty"},
	} {
		if _, err := LoadHighRisk(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadHighRisk(%q) error = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestLoadRanges(t *testing.T) {
	r, err := LoadRanges(strings.NewReader("# hosting\n198.51.100.7/24 Example VPN exit\n2001:db8::/32\tExample\tHosting\n::ffff:203.0.113.0/120 mapped # comment\n198.51.100.0/25 more specific\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() != 4 {
		t.Errorf("Len() = %d, want 4", r.Len())
	}
	for _, tc := range []struct{ addr, prefix, label string }{
		{"198.51.100.9", "198.51.100.0/25", "more specific"},
		{"198.51.100.200", "198.51.100.0/24", "Example VPN exit"},
		{"::ffff:198.51.100.200", "198.51.100.0/24", "Example VPN exit"},
		{"2001:db8:1::5", "2001:db8::/32", "Example Hosting"},
		{"203.0.113.77", "203.0.113.0/24", "mapped"},
		{"192.0.2.1", "", ""},
	} {
		p, label, ok := r.match(netip.MustParseAddr(tc.addr))
		if got := ""; ok {
			got = p.String()
			if got != tc.prefix || label != tc.label {
				t.Errorf("match(%s) = %s %q, want %s %q", tc.addr, got, label, tc.prefix, tc.label)
			}
		} else if tc.prefix != "" {
			t.Errorf("match(%s) = none, want %s", tc.addr, tc.prefix)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"198.51.100.0/33\n", `line 1: "198.51.100.0/33": want a CIDR prefix`},
		{"10.0.0.0/8\nhosting.example\n", `line 2: "hosting.example"`},
		{"10.0.0.0/8 " + strings.Repeat("x", 300) + "\n", "label: 300 bytes"},
	} {
		if _, err := LoadRanges(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadRanges(%.40q) error = %v, want %q", tc.in, err, tc.want)
		}
	}
	if r, err := LoadRanges(strings.NewReader(defaultHosting)); err != nil || r.Len() != 0 {
		t.Errorf("embedded hosting.txt: %v ranges, %v; want an empty list", r.Len(), err)
	}
}

// The fuzzers check that the loaders never panic, that what they accept
// is usable, and that they stay within their limits.

func FuzzLoadUniversities(f *testing.F) {
	seed, err := os.ReadFile("testdata/universities.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"name": "The Univ. of X (UX)", "alpha_two_code": "gb", "domains": ["X.AC.UK."]}]`))
	f.Add([]byte(`[{"name": "A", "alpha_two_code": "US", "domains": null, "state-province": null}] `))
	f.Add([]byte(`[{"name": "Ⅻ ﬁ ß", "alpha_two_code": "DE"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := LoadUniversities(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, uni := range u.list {
			if uni.Name == "" || !isAlpha2(uni.Country) {
				t.Fatalf("accepted entry %+v", uni)
			}
			if ids, close := u.lookup(uni.Name); len(ids) == 0 || !close {
				t.Fatalf("lookup(%q) finds no close match for a listed name", uni.Name)
			}
			for _, d := range uni.Domains {
				if ids, _ := u.owners(d); len(ids) == 0 {
					t.Fatalf("owners(%q) finds nothing for a listed domain", d)
				}
			}
		}
	})
}

func FuzzLoadDisposable(f *testing.F) {
	f.Add([]byte("mailinator.com\nyopmail.com\n"))
	f.Add([]byte("# comment\r\n\r\nA.B.\r\n"))
	f.Add([]byte("x_y-z.example\n\xef\xbb\xbfbad\n"))
	f.Add([]byte("a.b\n" + strings.Repeat("c", 64) + ".d\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := LoadDisposable(bytes.NewReader(data))
		if err != nil {
			return
		}
		for d := range l.set {
			if n, ok := normDomain(d); !ok || n != d {
				t.Fatalf("accepted %q, which does not normalise to itself", d)
			}
			if m, ok := l.match("x." + d); !ok || m != d {
				t.Fatalf("match(x.%s) = %q, %v", d, m, ok)
			}
		}
	})
}

func FuzzLoadHighRisk(f *testing.F) {
	f.Add([]byte(defaultHighRisk))
	f.Add([]byte("A | | b | c\n# x\n"))
	f.Add([]byte("University of X | us | r | s\nX University | | r | s\n"))
	f.Add([]byte("|||\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := LoadHighRisk(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, e := range l.entries {
			if e.Name == "" || e.Reason == "" || e.Source == "" || e.Country != "" && !isAlpha2(e.Country) {
				t.Fatalf("accepted entry %+v", e)
			}
			if _, ok := l.match(e.Name, e.Country); !ok {
				t.Fatalf("match(%q, %q) finds nothing for a listed name", e.Name, e.Country)
			}
		}
	})
}

func FuzzLoadRanges(f *testing.F) {
	f.Add([]byte("198.51.100.0/24 Example VPN\n2001:db8::/32\n"))
	f.Add([]byte("::ffff:10.0.0.0/104 # mapped\n0.0.0.0/0\n::/0 all\n"))
	f.Add([]byte("1.2.3.4/32\tlabel with\ttabs\n"))
	f.Add([]byte("fe80::1%eth0/64\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := LoadRanges(bytes.NewReader(data))
		if err != nil {
			return
		}
		for b, m := range r.byBits {
			for p := range m {
				if p != p.Masked() {
					t.Fatalf("stored %v unmasked", p)
				}
				got, _, ok := r.match(p.Addr())
				if !ok || got.Bits() < p.Bits() {
					t.Fatalf("match(%v) = %v, %v; want a range at least as specific as %v (bits key %d)", p.Addr(), got, ok, p, b)
				}
			}
		}
	})
}
