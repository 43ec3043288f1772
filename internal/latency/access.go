package latency

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Access is a last-mile access type: the link between a device and its
// provider's network, which adds latency of its own to every round trip.
// The figures are the base (minimum, idle) RTT the access link adds, which is
// what a windowed minimum RTT contains — not the typical loaded latency of
// speed tests. Each is a log-normal truncated at a ceiling;
// docs/rtt-model.md gives the figures and their grounds.
type Access struct {
	Name    string  // identifier used in configuration, e.g. "cable"
	Label   string  // words for explanations, e.g. "a cable modem"
	FloorMs float64 // the least this access can add, physics or protocol
	Dist    Dist    // distribution of the RTT the access adds, in ms
}

// UnknownAccess is the name of the access type used when a worker has not
// declared one: a mix of the common terrestrial types and LEO satellite.
const UnknownAccess = "unknown"

// accessTypes are the documented access types; see docs/rtt-model.md.
var accessTypes = []Access{
	// name, label, floor, median, p95 (before truncation), ceiling.
	{Name: "fibre", Label: "fibre to the home", FloorMs: 0.5, Dist: logNormal(0.5, 3, 7, 12, 101)},
	{Name: "cable", Label: "a cable (DOCSIS) modem", FloorMs: 3, Dist: logNormal(3, 11, 22, 35, 101)},
	{Name: "dsl", Label: "DSL", FloorMs: 6, Dist: logNormal(6, 18, 35, 50, 101)},
	{Name: "mobile", Label: "a mobile or fixed-wireless (4G/5G) link", FloorMs: 12, Dist: logNormal(12, 30, 50, 70, 101)},
	// Starlink-class LEO: satellites at ~550 km, plus ground segment and scheduling.
	{Name: "satellite-leo", Label: "a low-earth-orbit satellite link", FloorMs: 18, Dist: logNormal(18, 30, 45, 60, 101)},
	// Geostationary: up and down twice through 35,786 km is 477 ms at c.
	{Name: "satellite-geo", Label: "a geostationary satellite link", FloorMs: 477, Dist: logNormal(477, 600, 680, 800, 101)},
}

// unknownMix is the share of each access type assumed for a worker who has
// not declared one. Geostationary satellite is excluded: it must be declared.
var unknownMix = []struct {
	name  string
	share float64
}{
	{"fibre", 0.30}, {"cable", 0.45}, {"dsl", 0.08}, {"mobile", 0.12}, {"satellite-leo", 0.05},
}

// AccessNames returns the names ParseAccess accepts, in a stable order.
func AccessNames() []string {
	names := []string{UnknownAccess}
	for _, a := range accessTypes {
		names = append(names, a.Name)
	}
	return names
}

// ParseAccess returns the access type named s ("" means unknown). It accepts
// the names listed by AccessNames, case-insensitively.
func ParseAccess(s string) (Access, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || s == UnknownAccess {
		return unknownAccess(), nil
	}
	for _, a := range accessTypes {
		if a.Name == s {
			return a, nil
		}
	}
	return Access{}, fmt.Errorf("access type %q: want one of %s", s, strings.Join(AccessNames(), ", "))
}

// unknownAccess returns the mixture of unknownMix as one access type.
func unknownAccess() Access {
	var xs []float64
	floor := 1e9
	for _, m := range unknownMix {
		a, _ := ParseAccess(m.name)
		floor = min(floor, a.FloorMs)
		reps := midpoints(a.Dist)
		k := int(m.share * 1000)
		for i := range k {
			xs = append(xs, reps[i*len(reps)/k])
		}
	}
	return Access{Name: UnknownAccess, Label: "an undeclared access link", FloorMs: floor, Dist: quantilesOf(xs, 101)}
}

// Draw returns a random access latency in ms from a's distribution.
func (a Access) Draw(r *rand.Rand) float64 {
	return a.Dist.Quantile(r.Float64())
}

// DrawMix returns the name and a random latency of an access type drawn from
// the documented mix for undeclared workers. The evaluation lab uses it to
// give simulated devices a last mile.
func DrawMix(r *rand.Rand) (string, float64) {
	u := r.Float64()
	acc := 0.0
	for _, m := range unknownMix {
		acc += m.share
		if u < acc {
			a, _ := ParseAccess(m.name)
			return a.Name, a.Draw(r)
		}
	}
	a, _ := ParseAccess(unknownMix[len(unknownMix)-1].name)
	return a.Name, a.Draw(r)
}

// MixShares returns the documented mix for undeclared workers as name → share.
func MixShares() map[string]float64 {
	out := make(map[string]float64, len(unknownMix))
	for _, m := range unknownMix {
		out[m.name] = m.share
	}
	return out
}

// sortedCopy is a helper for tests and fitting.
func sortedCopy(xs []float64) []float64 {
	ys := slices.Clone(xs)
	slices.Sort(ys)
	return ys
}
