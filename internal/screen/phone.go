package screen

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// phones runs the phone checks on each number: validity, the numbering
// plan's country against the claimed location, the area code's state for
// North American numbers, international formatting on a domestic résumé,
// and VoIP ranges where the numbering plan has them.
func (c *checker) phones() {
	if len(c.a.Phones) == 0 {
		c.skip("no phone number")
		return
	}
	nanpVoIP := false
	for i, raw := range c.a.Phones {
		raw = strings.TrimSpace(raw)
		field := "phones[" + strconv.Itoa(i) + "]"
		intl := strings.HasPrefix(raw, "+") || strings.HasPrefix(raw, "00")
		region := "ZZ"
		if c.claimed.ok {
			region = c.claimed.Country
		}
		if !intl && region == "ZZ" {
			c.skip("%s %q has no country code and the claimed location is not known: not checked", field, clip(raw, 40))
			continue
		}
		n, err := phonenumbers.Parse(raw, region)
		if err != nil {
			c.add("phone.invalid", field, false, "The phone number %q is not a telephone number that can be dialled.", clip(raw, 40))
			continue
		}
		// The library's pattern matching is the cost of this check: find
		// the region once and validate against it, and ask for the number
		// type only outside North America, where it can show VoIP.
		numRegion := phonenumbers.GetRegionCodeForNumber(n)
		if numRegion == "" || !phonenumbers.IsValidNumberForRegion(n, numRegion) {
			plan := phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode()))
			if plan == "ZZ" || plan == "" {
				plan = "+" + strconv.Itoa(int(n.GetCountryCode()))
			}
			c.add("phone.invalid", field, false, "The phone number %q is not a valid number in the %s numbering plan.", clip(raw, 40), plan)
			continue
		}
		shown := phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
		if c.claimed.ok && numRegion != c.claimed.Country {
			detail := ""
			if g, err := phonenumbers.GetGeocodingForNumber(n, "en"); err == nil && g != "" {
				detail = " (" + g + ")"
			}
			c.add("phone.country", field, false,
				"The phone number %s belongs to the %s numbering plan%s, but the claimed location is %s.",
				shown, numRegion, detail, c.claimed.String())
		}
		if c.claimed.ok && numRegion == c.claimed.Country && (numRegion == "US" || numRegion == "CA") && c.claimed.Admin1 != "" {
			npa, st := c.s.areaCodeState(n)
			if st != "" && st != c.claimed.Admin1 {
				c.add("phone.area-code", field, false,
					"The area code %s of %s is in %s, but the claimed location is %s; mobile numbers keep their area code when people move, so this is weak evidence.",
					npa, shown, st, c.claimed.String())
			}
		}
		// Only the résumé shows how applicants write their own number:
		// tracking systems store numbers in E.164 ("+16025550134").
		if intl && numRegion == "US" && c.claimed.ok && c.claimed.Country == "US" && c.usOnlyHistory() && strings.Contains(c.a.ResumeText, raw) {
			c.add("phone.intl-format", field, false,
				"The phone number %s is written in international format (%s) on a résumé that otherwise describes a US-only history; people in the US seldom write their own number that way.",
				shown, clip(raw, 40))
		}
		if n.GetCountryCode() != 1 {
			switch phonenumbers.GetNumberType(n) {
			case phonenumbers.VOIP:
				c.add("phone.voip", field, false,
					"The phone number %s is in a range the %s numbering plan sets aside for VoIP services, which anyone can rent online from anywhere.", shown, numRegion)
			case phonenumbers.PERSONAL_NUMBER:
				c.add("phone.voip", field, false,
					"The phone number %s is a personal (follow-me) number of the %s numbering plan, which forwards calls to any phone in any country.", shown, numRegion)
			}
		}
		if n.GetCountryCode() == 1 {
			nanpVoIP = true
		}
	}
	if nanpVoIP {
		c.skip("VoIP: whether a North American (+1) number is VoIP cannot be told from the number alone")
	}
}

// usOnlyHistory reports whether every school and job the résumé places
// somewhere is in the US.
func (c *checker) usOnlyHistory() bool {
	if c.usOnly != 0 {
		return c.usOnly > 0
	}
	c.usOnly = 1
	for _, e := range c.a.Education {
		if e.Country != "" && !strings.EqualFold(e.Country, "US") {
			c.usOnly = -1
		}
	}
	for _, e := range c.a.Employment {
		if c.usOnly < 0 || strings.TrimSpace(e.Location) == "" {
			continue
		}
		if p := resolvePlace(e.Location); p.ok && p.Country != "US" {
			c.usOnly = -1
		}
	}
	return c.usOnly > 0
}

// areaCodeState returns the area code of a North American number and the
// postal code of the state or province it belongs to, from phonenumbers'
// geocoding data, cached by area code: every area code lies in one state.
func (s *Screener) areaCodeState(n *phonenumbers.PhoneNumber) (npa, state string) {
	nsn := phonenumbers.GetNationalSignificantNumber(n)
	if len(nsn) != 10 {
		return "", ""
	}
	npa = nsn[:3]
	if v, ok := s.npaState.Load(npa); ok {
		return npa, v.(string)
	}
	g, err := phonenumbers.GetGeocodingForNumber(n, "en")
	if err != nil {
		return npa, ""
	}
	state = stateOfGeocode(g)
	s.npaState.Store(npa, state)
	return npa, state
}

// stateOfGeocode returns the postal code of the US state or Canadian
// province that phonenumbers' geocoding names: "Arizona" or
// "San Francisco, CA".
func stateOfGeocode(g string) string {
	if i := strings.LastIndex(g, ", "); i >= 0 && len(g)-i == 4 {
		return g[i+2:]
	}
	return northAmericaStates[g]
}

// northAmericaStates maps US state and Canadian province names to postal
// codes.
var northAmericaStates = map[string]string{
	"Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
	"Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA",
	"Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS",
	"Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA",
	"Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS", "Missouri": "MO", "Montana": "MT",
	"Nebraska": "NE", "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM",
	"New York": "NY", "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK",
	"Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC",
	"South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT",
	"Virginia": "VA", "Washington": "WA", "Washington D.C.": "DC", "Washington, D.C.": "DC",
	"District of Columbia": "DC", "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY",
	"Alberta": "AB", "British Columbia": "BC", "Manitoba": "MB", "New Brunswick": "NB",
	"Newfoundland and Labrador": "NL", "Nova Scotia": "NS", "Ontario": "ON",
	"Prince Edward Island": "PE", "Quebec": "QC", "Saskatchewan": "SK",
	"Northwest Territories": "NT", "Nunavut": "NU", "Yukon": "YT",
}
