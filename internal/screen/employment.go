package screen

import (
	"slices"
	"strconv"
	"strings"
)

// employment runs the employment checks on each claimed job: names of the
// shell-company pattern, websites on free hosts, and many full-time jobs
// at once.
func (c *checker) employment() {
	for i, e := range c.a.Employment {
		name := strings.TrimSpace(e.Employer)
		if name == "" {
			continue
		}
		field := "employment[" + strconv.Itoa(i) + "]"
		site := strings.TrimSpace(e.Website)
		key := employerKey(name)
		if wellKnownEmployers[key] {
			continue
		}
		allGeneric, consultancy := employerShape(key)
		switch {
		case site == "" && allGeneric:
			c.add("employment.generic-name", field+".employer", false,
				"The employer %q has a name made only of generic business words and no website was given, the pattern of shell and front companies; it cannot be verified from the résumé.",
				clip(name, 100))
		case site == "" && consultancy:
			c.add("employment.consultancy-no-website", field+".employer", false,
				"The employer %q sounds like a consultancy or outsourcing firm and no website was given, so it cannot be verified from the résumé.",
				clip(name, 100))
		}
		if site == "" {
			continue
		}
		host, ok := websiteHost(site)
		if !ok {
			continue
		}
		if fh, ok := c.s.freeHosts.match(host); ok {
			c.add("employment.free-host", field+".website", false,
				"The website given for the employer %q, %s, is on %s, a free site builder or host where anyone can publish a site in minutes.",
				clip(name, 100), clip(site, 100), fh)
		}
	}
	c.overlap()
}

// overlap flags three or more full-time jobs held at the same time for at
// least three months.
func (c *checker) overlap() {
	type edge struct {
		at    int
		delta int
		job   int
	}
	var edges []edge
	for i, e := range c.a.Employment {
		end, ok := jobEnd(e, c.ref)
		if e.Start.IsZero() || !ok || !c.fullTime[i] || end <= e.Start.Months() {
			continue
		}
		edges = append(edges, edge{e.Start.Months(), +1, i}, edge{end, -1, i})
	}
	if len(edges) < 6 {
		return
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if a.at != b.at {
			return a.at - b.at
		}
		return a.delta - b.delta // ends before starts in the same month
	})
	open := map[int]bool{}
	best, bestFrom, bestTo := 0, 0, 0
	var bestJobs []int
	for k, e := range edges {
		if e.delta > 0 {
			open[e.job] = true
		} else {
			delete(open, e.job)
		}
		if k+1 < len(edges) && edges[k+1].at == e.at {
			continue
		}
		if len(open) < 3 || k+1 >= len(edges) {
			continue
		}
		from, to := e.at, edges[k+1].at
		if to-from >= 3 && (len(open) > best || len(open) == best && to-from > bestTo-bestFrom) {
			best, bestFrom, bestTo = len(open), from, to
			bestJobs = bestJobs[:0]
			for j := range open {
				bestJobs = append(bestJobs, j)
			}
		}
	}
	if best < 3 {
		return
	}
	slices.Sort(bestJobs)
	var names []string
	for _, j := range bestJobs {
		names = append(names, strconv.Quote(clip(strings.TrimSpace(c.a.Employment[j].Employer), 60)))
	}
	c.add("employment.overlap", "employment", false,
		"The résumé claims %d full-time jobs at once from %s to %s: %s; contractors sometimes hold several, but this many is rare.",
		best, monthString(bestFrom), monthString(bestTo), joinAnd(names))
}

// monthString formats a count of months since year 0 as "2021-03".
func monthString(m int) string {
	y, mo := m/12, m%12+1
	s := strconv.Itoa(mo)
	if mo < 10 {
		s = "0" + s
	}
	return strconv.Itoa(y) + "-" + s
}
