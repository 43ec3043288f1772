package applicantgen

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/hiring"
	"github.com/lagwatch/lagwatch/internal/link"
)

func mustGenerate(t testing.TB, cfg Config) Corpus {
	t.Helper()
	c, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func linkCorpus(t testing.TB, c Corpus, o link.Options) *link.Graph {
	t.Helper()
	x, err := link.NewIndex(o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range c.Applicants {
		x.Add(&c.Applicants[i])
	}
	for _, w := range c.Workers {
		x.AddWorker(w.ID, w.ShippingAddress)
	}
	return x.Build()
}

func TestGenerateDeterministic(t *testing.T) {
	a := mustGenerate(t, Config{N: 3000, Seed: 5})
	b := mustGenerate(t, Config{N: 3000, Seed: 5})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two corpora from the same seed differ")
	}
	c := mustGenerate(t, Config{N: 3000, Seed: 6})
	if reflect.DeepEqual(a.Applicants, c.Applicants) {
		t.Fatal("seeds 5 and 6 give the same applicants")
	}
}

func TestGenerateValid(t *testing.T) {
	c := mustGenerate(t, Config{N: 10_000, Seed: 3})
	if len(c.Applicants) != 10_000 || len(c.Ring) != 10_000 || len(c.Workers) != 200 {
		t.Fatalf("%d applicants, %d truths, %d workers", len(c.Applicants), len(c.Ring), len(c.Workers))
	}
	ids := map[string]bool{}
	for i := range c.Applicants {
		a := &c.Applicants[i]
		if err := a.Validate(); err != nil {
			t.Fatalf("applicant %s: %v", a.ID, err)
		}
		if ids[a.ID] {
			t.Fatalf("duplicate ID %s", a.ID)
		}
		ids[a.ID] = true
		for _, p := range a.Phones {
			if _, ok := link.Phone(p, "US"); !ok && !slices.Contains(placeholderPhones, p) {
				t.Errorf("%s: phone %q is neither valid nor a planted placeholder", a.ID, p)
			}
		}
		for _, e := range a.Emails {
			if _, ok := link.Email(e); !ok && !slices.Contains(placeholderEmails, e) {
				t.Errorf("%s: e-mail %q is neither valid nor a planted placeholder", a.ID, e)
			}
		}
	}
	personas := 0
	for r, members := range c.Rings {
		if len(members) < 2 || len(members) > DefaultMaxRingSize {
			t.Errorf("ring %d has %d members", r, len(members))
		}
		for _, i := range members {
			if c.Ring[i] != r {
				t.Errorf("applicant %d listed in ring %d but labelled %d", i, r, c.Ring[i])
			}
		}
		personas += len(members)
	}
	if personas != 300 {
		t.Errorf("%d personas, want 3%% of 10,000", personas)
	}
	if h := c.Honest; h.Households == 0 || h.Complexes == 0 || h.Agencies == 0 || h.Placeholders == 0 ||
		h.DefaultAvatars == 0 || h.VPNUsers == 0 {
		t.Errorf("honest coincidences missing: %+v", h)
	}
}

// TestRingsAreTied checks the generator's promise: every persona shares at
// least one strong identifier with another member of its ring, so a ring
// linked on its own, with no limits on common values, is one component.
func TestRingsAreTied(t *testing.T) {
	c := mustGenerate(t, Config{N: 20_000, Seed: 9})
	for r, members := range c.Rings {
		sub := Corpus{Config: c.Config}
		for _, i := range members {
			sub.Applicants = append(sub.Applicants, c.Applicants[i])
		}
		g := linkCorpus(t, sub, link.Options{DirectLimit: 1000, CommonLimit: 1000})
		rings := g.Rings()
		if len(rings) != 1 || len(rings[0].Members) != len(members) {
			var sizes []int
			for _, x := range rings {
				sizes = append(sizes, len(x.Members))
			}
			t.Errorf("ring %d (%d personas) links into pieces %v", r, len(members), sizes)
		}
	}
}

// TestEvaluateDefinitions checks every figure on a hand-made corpus.
func TestEvaluateDefinitions(t *testing.T) {
	c := Corpus{
		Config: Config{Seed: 1},
		Applicants: []hiring.Applicant{
			{ID: "p0", Phones: []string{"602-555-0134"}},
			{ID: "p1", Phones: []string{"(602) 555 0134"}},
			{ID: "p2", Emails: []string{"ring2@gmail.com"}},
			{ID: "p3", Emails: []string{"ring.2@gmail.com"}, ShippingAddress: "1 Elm St, Troy, NY 12180"},
			{ID: "h4", ShippingAddress: "1 Elm Street, Troy, NY 12180"}, // joins ring 1: a false link
			{ID: "h5", ShippingAddress: "9 Oak Rd, Austin, TX 78701"},
			{ID: "h6", ShippingAddress: "9 Oak Road, Austin, TX 78701"}, // honest household: a false link
			{ID: "p7", Links: []string{"github.com/lonely"}},            // ring 2, never linked
			{ID: "p8", Links: []string{"github.com/other"}},
		},
		Ring:  []int{0, 0, 1, 1, -1, -1, -1, 2, 2},
		Rings: [][]int{{0, 1}, {2, 3}, {7, 8}},
	}
	r := Evaluate(c, linkCorpus(t, c, link.Options{}))
	want := Result{
		Seed: 1, N: 9, PlantedRings: 3, Personas: 6,
		FoundRings: 3, HonestRings: 1, HonestInRings: 3, MixedRings: 1,
		RecoveredExact: 1, RecallExact: 1.0 / 3, Recovered90: 2, Recall90: 2.0 / 3,
		UnrelatedPairs: 36 - 3, Edges: 4, FalseEdges: 2, FalseEdgeRate: 2.0 / 33, FalseEdgeShare: 0.5,
		RingPairs: 1 + 3 + 1, FalseRingPairs: 2 + 1, FalseRingPairRate: 3.0 / 33, FalseRingPairShare: 3.0 / 5,
		FalseEdgesByKinds: map[string]int{"address": 2},
		Missed: []Miss{
			{Ring: 1, Size: 2, Pieces: 1, Largest: 2, Outsiders: 1},
			{Ring: 2, Size: 2, Pieces: 2, Largest: 1, Outsiders: 0},
		},
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("Evaluate =\n%+v\nwant\n%+v", r, want)
	}
}

// TestEvaluate20k is the bar on a corpus of 20,000 applicants (seed 2, a
// reporting seed): at least 99% of planted rings recovered exactly, at most
// 0.1% false links among unrelated pairs, and (a stricter check of our
// own) at most 3% of found links false.
func TestEvaluate20k(t *testing.T) {
	c := mustGenerate(t, Config{N: 20_000, Seed: 2})
	r := Evaluate(c, linkCorpus(t, c, link.Options{}))
	t.Logf("recall %.4f (%d/%d), ≥90%% %.4f; false edges %d/%d; false same-ring pairs %d/%d",
		r.RecallExact, r.RecoveredExact, r.PlantedRings, r.Recall90, r.FalseEdges, r.Edges, r.FalseRingPairs, r.RingPairs)
	if r.RecallExact < MinRecall {
		t.Errorf("exact ring recall %.4f < %.2f; missed %+v", r.RecallExact, MinRecall, r.Missed)
	}
	if r.FalseEdgeRate > MaxFalseLinkRate || r.FalseRingPairRate > MaxFalseLinkRate {
		t.Errorf("false-link rates %.2e (edges), %.2e (same-ring pairs) > %.0e", r.FalseEdgeRate, r.FalseRingPairRate, MaxFalseLinkRate)
	}
	if r.FalseEdgeShare > 0.03 {
		t.Errorf("%.2f%% of found links are false, want ≤ 3%%: %v", 100*r.FalseEdgeShare, r.FalseEdgesByKinds)
	}
	if !r.Pass {
		t.Error("Pass = false")
	}
}

// TestEvaluateCanFail shows the bar fails when linking does: nothing
// linked, or everyone glued together.
func TestEvaluateCanFail(t *testing.T) {
	c := mustGenerate(t, Config{N: 2000, Seed: 4})
	bare := Corpus{Config: c.Config, Ring: c.Ring, Rings: c.Rings}
	glued := Corpus{Config: c.Config, Ring: c.Ring, Rings: c.Rings}
	for _, a := range c.Applicants {
		bare.Applicants = append(bare.Applicants, hiring.Applicant{ID: a.ID})
		glued.Applicants = append(glued.Applicants, hiring.Applicant{ID: a.ID, ShippingAddress: "1 Elm St, Troy, NY 12180"})
	}
	if r := Evaluate(c, linkCorpus(t, bare, link.Options{})); r.Pass || r.RecallExact != 0 || r.Edges != 0 {
		t.Errorf("nothing linked: recall %.3f, %d edges, pass %v", r.RecallExact, r.Edges, r.Pass)
	}
	r := Evaluate(c, linkCorpus(t, glued, link.Options{DirectLimit: 5000, CommonLimit: 5000}))
	if r.Pass || r.FalseRingPairRate < 0.9 || r.FoundRings != 1 {
		t.Errorf("all glued: %d rings, false same-ring pair rate %.3f, pass %v", r.FoundRings, r.FalseRingPairRate, r.Pass)
	}
}

func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := Run(t.Context(), Config{N: 3000, Seed: 3}, &buf, false); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"ring recall, exact", "false edges", "false same-ring pairs", "time", "memory"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, buf.String())
		}
	}
	buf.Reset()
	if err := Run(t.Context(), Config{N: 3000, Seed: 3}, &buf, true); err != nil {
		t.Fatal(err)
	}
	var r Result
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
		t.Fatalf("decode JSON: %v", err)
	}
	if r.N != 3000 || r.Seed != 3 || r.Timings.Link <= 0 || r.PlantedRings == 0 {
		t.Errorf("JSON result %+v", r)
	}
}

func TestConfigRejected(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{N: 5}, "n 5"},
		{Config{N: MaxN + 1}, "n "},
		{Config{RingShare: 0.9}, "ring share"},
		{Config{MaxRingSize: 1}, "max ring size"},
		{Config{Link: link.Options{DirectLimit: 1}}, "direct limit"},
	}
	for _, tt := range tests {
		err := Run(t.Context(), tt.cfg, &bytes.Buffer{}, false)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Run(%+v) error = %v, want one about %q", tt.cfg, err, tt.want)
		}
	}
}
