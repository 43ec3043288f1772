package screen

import (
	"strconv"
	"strings"

	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/nyaruka/phonenumbers"
)

// sharedKinds describes each kind of shared identifier for sentences:
// the check, the applicant field, and the sentence with the value and who
// shares it.
var sharedKinds = map[string]struct {
	check, field, format string
}{
	"phone":  {"shared.phone", "phones", "The phone number %q is also in the applications of %s."},
	"email":  {"shared.email", "emails", "The e-mail address %q is also in the applications of %s."},
	"link":   {"shared.link", "links", "The profile link %q is also in the applications of %s."},
	"ip":     {"shared.ip", "application_ip", "The application came from the network %q, as did those of %s; offices, universities and mobile carriers also share networks."},
	"resume": {"shared.resume", "resume_text", "The résumé text matches that of %[2]s (%[1]s); templates and résumé writers explain some cases."},
	"photo":  {"shared.photo", "photo_hashes", "A photo matches one in the applications of %[2]s (%[1]s)."},
}

// shared turns what linking found into evidence: the shipping address,
// contact details, résumé, photo, IP network, profile links and obscure
// employers the applicant has in common with others.
func (c *checker) shared(shared []hiring.Shared) {
	seen := map[string]bool{}
	for _, s := range shared {
		key := s.Kind + "\x00" + s.Value
		if seen[key] {
			continue
		}
		seen[key] = true
		var workers, applicants []string
		for _, id := range s.With {
			id = strings.TrimSpace(id)
			switch {
			case id == "" || id == c.a.ID:
			case strings.HasPrefix(id, "worker:"):
				workers = append(workers, strings.TrimPrefix(id, "worker:"))
			default:
				applicants = append(applicants, id)
			}
		}
		if len(workers)+len(applicants) == 0 {
			continue
		}
		value := clip(s.Value, 100)
		who := sharedWith(workers, applicants)
		switch s.Kind {
		case "address":
			check := "shared.address"
			switch {
			case len(workers) > 0:
				check = "shared.address-worker"
			case len(applicants) >= 2:
				check = "shared.address-cluster"
			}
			c.add(check, "shipping_address", false,
				"The shipping address %q is also given by %s; one address receiving equipment for several people is the mark of a laptop farm, though families and shared housing also explain it.",
				value, who)
		case "employer":
			if wellKnownEmployers[employerKey(s.Value)] || len(applicants) < 2 {
				continue
			}
			field, name := c.employerField(s.Value)
			if name == "" {
				name = value
			}
			c.add("employment.shared-employer", field, false,
				"The employer %q, not a widely known company, also appears on the applications of %s; a small firm shared by a cluster of applicants is a pattern of made-up histories.",
				name, who)
		default:
			k, ok := sharedKinds[s.Kind]
			if !ok {
				continue
			}
			c.add(k.check, c.sharedField(s.Kind, s.Value, k.field), false, k.format, value, who)
		}
	}
}

// sharedWith writes who shares an identifier: "applicants a-1 and a-2 and
// current worker w-7".
func sharedWith(workers, applicants []string) string {
	var parts []string
	if len(applicants) == 1 {
		parts = append(parts, "applicant "+applicants[0])
	} else if len(applicants) > 1 {
		parts = append(parts, strconv.Itoa(len(applicants))+" other applicants ("+listIDs(applicants)+")")
	}
	if len(workers) == 1 {
		parts = append(parts, "current worker "+workers[0])
	} else if len(workers) > 1 {
		parts = append(parts, strconv.Itoa(len(workers))+" current workers ("+listIDs(workers)+")")
	}
	return strings.Join(parts, " and ")
}

// sharedField names the applicant field that holds a shared phone number
// or e-mail address, or the list field when it cannot be told.
func (c *checker) sharedField(kind, value, list string) string {
	switch kind {
	case "phone":
		for i, p := range c.a.Phones {
			region := "US"
			if c.claimed.ok {
				region = c.claimed.Country
			}
			if n, err := phonenumbers.Parse(p, region); err == nil && phonenumbers.Format(n, phonenumbers.E164) == value {
				return "phones[" + strconv.Itoa(i) + "]"
			}
		}
	case "email":
		for i, e := range c.a.Emails {
			if strings.EqualFold(strings.TrimSpace(e), strings.TrimSpace(value)) {
				return "emails[" + strconv.Itoa(i) + "]"
			}
		}
	}
	return list
}

// employerField names the job whose employer is the shared one, and the
// employer as the applicant wrote it.
func (c *checker) employerField(value string) (field, name string) {
	k := employerKey(value)
	for i, e := range c.a.Employment {
		if employerKey(e.Employer) == k {
			return "employment[" + strconv.Itoa(i) + "].employer", clip(strings.TrimSpace(e.Employer), 100)
		}
	}
	return "employment", ""
}
