package articles

import (
	"strings"
	"testing"
)

// benchText is a 2 KB résumé and cover letter written for the benchmark:
// mostly correct English with a few article errors, bullets and headings.
const benchText = `Jordan Avery
Senior Backend Engineer

Summary
I am software engineer with eight years of experience building payment systems, data pipelines and internal tools. I have worked in the corporate world and at two startups, and I enjoy mentoring junior developers.

Experience
- Led a team of five engineers that rebuilt the billing service in Go.
- Cut the p99 latency of the checkout API from 900 ms to 120 ms.
- Worked as lead engineer on the migration from a monolith to services.
- Wrote an internal tool that reconciles ledger entries every hour.

Acme Payments, Backend Engineer (2016-2020)
- Designed an event-driven settlement system that processes a million transactions a day.
- Introduced code review guidelines and an on-call rotation for the team.
- Gave an advice to new hires on testing and observability.

Education
BSc in Computer Science, University of Leeds, 2015.

Cover letter
Dear hiring manager,
I am writing to apply for the position of senior backend engineer. Over the last eight years I have designed, built and run systems that move money reliably. At Acme, I was responsible for the settlement pipeline, which handled most of the company's revenue. I care about simple designs, good tests and clear documentation, and I have spent a long time learning how to keep systems boring in production.
In my current role, I work with product managers, designers and other engineers to decide what to build next. I like to understand the problem before writing code, and I am comfortable with ambiguity. One of my proudest projects was a rewrite of our fraud rules engine, which reduced false positives by a third without hurting detection.
I would welcome the chance to bring this experience to your team. Thank you for your time and consideration; I look forward to hearing from you.
Kind regards,
Jordan Avery
`

func BenchmarkCheck(b *testing.B) {
	text := benchText
	for len(text) < 2048 {
		text += benchText
	}
	text = text[:2048]
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	// On a shared machine ns/op (wall time) includes waiting for a core;
	// cpu-ns/op is the process's CPU time per check (garbage collection
	// included), which is what a screening run has to pay for.
	start := cpuTime()
	for b.Loop() {
		Check(text)
	}
	if used := cpuTime() - start; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func BenchmarkCheckTokens(b *testing.B) {
	toks := strings.Fields("I am software engineer and I have a knowledge of Go , an information about most of people and one of best teams in the corporate world .")
	b.ReportAllocs()
	for b.Loop() {
		CheckTokens(toks)
	}
}

func TestBenchTextFindings(t *testing.T) {
	rep := Check(benchText)
	var rules []string
	for _, sf := range rep.Flagged {
		for _, f := range sf.Findings {
			rules = append(rules, f.Rule)
		}
	}
	want := []string{RuleRole, RuleUncountable}
	if strings.Join(rules, " ") != strings.Join(want, " ") {
		t.Errorf("Check(benchText) rules = %v, want %v", rules, want)
	}
}
