package link

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestPhone(t *testing.T) {
	tests := []struct {
		in, region string
		want       string
		ok         bool
	}{
		{"+1 602-555-0134", "US", "+16025550134", true},
		{"(602) 555 0134", "US", "+16025550134", true},
		{"602.555.0134", "US", "+16025550134", true},
		{"1-602-555-0134", "US", "+16025550134", true},
		{"+16025550134", "US", "+16025550134", true},
		{"  6025550134 ", "US", "+16025550134", true},
		{"+1 (602) 555-0134 ext. 12", "US", "+16025550134", true},
		{"(416) 555-0199", "CA", "+14165550199", true},
		{"(602) 555-0134", "GB", "", false},             // not a GB number
		{"+1 602 555 0134", "GB", "+16025550134", true}, // explicit country code
		{"+44 20 7946 0958", "US", "+442079460958", true},
		{"020 7946 0958", "GB", "+442079460958", true},
		{"000-000-0000", "US", "", false},
		{"123-456-7890", "US", "", false},
		{"555-555-5555", "US", "", false},
		{"1111111111", "US", "", false},
		{"n/a", "US", "", false},
		{"", "US", "", false},
		{"+", "US", "", false},
		{"602-555-013", "US", "", false},
		{"+2 602 555 0134", "US", "", false},
	}
	for _, tt := range tests {
		got, ok := Phone(tt.in, tt.region)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Phone(%q, %q) = %q, %v; want %q, %v", tt.in, tt.region, got, ok, tt.want, tt.ok)
		}
	}
}

// TestPhoneCacheAgrees checks the NANP prefix cache against
// libphonenumber on random numbers: the cache may only ever give the
// library's own answer.
func TestPhoneCacheAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cache := nanpCache{}
	for range 3000 {
		prefix := 200_000 + rng.Uint64N(800_000)
		for range 3 {
			nat := prefix*10000 + rng.Uint64N(10000)
			s := e164NANP(nat)
			got, ok := normPhone(s, "US", cache)
			n, err := phonenumbers.Parse(s, "US")
			if err != nil {
				t.Fatalf("parse %s: %v", s, err)
			}
			want, wantOK := "", phonenumbers.IsValidNumber(n)
			if wantOK {
				want = phonenumbers.Format(n, phonenumbers.E164)
			}
			if got != want || ok != wantOK {
				t.Fatalf("normPhone(%q) with cache = %q, %v; library says %q, %v", s, got, ok, want, wantOK)
			}
		}
	}
	if len(cache) == 0 {
		t.Fatal("cache never filled")
	}
}

func TestEmail(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Jane.Doe@Gmail.com", "janedoe@gmail.com", true},
		{"jane.doe+jobs@googlemail.com", "janedoe@gmail.com", true},
		{"j.a.n.e.d.o.e@gmail.com", "janedoe@gmail.com", true},
		{"Jane.Doe+x@outlook.com", "jane.doe@outlook.com", true},
		{"mailto:jane@example.org", "", false},
		{"<bob@corp.io>", "bob@corp.io", true},
		{"  bob@corp.io.  ", "bob@corp.io", true},
		{"bob@corp", "", false},
		{"bob", "", false},
		{"@corp.io", "", false},
		{"+tag@corp.io", "", false},
		{"a@b@c.io", "", false},
		{"bob smith@corp.io", "", false},
		{"none@none.com", "", false},
		{"test@test.com", "", false},
		{"noreply@gmail.com", "", false},
		{"n/a", "", false},
		{"bob@-corp.io", "", false},
		{"bob@corp..io", "", false},
	}
	for _, tt := range tests {
		got, ok := Email(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Email(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1420 N Central Ave Apt 4B, Phoenix, AZ 85004", "1420 n central ave unit 4b phoenix az 85004"},
		{"1420 North Central Avenue, #4B, Phoenix, Arizona 85004-1234", "1420 n central ave unit 4b phoenix az 85004"},
		{"1420 n. central ave., apt. #4-B phoenix az 85004 USA", "1420 n central ave unit 4b phoenix az 85004"},
		{"1420 N CENTRAL AVE UNIT 4 B PHOENIX AZ 85004 1234", "1420 n central ave unit 4b phoenix az 85004"},
		{"1420 N Central Ave Suite 4B, Phoenix, AZ 85004, United States", "1420 n central ave unit 4b phoenix az 85004"},
		{"77 Fifth Street, New York, New York 10001", "77 5th st ny ny 10001"},
		{"77 5th St, New York, NY 10001", "77 5th st ny ny 10001"},
		{"P.O. Box 123, Austin, TX 78701", "po box 123 austin tx 78701"},
		{"PO Box 123 Austin Texas 78701", "po box 123 austin tx 78701"},
		{"Post Office Box 123, Austin, TX 78701", "po box 123 austin tx 78701"},
		{"9 Elm Rd Apt 2, Troy, NY", "9 elm rd unit 2 troy ny"},
		{"9 Elm Rd Apt 3, Troy, NY", "9 elm rd unit 3 troy ny"},
		{"N/A", ""},
		{"Remote", ""},
		{"same as above", ""},
		{"Phoenix, AZ", ""},
		{"85004", ""},
		{"123 Main Street", ""},
		{"123 Main St, Springfield, IL 62701", "123 main st springfield il 62701"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Address(tt.in); got != tt.want {
			t.Errorf("Address(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIPPrefix(t *testing.T) {
	tests := []struct{ in, want string }{
		{"203.0.113.77", "203.0.113.0/24"},
		{"::ffff:203.0.113.77", "203.0.113.0/24"},
		{"2001:db8:1234:5678::1", "2001:db8:1234::/48"},
		{"fe80::1%eth0", "fe80::/48"},
	}
	for _, tt := range tests {
		if got := IPPrefix(netip.MustParseAddr(tt.in)).String(); got != tt.want {
			t.Errorf("IPPrefix(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if p := IPPrefix(netip.Addr{}); p.IsValid() {
		t.Errorf("IPPrefix(zero) = %v, want the zero Prefix", p)
	}
	for _, s := range []string{"10.1.2.3", "192.168.0.1", "127.0.0.1", "::1", "fe80::1", "0.0.0.0"} {
		if linkableIP(netip.MustParseAddr(s)) {
			t.Errorf("linkableIP(%s) = true, want false", s)
		}
	}
	if !linkableIP(netip.MustParseAddr("203.0.113.9")) {
		t.Error("linkableIP(203.0.113.9) = false, want true")
	}
}

func TestProfileLink(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://www.linkedin.com/in/Jane-Doe-12ab/", "linkedin.com/in/jane-doe-12ab", true},
		{"http://uk.linkedin.com/in/jane-doe-12ab?trk=x#top", "linkedin.com/in/jane-doe-12ab", true},
		{"linkedin.com/in/jane-doe-12ab/details/experience", "linkedin.com/in/jane-doe-12ab", true},
		{"HTTPS://M.LINKEDIN.COM/in/JANE-DOE-12AB", "linkedin.com/in/jane-doe-12ab", true},
		{"https://www.linkedin.com/company/acme", "", false},
		{"https://www.linkedin.com/in/", "", false},
		{"https://github.com/JaneDoe", "github.com/janedoe", true},
		{"github.com/janedoe/dotfiles", "github.com/janedoe", true},
		{"https://github.com/features", "", false},
		{"https://janedoe.dev/", "janedoe.dev", true},
		{"https://www.janedoe.dev/Portfolio/?x=1", "janedoe.dev/portfolio", true},
		{"N/A", "", false},
		{"", "", false},
		{"http://", "", false},
	}
	for _, tt := range tests {
		got, ok := ProfileLink(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ProfileLink(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestEmployer(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Acme, Inc.", "acme"},
		{"ACME Corporation", "acme"},
		{"Acme Co., Ltd.", "acme"},
		{"The Walt Disney Company", "walt disney"},
		{"Johnson & Johnson", "johnson johnson"},
		{"Johnson and Johnson", "johnson johnson"},
		{"AT&T Inc.", "att"},
		{"Infosys Private Limited", "infosys"},
		{"Siemens AG", "siemens"},
		{"Bluepeak Analytics LLC", "bluepeak analytics"},
		{"Self-employed", ""},
		{"Freelance", ""},
		{"N/A", ""},
		{"Inc", "inc"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Employer(tt.in); got != tt.want {
			t.Errorf("Employer(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPhotoDistance(t *testing.T) {
	if d := PhotoDistance(0xffff_0000_ffff_0000, 0xffff_0000_ffff_0001); d != 1 {
		t.Errorf("PhotoDistance = %d, want 1", d)
	}
	if d := PhotoDistance(0, ^uint64(0)); d != 64 {
		t.Errorf("PhotoDistance = %d, want 64", d)
	}
}
