package applicantgen

import (
	"slices"
	"strings"

	"github.com/lagwatch/lagwatch/internal/link"
)

// The bar a linking run must meet.
const (
	MinRecall        = 0.99  // planted rings recovered exactly
	MaxFalseLinkRate = 0.001 // false links per unrelated pair, for edges and for same-ring pairs
)

// Result is the evaluation of one linking run against a corpus's ground
// truth. docs/lab-rings.md defines every figure.
type Result struct {
	Seed         uint64        `json:"seed"`
	N            int           `json:"n"`
	Workers      int           `json:"workers"`
	Personas     int           `json:"personas"`
	PlantedRings int           `json:"planted_rings"`
	Honest       HonestSharing `json:"honest_sharing"`

	FoundRings int `json:"found_rings"`
	// HonestRings are found rings with no persona in them.
	HonestRings int `json:"honest_rings"`
	// HonestInRings counts honest applicants placed in any found ring.
	HonestInRings int `json:"honest_in_rings"`
	// MixedRings are found rings holding personas of a planted ring
	// together with anyone outside it.
	MixedRings int `json:"mixed_rings"`

	// RecoveredExact counts planted rings found exactly: all members in
	// one found ring, and no one else in it. RecallExact is its share of
	// PlantedRings (1 when nothing was planted).
	RecoveredExact int     `json:"recovered_exact"`
	RecallExact    float64 `json:"recall_exact"`
	// Recovered90 counts planted rings with at least 90% of their members
	// in one found ring (outsiders allowed).
	Recovered90 int     `json:"recovered_90"`
	Recall90    float64 `json:"recall_90"`

	// UnrelatedPairs is the number of applicant pairs not in the same
	// planted ring: C(N,2) minus the planted rings' pairs.
	UnrelatedPairs int64 `json:"unrelated_pairs"`
	// Edges are the links found between applicants (link.Graph.Edges,
	// applicant–worker links left out); FalseEdges join applicants not in
	// the same planted ring.
	Edges      int `json:"edges"`
	FalseEdges int `json:"false_edges"`
	// FalseEdgeRate is FalseEdges / UnrelatedPairs; FalseEdgeShare is
	// FalseEdges / Edges.
	FalseEdgeRate  float64 `json:"false_edge_rate"`
	FalseEdgeShare float64 `json:"false_edge_share"`
	// RingPairs are the applicant pairs placed in the same found ring;
	// FalseRingPairs are those not in the same planted ring.
	RingPairs      int64 `json:"ring_pairs"`
	FalseRingPairs int64 `json:"false_ring_pairs"`
	// FalseRingPairRate is FalseRingPairs / UnrelatedPairs;
	// FalseRingPairShare is FalseRingPairs / RingPairs.
	FalseRingPairRate  float64 `json:"false_ring_pair_rate"`
	FalseRingPairShare float64 `json:"false_ring_pair_share"`
	// FalseEdgesByKinds counts false edges by the kinds that made them
	// ("address", "address+ip").
	FalseEdgesByKinds map[string]int `json:"false_edges_by_kinds"`
	// Missed describes up to 20 planted rings not recovered exactly.
	Missed []Miss `json:"missed,omitempty"`

	// Pass reports whether the run meets the bar: RecallExact ≥
	// MinRecall and both false-link rates ≤ MaxFalseLinkRate.
	Pass bool `json:"pass"`

	Timings Timings `json:"timings"`
}

// Miss is a planted ring that was not recovered exactly.
type Miss struct {
	Ring      int `json:"ring"`      // index into Corpus.Rings
	Size      int `json:"size"`      // planted members
	Pieces    int `json:"pieces"`    // found rings and lone applicants its members ended up in
	Largest   int `json:"largest"`   // most members in one piece
	Outsiders int `json:"outsiders"` // others in the found rings holding its members
}

// Evaluate compares a linking run with the corpus's ground truth.
func Evaluate(c Corpus, g *link.Graph) Result {
	n := len(c.Applicants)
	res := Result{
		Seed: c.Config.Seed, N: n, Workers: len(c.Workers), PlantedRings: len(c.Rings), Honest: c.Honest,
		FalseEdgesByKinds: map[string]int{},
	}
	idx := make(map[string]int, n)
	for i, a := range c.Applicants {
		idx[a.ID] = i
	}
	// found[i] is the found ring of applicant i, or -1.
	found := make([]int, n)
	for i := range found {
		found[i] = -1
	}
	rings := g.Rings()
	res.FoundRings = len(rings)
	for fi, r := range rings {
		counts := map[int]int64{}
		personas := 0
		for _, id := range r.Members {
			i, ok := idx[id]
			if !ok {
				continue
			}
			found[i] = fi
			if c.Ring[i] >= 0 {
				counts[c.Ring[i]]++
				personas++
			} else {
				res.HonestInRings++
			}
		}
		m := int64(len(r.Members))
		res.RingPairs += m * (m - 1) / 2
		same := int64(0)
		for _, k := range counts {
			same += k * (k - 1) / 2
		}
		res.FalseRingPairs += m*(m-1)/2 - same
		switch {
		case personas == 0:
			res.HonestRings++
		case len(counts) > 1 || int64(personas) < m:
			res.MixedRings++
		}
	}
	for ri, members := range c.Rings {
		res.Personas += len(members)
		pieces := map[int]int{}
		lone := 0
		for _, i := range members {
			if found[i] < 0 {
				lone++
			} else {
				pieces[found[i]]++
			}
		}
		largest := min(1, lone)
		for _, k := range pieces {
			largest = max(largest, k)
		}
		exact := lone == 0 && len(pieces) == 1 && len(rings[found[members[0]]].Members) == len(members)
		if exact {
			res.RecoveredExact++
		}
		if float64(largest) >= 0.9*float64(len(members)) {
			res.Recovered90++
		}
		if !exact && len(res.Missed) < 20 {
			outsiders := 0
			for f := range pieces {
				outsiders += len(rings[f].Members) - pieces[f]
			}
			res.Missed = append(res.Missed, Miss{Ring: ri, Size: len(members), Pieces: len(pieces) + lone,
				Largest: largest, Outsiders: outsiders})
		}
	}
	total := int64(n) * int64(n-1) / 2
	res.UnrelatedPairs = total
	for _, members := range c.Rings {
		k := int64(len(members))
		res.UnrelatedPairs -= k * (k - 1) / 2
	}
	for _, e := range g.Edges() {
		a, okA := idx[e.A]
		b, okB := idx[e.B]
		if !okA || !okB {
			continue // a worker
		}
		res.Edges++
		if c.Ring[a] < 0 || c.Ring[a] != c.Ring[b] {
			res.FalseEdges++
			res.FalseEdgesByKinds[strings.Join(e.Kinds, "+")]++
		}
	}
	res.RecallExact, res.Recall90 = 1, 1 // vacuously, without planted rings
	if len(c.Rings) > 0 {
		res.RecallExact = float64(res.RecoveredExact) / float64(len(c.Rings))
		res.Recall90 = float64(res.Recovered90) / float64(len(c.Rings))
	}
	if res.UnrelatedPairs > 0 {
		res.FalseEdgeRate = float64(res.FalseEdges) / float64(res.UnrelatedPairs)
		res.FalseRingPairRate = float64(res.FalseRingPairs) / float64(res.UnrelatedPairs)
	}
	if res.Edges > 0 {
		res.FalseEdgeShare = float64(res.FalseEdges) / float64(res.Edges)
	}
	if res.RingPairs > 0 {
		res.FalseRingPairShare = float64(res.FalseRingPairs) / float64(res.RingPairs)
	}
	res.Pass = res.RecallExact >= MinRecall && res.FalseEdgeRate <= MaxFalseLinkRate &&
		res.FalseRingPairRate <= MaxFalseLinkRate
	slices.SortStableFunc(res.Missed, func(a, b Miss) int { return b.Size - a.Size })
	return res
}
