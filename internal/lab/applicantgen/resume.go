package applicantgen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// resume is a résumé before rendering, so that a ring can recycle one with
// names, dates and a few sentences changed.
type resume struct {
	summary []string
	jobs    []resumeJob
	skills  []string
	edu     hiring.Education
}

type resumeJob struct {
	title, employer, place string
	start, end             hiring.YearMonth
	current                bool
	bullets                []string
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// bullet writes one experience sentence from the templates.
func bullet(rng *rand.Rand) string {
	v := pick(rng, verbs)
	t1, t2 := pick(rng, techs), pick(rng, techs)
	th, out, tm := pick(rng, things), pick(rng, outcomes), pick(rng, teams)
	switch rng.IntN(14) {
	case 0:
		return fmt.Sprintf("%s %s using %s and %s, %s.", v[0], th, t1, t2, out)
	case 1:
		return fmt.Sprintf("%s %s in %s; %s.", v[0], th, t1, out)
	case 2:
		return fmt.Sprintf("Worked with %s to %s %s, %s.", tm, v[1], th, out)
	case 3:
		return fmt.Sprintf("Partnered with %s to %s %s on %s.", tm, v[1], th, t1)
	case 4:
		return fmt.Sprintf("%s %s end to end, from %s services to a %s front end.", v[0], th, t1, t2)
	case 5:
		return fmt.Sprintf("On call for %s; added %s alerting, %s.", th, t1, out)
	case 6:
		return fmt.Sprintf("%s %s with %s, working closely with %s.", v[0], th, t1, tm)
	case 7:
		return fmt.Sprintf("Took over %s from %s and %s it on %s, %s.", th, tm, strings.ToLower(v[0]), t1, out)
	case 8:
		return fmt.Sprintf("%s and later %s %s, %s.", v[0], strings.ToLower(pick(rng, verbs)[0]), th, out)
	case 9:
		return fmt.Sprintf("Proposed moving %s to %s; the migration finished ahead of plan, %s.", th, t1, out)
	case 10:
		return fmt.Sprintf("%s %s for %s using %s.", v[0], th, tm, t1)
	case 11:
		return fmt.Sprintf("Reviewed code for %s and %s %s in %s.", tm, strings.ToLower(v[0]), th, t1)
	case 12:
		return fmt.Sprintf("Introduced %s to %s, then %s %s with it, %s.", t1, tm, strings.ToLower(v[0]), th, out)
	default:
		return fmt.Sprintf("%s %s, %s, and wrote the runbook for %s.", v[0], th, out, tm)
	}
}

func summary(rng *rand.Rand, title string) []string {
	s := []string{
		fmt.Sprintf("%s %s with %d years of experience in %s and %s.", pick(rng, adjectives),
			strings.ToLower(title), 2+rng.IntN(14), pick(rng, domains), pick(rng, domains)),
		fmt.Sprintf("Skilled in %s, %s and %s.", pick(rng, techs), pick(rng, techs), pick(rng, techs)),
	}
	if rng.IntN(2) == 0 {
		s = append(s, pick(rng, extras))
	}
	return s
}

// newResume writes a résumé whose jobs are at the given employers, most
// recent first, ending in the given month.
func newResume(rng *rand.Rand, employers []string, last hiring.YearMonth) resume {
	title := pick(rng, titles)
	r := resume{summary: summary(rng, title)}
	end := last
	for i, e := range employers {
		months := 10 + rng.IntN(40)
		start := addMonths(end, -months)
		j := resumeJob{
			title: title, employer: e, place: placeName(pick(rng, cities)),
			start: start, end: end, current: i == 0 && rng.IntN(2) == 0,
		}
		if j.current {
			j.end = hiring.YearMonth{}
		}
		for range 3 + rng.IntN(3) {
			j.bullets = append(j.bullets, bullet(rng))
		}
		r.jobs = append(r.jobs, j)
		end = addMonths(start, -1-rng.IntN(4))
		if rng.IntN(3) == 0 {
			title = pick(rng, titles)
		}
	}
	for range 8 + rng.IntN(7) {
		r.skills = append(r.skills, pick(rng, techs))
	}
	r.skills = slices.Compact(r.skills)
	gradYear := end.Year - rng.IntN(2)
	r.edu = hiring.Education{
		Institution: pick(rng, universities), Country: "US", Degree: pick(rng, degrees), Area: pick(rng, degreeAreas),
		Start: hiring.YearMonth{Year: gradYear - 4, Month: 9}, End: hiring.YearMonth{Year: gradYear, Month: 5},
	}
	return r
}

// recycle returns a copy of r as a ring persona would submit it: every date
// shifted by the same few months, up to a quarter of the bullets (at most
// three) replaced by new ones, and sometimes a new summary or two skills
// swapped.
func (r resume) recycle(rng *rand.Rand) resume {
	c := resume{summary: slices.Clone(r.summary), skills: slices.Clone(r.skills), edu: r.edu}
	shift := rng.IntN(13) - 6
	c.edu.Start, c.edu.End = addMonths(r.edu.Start, shift), addMonths(r.edu.End, shift)
	for _, j := range r.jobs {
		j.bullets = slices.Clone(j.bullets)
		j.start = addMonths(j.start, shift)
		if !j.current {
			j.end = addMonths(j.end, shift)
		}
		c.jobs = append(c.jobs, j)
	}
	var slots [][2]int
	for ji, j := range c.jobs {
		for bi := range j.bullets {
			slots = append(slots, [2]int{ji, bi})
		}
	}
	rng.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
	edits := rng.IntN(1 + min(3, len(slots)/4))
	for _, s := range slots[:edits] {
		c.jobs[s[0]].bullets[s[1]] = bullet(rng)
	}
	if rng.IntN(4) == 0 {
		c.summary = summary(rng, c.jobs[0].title)
	}
	if rng.IntN(2) == 0 && len(c.skills) > 2 {
		i, j := rng.IntN(len(c.skills)), rng.IntN(len(c.skills))
		c.skills[i], c.skills[j] = c.skills[j], c.skills[i]
	}
	return c
}

// render writes the résumé as plain text under the applicant's name and
// contact line.
func (r resume) render(name string, contacts []string) string {
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('\n')
	b.WriteString(strings.Join(contacts, " | "))
	b.WriteString("\n\nSUMMARY\n")
	b.WriteString(strings.Join(r.summary, " "))
	b.WriteString("\n\nEXPERIENCE\n")
	for _, j := range r.jobs {
		end := "Present"
		if !j.current {
			end = monthYear(j.end)
		}
		fmt.Fprintf(&b, "%s, %s — %s (%s – %s)\n", j.title, j.employer, j.place, monthYear(j.start), end)
		for _, bl := range j.bullets {
			b.WriteString("• ")
			b.WriteString(bl)
			b.WriteByte('\n')
		}
	}
	b.WriteString("\nSKILLS\n")
	b.WriteString(strings.Join(r.skills, ", "))
	fmt.Fprintf(&b, "\n\nEDUCATION\n%s in %s, %s, %d\n", r.edu.Degree, r.edu.Area, r.edu.Institution, r.edu.End.Year)
	return b.String()
}

// employment returns the résumé's jobs as the applicant's claimed
// employment.
func (r resume) employment() []hiring.Employment {
	out := make([]hiring.Employment, len(r.jobs))
	for i, j := range r.jobs {
		out[i] = hiring.Employment{Employer: j.employer, Title: j.title, Location: j.place,
			Start: j.start, End: j.end, Current: j.current}
	}
	return out
}

// shortResume is a two-line profile summary: too short to compare.
func shortResume(rng *rand.Rand, name string) string {
	title := pick(rng, titles)
	return fmt.Sprintf("%s\n%s. %s", name, summary(rng, title)[0], pick(rng, extras))
}

var monthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func monthYear(d hiring.YearMonth) string {
	if d.Month == 0 {
		return fmt.Sprint(d.Year)
	}
	return fmt.Sprintf("%s %d", monthNames[d.Month-1], d.Year)
}

func addMonths(d hiring.YearMonth, n int) hiring.YearMonth {
	m := d.Year*12 + (max(d.Month, 1) - 1) + n
	return hiring.YearMonth{Year: m / 12, Month: m%12 + 1}
}

func placeName(c city) string { return c.name + ", " + c.state }
