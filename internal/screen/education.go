package screen

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// education runs the education checks: high-risk and unknown institutions,
// an academic e-mail address of another school, and degree dates that do
// not fit.
func (c *checker) education() {
	a := c.a
	if len(a.Education) == 0 {
		return
	}
	unis := c.s.unis
	if unis == nil {
		c.skip("institution list not configured: claimed schools not looked up")
	}
	var claimed []int32 // list entries the claimed schools match
	for i, e := range a.Education {
		inst := strings.TrimSpace(e.Institution)
		if inst == "" {
			continue
		}
		field := "education[" + strconv.Itoa(i) + "].institution"
		if hr, ok := c.highRiskMatch(inst, e.Country); ok {
			c.add("education.high-risk", field, false,
				"The claimed school %q is on the high-risk institution list: %s (source: %s).", clip(inst, 120), hr.Reason, hr.Source)
			continue
		}
		if unis == nil {
			continue
		}
		ids, close := unis.lookup(inst)
		if e.Country != "" && !close {
			// A loose match counts only in the claimed country.
			ids = slices.DeleteFunc(ids, func(id int32) bool { return !strings.EqualFold(unis.list[id].Country, e.Country) })
		}
		if len(ids) == 0 {
			where := "in any country"
			if e.Country != "" {
				where = "for " + strings.ToUpper(e.Country)
			}
			c.add("education.unknown-institution", field, false,
				"The claimed school %q is not in the institution list of %d schools %s; the list misses many small colleges, new names and names in other languages, so this is weak evidence.",
				clip(inst, 120), unis.Len(), where)
			continue
		}
		claimed = append(claimed, ids...)
		if e.Country == "" {
			continue
		}
		in := false
		var countries []string
		for _, id := range ids {
			u := unis.list[id]
			if strings.EqualFold(u.Country, e.Country) {
				in = true
			} else if !slices.Contains(countries, u.Country) {
				countries = append(countries, u.Country)
			}
		}
		if !in {
			c.add("education.institution-country", "education["+strconv.Itoa(i)+"].country", false,
				"The institution list has %q in %s, not in %s as the résumé claims.",
				unis.list[ids[0]].Name, joinAnd(countries), strings.ToUpper(e.Country))
		}
	}
	if unis != nil {
		c.emailSchool(claimed)
	}
	c.degreeDates()
}

// highRiskMatch looks a claimed school up in the high-risk lists.
func (c *checker) highRiskMatch(inst, country string) (HighRiskEntry, bool) {
	for _, l := range c.s.highRisk {
		if e, ok := l.match(inst, country); ok {
			return e, true
		}
	}
	return HighRiskEntry{}, false
}

// emailSchool flags an academic e-mail address whose domain the list gives
// to a school the résumé does not claim.
func (c *checker) emailSchool(claimed []int32) {
	unis := c.s.unis
	for i, addr := range c.a.Emails {
		_, domain, ok := splitEmail(addr)
		if !ok {
			continue
		}
		owners, matched := unis.owners(domain)
		if len(owners) == 0 {
			continue
		}
		mine := false
		for _, o := range owners {
			if slices.Contains(claimed, o) || c.claimsSchoolLike(unis.list[o], matched) {
				mine = true
				break
			}
		}
		if mine {
			continue
		}
		var names []string
		for _, e := range c.a.Education {
			names = append(names, strconv.Quote(clip(strings.TrimSpace(e.Institution), 80)))
		}
		c.add("education.email-domain", "emails["+strconv.Itoa(i)+"]", false,
			"The e-mail address %s is at %s, which the institution list gives to %s, a school the résumé does not claim (it claims %s); staff, visiting and alumni addresses explain some cases.",
			clip(strings.TrimSpace(addr), 120), matched, unis.list[owners[0]].Name, joinAnd(names))
	}
}

// schoolWords are words too common in school names to tie two names
// together.
var schoolWords = wordSet("university", "college", "institute", "technology", "school", "state",
	"national", "of", "the", "and", "at", "in", "for", "de", "science", "sciences", "engineering",
	"management", "academy", "polytechnic", "community", "international", "saint", "city", "new",
	"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
	"american", "indian", "arts", "applied", "research", "studies", "business", "medical")

// claimsSchoolLike reports whether a claimed school shares a distinctive
// word with u's name or with the label of domain ("berkeley" in
// berkeley.edu for "UC Berkeley"), for names the list does not match.
func (c *checker) claimsSchoolLike(u University, domain string) bool {
	label, _, _ := strings.Cut(domain, ".")
	for _, e := range c.a.Education {
		k := instKey(e.Institution)
		for w := range strings.FieldsSeq(k) {
			if schoolWords[w] || len(w) < 3 {
				continue
			}
			if w == label || strings.Contains(" "+instKey(u.Name)+" ", " "+w+" ") {
				return true
			}
		}
		if a := strings.ReplaceAll(k, " ", ""); a == label {
			return true
		}
	}
	return false
}

// bachelorWords are the folded spellings of a bachelor's degree.
var bachelorWords = wordSet("bachelor", "bachelors", "bs", "bsc", "ba", "btech", "be", "beng",
	"bba", "bcom", "bca", "bse", "bsee", "bscs", "baccalaureate", "licence", "licenciatura")

func isBachelor(degree string) bool {
	for w := range strings.FieldsSeq(fold(degree)) {
		if bachelorWords[w] {
			return true
		}
	}
	return false
}

// degreeDates checks the dates of bachelor's degrees against their length
// and the employment history.
func (c *checker) degreeDates() {
	exp := fullTimeMonths(c.a.Employment, c.fullTime, c.ref)
	first, firstIdx := -1, -1
	for i, e := range c.a.Employment {
		if e.Start.IsZero() || !c.fullTime[i] {
			continue
		}
		if m := e.Start.Months(); first < 0 || m < first {
			first, firstIdx = m, i
		}
	}
	earliest := -1 // the bachelor's degree that ended first
	for i, e := range c.a.Education {
		if !isBachelor(e.Degree) || e.End.IsZero() {
			continue
		}
		field := "education[" + strconv.Itoa(i) + "]"
		inst := clip(strings.TrimSpace(e.Institution), 100)
		if !e.Start.IsZero() {
			if d := e.End.Months() - e.Start.Months(); d >= 0 && d < 24 {
				c.add("education.short-degree", field, false,
					"The bachelor's degree at %q runs from %s to %s, %s; a bachelor's usually takes three to four years (transfer students may list only their last years).",
					inst, e.Start, e.End, months(d))
			}
		}
		if e.End.Months() > c.ref.Months() {
			if exp >= 60 {
				c.add("education.future-graduation", field+".end", false,
					"The bachelor's degree at %q is expected in %s, after the application date (%s), yet the résumé claims %s of full-time work.",
					inst, e.End, c.ref, months(exp))
			}
			continue
		}
		if earliest < 0 || e.End.Months() < c.a.Education[earliest].End.Months() {
			earliest = i
		}
	}
	if earliest >= 0 && first >= 0 {
		e := c.a.Education[earliest]
		if gap := e.End.Months() - first; gap >= 48 {
			j := c.a.Employment[firstIdx]
			c.add("education.graduation-after-career", "education["+strconv.Itoa(earliest)+"].end", false,
				"The bachelor's degree at %q ended in %s, %s after the first full-time job (%s at %q from %s); degrees finished while working explain some cases.",
				clip(strings.TrimSpace(e.Institution), 100), e.End, months(gap), clip(j.Title, 60), clip(j.Employer, 80), j.Start)
		}
	}
}

// notFullTime are title words of jobs that are not full-time employment.
var notFullTime = wordSet("intern", "internship", "trainee", "student", "apprentice", "volunteer",
	"freelance", "freelancer", "contract", "contractor", "parttime", "coop", "fellow", "fellowship",
	"tutor", "advisor", "adviser", "board", "mentor")

// fullTime reports whether a job title reads as full-time employment.
func fullTime(title string) bool {
	k := fold(title)
	k = strings.ReplaceAll(k, "part time", "parttime")
	k = strings.ReplaceAll(k, "co op", "coop")
	for _, p := range []string{"teaching assistant", "research assistant", "graduate assistant"} {
		if strings.Contains(k, p) {
			return false
		}
	}
	for w := range strings.FieldsSeq(k) {
		if notFullTime[w] {
			return false
		}
	}
	return true
}

// jobEnd returns the end of a job in months, ref for a current one, and
// false when it is not known.
func jobEnd(e hiring.Employment, ref hiring.YearMonth) (int, bool) {
	switch {
	case !e.End.IsZero():
		return e.End.Months(), true
	case e.Current:
		return ref.Months(), true
	}
	return 0, false
}

// fullTimeMonths returns the months covered by full-time jobs, counting
// overlapping jobs once; full says which jobs are full-time.
func fullTimeMonths(jobs []hiring.Employment, full []bool, ref hiring.YearMonth) int {
	type span struct{ from, to int }
	var spans []span
	for i, e := range jobs {
		end, ok := jobEnd(e, ref)
		if e.Start.IsZero() || !ok || !full[i] || end < e.Start.Months() {
			continue
		}
		spans = append(spans, span{e.Start.Months(), end})
	}
	slices.SortFunc(spans, func(a, b span) int { return a.from - b.from })
	total, curFrom, curTo := 0, -1, -1
	for _, s := range spans {
		if curTo < 0 || s.from > curTo {
			if curTo >= 0 {
				total += curTo - curFrom
			}
			curFrom, curTo = s.from, s.to
			continue
		}
		curTo = max(curTo, s.to)
	}
	if curTo >= 0 {
		total += curTo - curFrom
	}
	return total
}

// months writes a duration for a sentence: "9 months", "4 years",
// "3 years and 2 months".
func months(m int) string {
	y, r := m/12, m%12
	plural := func(n int, w string) string {
		if n == 1 {
			return "1 " + w
		}
		return strconv.Itoa(n) + " " + w + "s"
	}
	switch {
	case y == 0:
		return plural(r, "month")
	case r == 0:
		return plural(y, "year")
	default:
		return fmt.Sprintf("%s and %s", plural(y, "year"), plural(r, "month"))
	}
}
