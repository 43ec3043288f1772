package link

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"+1 602-555-0134", "(602) 555 0134", "1-602-555-0134", "+44 20 7946 0958",
		"000-000-0000", "n/a", "+", "(((", "+1 (602) 555-0134 ext. 12", "６０２５５５０１３４", "+1" + strings.Repeat("9", 40)} {
		f.Add(s, "US")
	}
	f.Add("020 7946 0958", "GB")
	f.Add("602 555 0134", "ZZ")
	f.Fuzz(func(t *testing.T, s, region string) {
		if len(s) > 256 || len(region) > 8 {
			return
		}
		got, ok := Phone(s, region)
		if !ok {
			if got != "" {
				t.Fatalf("Phone(%q) = %q, false: want empty", s, got)
			}
			return
		}
		if len(got) < 3 || got[0] != '+' || strings.Trim(got[1:], "0123456789") != "" {
			t.Fatalf("Phone(%q) = %q: not E.164", s, got)
		}
		if again, ok := Phone(got, region); !ok || again != got {
			t.Fatalf("Phone(%q) = %q, but Phone(%q) = %q, %v", s, got, got, again, ok)
		}
		// The cached path must agree with the uncached one.
		if cached, ok := normPhone(s, region, nanpCache{}); !ok || cached != got {
			t.Fatalf("normPhone(%q) with cache = %q, %v; want %q", s, cached, ok, got)
		}
	})
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"Jane.Doe+jobs@Gmail.com", "<bob@corp.io>", "mailto:x@y.z", "a@b@c", "@", "none@none.com",
		"j.d@googlemail.com", "ü@bücher.de", "a@-b.c", "a+@b.co"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := Email(s)
		if !ok {
			if got != "" {
				t.Fatalf("Email(%q) = %q, false: want empty", s, got)
			}
			return
		}
		if strings.Count(got, "@") != 1 || strings.ContainsRune(got, '+') && strings.Index(got, "+") < strings.Index(got, "@") {
			t.Fatalf("Email(%q) = %q", s, got)
		}
		if again, ok := Email(got); !ok || again != got {
			t.Fatalf("Email(%q) = %q, but Email(%q) = %q, %v", s, got, got, again, ok)
		}
	})
}

func FuzzAddress(f *testing.F) {
	for _, s := range []string{"1420 N Central Ave Apt 4B, Phoenix, AZ 85004", "1420 North Central Avenue #4-B Phoenix Arizona 85004-1234",
		"P.O. Box 123, Austin, TX 78701 USA", "N/A", "", "# # #", "1 us us us", "9 p o o box", "Apt 4 B C 1",
		"77 Fifth Street, New York, New York 10001, United States of America", "1 District of Columbia"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Address(s)
		if got == "" {
			return
		}
		if !utf8.ValidString(got) || strings.Contains(got, "  ") || strings.TrimSpace(got) != got {
			t.Fatalf("Address(%q) = %q: not normalised", s, got)
		}
		if again := Address(got); again != got {
			t.Fatalf("Address(%q) = %q, but Address(%q) = %q", s, got, got, again)
		}
	})
}

func FuzzProfileLink(f *testing.F) {
	for _, s := range []string{"https://www.linkedin.com/in/Jane-Doe/", "github.com/x/y", "http://", "://", "janedoe.dev",
		"https://uk.linkedin.com/pub/a/1/2", "%zz", "http://[::1]:80/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ProfileLink(s)
		if !ok {
			if got != "" {
				t.Fatalf("ProfileLink(%q) = %q, false: want empty", s, got)
			}
			return
		}
		if got == "" || strings.Contains(got, "://") {
			t.Fatalf("ProfileLink(%q) = %q", s, got)
		}
	})
}

func FuzzEmployer(f *testing.F) {
	for _, s := range []string{"Acme, Inc.", "AT&T", "The Company", "Inc Inc Inc", "&&&", "Self-employed"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Employer(s)
		if got != "" && Employer(got) != got {
			t.Fatalf("Employer(%q) = %q, but Employer(%q) = %q", s, got, got, Employer(got))
		}
	})
}

func FuzzResumeWords(f *testing.F) {
	f.Add("Built the payments service in Go, cutting time by 30%. jane@x.io https://github.com/x", "Jane Doe")
	f.Add("\xff\xfe é É — • Node.js C++", "")
	f.Fuzz(func(t *testing.T, text, name string) {
		var m minhasher
		var s signature
		if m.sign(text, name, &s) {
			if similarity(&s, &s) != 1 {
				t.Fatal("a signature is not similar to itself")
			}
		}
	})
}
