package idp

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/geo"
)

// Finding kinds.
const (
	KindOffHours         = "idp.off-hours"
	KindSharedEgress     = "idp.shared-egress"
	KindImpossibleTravel = "idp.impossible-travel"
	KindHostingIP        = "idp.hosting-ip"
)

// maxEvidence caps the record IDs cited by one finding.
const maxEvidence = 50

// Worker is a worker whose sign-ins are analysed.
type Worker struct {
	ID       string         // lagwatch worker ID
	Logins   []string       // the worker's identities in the logs (matched ignoring case)
	TZ       *time.Location // time zone of the claimed work location; nil when unknown
	Claimed  geo.Point      // claimed work location, when HasClaim
	HasClaim bool           // Claimed is set
}

// Config sets the thresholds and likelihood ratios of [Analyze]. A zero
// field takes its value from [DefaultConfig].
type Config struct {
	// MinSignIns is the fewest successful sign-ins before working hours
	// are judged.
	MinSignIns int
	// NightShare flags a worker when more than this share of successful
	// sign-ins fall between 00:00 and 06:00 in the claimed time zone.
	NightShare float64
	// MaxDayShare and MinOffsetGap flag a worker whose sign-ins fit a
	// working day (08:00–18:00) at a UTC offset at least MinOffsetGap
	// from the claimed zone's, when no more than MaxDayShare of them fall
	// in 08:00–18:00 of the claimed zone.
	MaxDayShare  float64
	MinOffsetGap time.Duration
	// OffHoursLR is the likelihood ratio of an off-hours finding.
	OffHoursLR float64

	// SharedEgressWorkers is how many distinct workers must sign in from
	// one IP address (IPv6: one /64) within SharedEgressWindow.
	SharedEgressWorkers int
	SharedEgressWindow  time.Duration
	// SharedEgressLR is the likelihood ratio of a shared-egress finding.
	SharedEgressLR float64

	// MaxSpeedKmh and MinTravelKm: consecutive located sign-ins more than
	// MinTravelKm apart that imply a speed above MaxSpeedKmh are
	// impossible travel.
	MaxSpeedKmh float64
	MinTravelKm float64
	// ImpossibleTravelLR is the likelihood ratio of an impossible-travel
	// finding.
	ImpossibleTravelLR float64
	// Locate geolocates an address for sign-ins whose log carries no
	// location; nil uses only the locations in the log.
	Locate func(netip.Addr) (geo.Point, bool)

	// HostingRanges are hosting, cloud and VPN address ranges.
	HostingRanges []netip.Prefix
	// HostingLR is the likelihood ratio of a hosting-ip finding.
	HostingLR float64
}

// DefaultConfig returns the default thresholds and likelihood ratios; the
// reasons for each are in docs/idp-signals.md.
func DefaultConfig() Config {
	return Config{
		MinSignIns:          10,
		NightShare:          0.25,
		MaxDayShare:         0.6,
		MinOffsetGap:        5 * time.Hour,
		OffHoursLR:          3,
		SharedEgressWorkers: 3,
		SharedEgressWindow:  7 * 24 * time.Hour,
		SharedEgressLR:      8,
		MaxSpeedKmh:         1000,
		MinTravelKm:         500,
		ImpossibleTravelLR:  4,
		HostingLR:           2,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	set := func(v *float64, def float64) {
		if *v <= 0 || math.IsNaN(*v) {
			*v = def
		}
	}
	if c.MinSignIns <= 0 {
		c.MinSignIns = d.MinSignIns
	}
	set(&c.NightShare, d.NightShare)
	set(&c.MaxDayShare, d.MaxDayShare)
	if c.MinOffsetGap <= 0 {
		c.MinOffsetGap = d.MinOffsetGap
	}
	set(&c.OffHoursLR, d.OffHoursLR)
	if c.SharedEgressWorkers <= 1 {
		c.SharedEgressWorkers = d.SharedEgressWorkers
	}
	if c.SharedEgressWindow <= 0 {
		c.SharedEgressWindow = d.SharedEgressWindow
	}
	set(&c.SharedEgressLR, d.SharedEgressLR)
	set(&c.MaxSpeedKmh, d.MaxSpeedKmh)
	set(&c.MinTravelKm, d.MinTravelKm)
	set(&c.ImpossibleTravelLR, d.ImpossibleTravelLR)
	set(&c.HostingLR, d.HostingLR)
	return c
}

// Finding is one piece of evidence about a worker from the sign-in logs.
// It is evidence for a reviewer, not a verdict.
type Finding struct {
	WorkerID    string
	Kind        string    // one of the Kind constants
	LR          float64   // likelihood ratio from Config
	Explanation string    // one sentence with the numbers
	Evidence    []string  // RecordIDs of the sign-ins cited (at most 50)
	First, Last time.Time // time span of the cited sign-ins
}

// Analyze derives findings from sign-ins for the workers whose logins
// appear in them. Only successful sign-ins count. Findings are ordered by
// worker ID, then kind, then time. Sign-ins of users that match no worker
// are ignored; [Unmatched] counts them.
func Analyze(signIns []SignIn, workers []Worker, cfg Config) []Finding {
	cfg = cfg.withDefaults()
	byWorker := groupByWorker(signIns, workers)
	var out []Finding
	for i := range workers {
		w := &workers[i]
		ss := byWorker[i]
		if f, ok := offHours(w, ss, cfg); ok {
			out = append(out, f)
		}
		if f, ok := impossibleTravel(w, ss, cfg); ok {
			out = append(out, f)
		}
		if f, ok := hostingIP(w, ss, cfg); ok {
			out = append(out, f)
		}
	}
	out = append(out, sharedEgress(byWorker, workers, cfg)...)
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.WorkerID, b.WorkerID), cmp.Compare(a.Kind, b.Kind), a.First.Compare(b.First))
	})
	return out
}

// Unmatched counts the users in signIns that match no worker's logins, and
// their sign-ins.
func Unmatched(signIns []SignIn, workers []Worker) (users, signInCount int) {
	known := loginIndex(workers)
	seen := map[string]bool{}
	for _, s := range signIns {
		u := normLogin(s.User)
		if _, ok := known[u]; ok {
			continue
		}
		signInCount++
		if !seen[u] {
			seen[u] = true
			users++
		}
	}
	return users, signInCount
}

// normLogin is the form logins are matched in.
func normLogin(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// loginIndex maps each normalised login to its worker's index; a login
// claimed by two workers goes to the first.
func loginIndex(workers []Worker) map[string]int {
	idx := map[string]int{}
	for i, w := range workers {
		for _, l := range w.Logins {
			if l = normLogin(l); l != "" {
				if _, dup := idx[l]; !dup {
					idx[l] = i
				}
			}
		}
	}
	return idx
}

// groupByWorker returns each worker's successful sign-ins sorted by time.
func groupByWorker(signIns []SignIn, workers []Worker) [][]*SignIn {
	idx := loginIndex(workers)
	out := make([][]*SignIn, len(workers))
	for i := range signIns {
		s := &signIns[i]
		if !s.Success || s.At.IsZero() {
			continue
		}
		if w, ok := idx[normLogin(s.User)]; ok {
			out[w] = append(out[w], s)
		}
	}
	for _, ss := range out {
		slices.SortStableFunc(ss, func(a, b *SignIn) int { return a.At.Compare(b.At) })
	}
	return out
}

// evidence lists the record IDs of ss, at most maxEvidence, and their span.
func evidence(ss []*SignIn) (ids []string, first, last time.Time) {
	for i, s := range ss {
		if i < maxEvidence {
			ids = append(ids, s.RecordID)
		}
		if first.IsZero() || s.At.Before(first) {
			first = s.At
		}
		if s.At.After(last) {
			last = s.At
		}
	}
	return ids, first, last
}

// offHours judges the worker's sign-in hours against the claimed zone.
func offHours(w *Worker, ss []*SignIn, cfg Config) (Finding, bool) {
	if w.TZ == nil || len(ss) < cfg.MinSignIns {
		return Finding{}, false
	}
	night, day := 0, 0
	offsets := make([]int, 0, len(ss))
	for _, s := range ss {
		lt := s.At.In(w.TZ)
		h := lt.Hour()
		if h < 6 {
			night++
		}
		if h >= 8 && h < 18 {
			day++
		}
		_, off := lt.Zone()
		offsets = append(offsets, off)
	}
	n := float64(len(ss))
	nightShare, dayShare := float64(night)/n, float64(day)/n
	slices.Sort(offsets)
	claimedOff := time.Duration(offsets[len(offsets)/2]) * time.Second
	bestOff, bestShare := BestFitOffset(ss)
	gap := (bestOff - claimedOff).Abs()
	if gap > 12*time.Hour {
		gap = 24*time.Hour - gap
	}
	byNight := nightShare > cfg.NightShare
	byFit := dayShare <= cfg.MaxDayShare && gap >= cfg.MinOffsetGap && bestShare > dayShare
	if !byNight && !byFit {
		return Finding{}, false
	}
	ids, first, last := evidence(ss)
	return Finding{
		WorkerID: w.ID,
		Kind:     KindOffHours,
		LR:       cfg.OffHoursLR,
		Explanation: fmt.Sprintf("%d of %d successful sign-ins (%.0f%%) fall between 00:00 and 06:00 in the claimed time zone %s and %.0f%% within 08:00–18:00 there; they fit a working day at %s (%.0f%% within 08:00–18:00).",
			night, len(ss), 100*nightShare, w.TZ, 100*dayShare, FormatOffset(bestOff), 100*bestShare),
		Evidence: ids,
		First:    first,
		Last:     last,
	}, true
}

// BestFitOffset returns the whole-hour UTC offset, from −11 h to +14 h, at
// which the sign-ins best fit an 08:00–18:00 working day, and the share of
// them within 08:00–18:00 at that offset. It takes the offsets that put the
// most sign-ins within those hours and, among them, the one that best
// centres the day on the shortest span of the UTC day that holds all the
// sign-ins, so that a span that fits at several offsets is not pinned to
// the window's edge.
func BestFitOffset(ss []*SignIn) (time.Duration, float64) {
	if len(ss) == 0 {
		return 0, 0
	}
	const day = 24 * 60
	mins := make([]int, len(ss))
	for i, s := range ss {
		u := s.At.UTC()
		mins[i] = u.Hour()*60 + u.Minute()
	}
	slices.Sort(mins)
	n := len(mins)
	k := n
	bestLen, bestStart := math.MaxInt, 0
	for i := range n {
		j := i + k - 1
		end := mins[j%n]
		if j >= n {
			end += day
		}
		if l := end - mins[i]; l < bestLen {
			bestLen, bestStart = l, mins[i]
		}
	}
	centre := bestStart + bestLen/2 // minutes after 00:00 UTC
	var hist [24]int
	for _, m := range mins {
		hist[m/60]++
	}
	best, bestIn, bestDist := 0, -1, math.MaxInt
	for off := -11; off <= 14; off++ {
		in := 0
		for h, c := range hist {
			if lh := ((h+off)%24 + 24) % 24; lh >= 8 && lh < 18 {
				in += c
			}
		}
		// Distance between the local 13:00 and the span's centre, around
		// the clock.
		d := ((centre+off*60-13*60)%day + day) % day
		d = min(d, day-d)
		if in > bestIn || in == bestIn && d < bestDist {
			best, bestIn, bestDist = off, in, d
		}
	}
	return time.Duration(best) * time.Hour, float64(bestIn) / float64(n)
}

// FormatOffset formats a UTC offset as "UTC+9", "UTC-5", "UTC+5:30".
func FormatOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 {
		return fmt.Sprintf("UTC%s%d", sign, h)
	}
	return fmt.Sprintf("UTC%s%d:%02d", sign, h, m)
}

// egressKey is the address sign-ins are grouped by: the IPv4 address, or
// the IPv6 /64.
func egressKey(a netip.Addr) (netip.Prefix, bool) {
	if !a.IsValid() || !a.IsGlobalUnicast() || a.IsPrivate() {
		return netip.Prefix{}, false
	}
	if a.Is4() {
		return netip.PrefixFrom(a, 32), true
	}
	p, err := a.Prefix(64)
	return p, err == nil
}

// sharedEgress finds addresses used by several workers within the window.
func sharedEgress(byWorker [][]*SignIn, workers []Worker, cfg Config) []Finding {
	type use struct {
		w int
		s *SignIn
	}
	byIP := map[netip.Prefix][]use{}
	for w, ss := range byWorker {
		for _, s := range ss {
			if k, ok := egressKey(s.IP); ok {
				byIP[k] = append(byIP[k], use{w, s})
			}
		}
	}
	keys := make([]netip.Prefix, 0, len(byIP))
	for k := range byIP {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b netip.Prefix) int { return a.Addr().Compare(b.Addr()) })
	var out []Finding
	for _, k := range keys {
		uses := byIP[k]
		slices.SortStableFunc(uses, func(a, b use) int { return a.s.At.Compare(b.s.At) })
		// Sliding window: mark every use inside a window with enough workers.
		inWin := map[int]int{}
		flagged := make([]bool, len(uses))
		lo := 0
		for hi, u := range uses {
			inWin[u.w]++
			for uses[hi].s.At.Sub(uses[lo].s.At) > cfg.SharedEgressWindow {
				if inWin[uses[lo].w]--; inWin[uses[lo].w] == 0 {
					delete(inWin, uses[lo].w)
				}
				lo++
			}
			if len(inWin) >= cfg.SharedEgressWorkers {
				for i := lo; i <= hi; i++ {
					flagged[i] = true
				}
			}
		}
		perWorker := map[int][]*SignIn{}
		for i, u := range uses {
			if flagged[i] {
				perWorker[u.w] = append(perWorker[u.w], u.s)
			}
		}
		if len(perWorker) < cfg.SharedEgressWorkers {
			continue
		}
		ids := make([]string, 0, len(perWorker))
		for w := range perWorker {
			ids = append(ids, workers[w].ID)
		}
		slices.Sort(ids)
		where := k.Addr().String()
		if k.Addr().Is6() {
			where = k.String()
		}
		for w, ss := range perWorker {
			others := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == workers[w].ID })
			ev, first, last := evidence(ss)
			out = append(out, Finding{
				WorkerID: workers[w].ID,
				Kind:     KindSharedEgress,
				LR:       cfg.SharedEgressLR,
				Explanation: fmt.Sprintf("%d workers signed in from %s within %s of each other: this worker %d times between %s and %s, and also %s.",
					len(ids), where, fmtWindow(cfg.SharedEgressWindow), len(ss), first.Format(time.DateOnly), last.Format(time.DateOnly), strings.Join(others, ", ")),
				Evidence: ev,
				First:    first,
				Last:     last,
			})
		}
	}
	return out
}

// fmtWindow formats a window in days or hours.
func fmtWindow(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		if days := int(d / (24 * time.Hour)); days != 1 {
			return fmt.Sprintf("%d days", days)
		}
		return "1 day"
	}
	return d.String()
}

// located is a sign-in with its location.
type located struct {
	s *SignIn
	p geo.Point
}

// locate returns the sign-in's location from the log, else from Locate.
func locate(s *SignIn, cfg Config) (geo.Point, bool) {
	if s.HasPoint {
		p := geo.Point{Lat: s.Lat, Lon: s.Lon}
		return p, p.Valid()
	}
	if cfg.Locate != nil && s.IP.IsValid() {
		if p, ok := cfg.Locate(s.IP); ok && p.Valid() {
			return p, true
		}
	}
	return geo.Point{}, false
}

// impossibleTravel finds consecutive located sign-ins too far apart for
// the time between them.
func impossibleTravel(w *Worker, ss []*SignIn, cfg Config) (Finding, bool) {
	var prev *located
	var hops int
	var worst struct {
		a, b     located
		km, kmh  float64
		infinite bool
	}
	var cited []*SignIn
	for _, s := range ss {
		p, ok := locate(s, cfg)
		if !ok {
			continue
		}
		cur := located{s, p}
		if prev != nil {
			km := geo.Distance(prev.p, cur.p)
			hours := cur.s.At.Sub(prev.s.At).Hours()
			if km > cfg.MinTravelKm && (hours <= 0 || km/hours > cfg.MaxSpeedKmh) {
				hops++
				if len(cited) == 0 || cited[len(cited)-1] != prev.s {
					cited = append(cited, prev.s)
				}
				cited = append(cited, cur.s)
				inf := hours <= 0
				kmh := math.Inf(1)
				if !inf {
					kmh = km / hours
				}
				if hops == 1 || kmh > worst.kmh {
					worst.a, worst.b, worst.km, worst.kmh, worst.infinite = *prev, cur, km, kmh, inf
				}
			}
		}
		prev = &cur
	}
	if hops == 0 {
		return Finding{}, false
	}
	speed := fmt.Sprintf("%.0f km/h", worst.kmh)
	if worst.infinite {
		speed = "no time at all"
	}
	ids, first, last := evidence(cited)
	return Finding{
		WorkerID: w.ID,
		Kind:     KindImpossibleTravel,
		LR:       cfg.ImpossibleTravelLR,
		Explanation: fmt.Sprintf("sign-ins from %s at %s and %s at %s are %.0f km apart in %s, %s, above the %.0f km/h limit (%d such hop(s) in all).",
			placeOf(worst.a), worst.a.s.At.Format(time.RFC3339), placeOf(worst.b), worst.b.s.At.Format(time.RFC3339),
			worst.km, worst.b.s.At.Sub(worst.a.s.At).Round(time.Minute), speed, cfg.MaxSpeedKmh, hops),
		Evidence: ids,
		First:    first,
		Last:     last,
	}, true
}

// placeOf names a located sign-in's place for an explanation.
func placeOf(l located) string {
	name := strings.Trim(l.s.City+", "+l.s.Country, ", ")
	if name == "" {
		name = l.p.String()
	}
	if !l.s.IP.IsValid() {
		return name
	}
	return fmt.Sprintf("%s (%s)", l.s.IP, name)
}

// hostingIP finds sign-ins from the configured hosting and VPN ranges.
func hostingIP(w *Worker, ss []*SignIn, cfg Config) (Finding, bool) {
	if len(cfg.HostingRanges) == 0 {
		return Finding{}, false
	}
	var hits []*SignIn
	matched := map[netip.Addr]netip.Prefix{}
	var order []netip.Addr
	for _, s := range ss {
		if !s.IP.IsValid() {
			continue
		}
		if p, ok := matched[s.IP]; ok {
			if p.IsValid() {
				hits = append(hits, s)
			}
			continue
		}
		var hit netip.Prefix
		for _, p := range cfg.HostingRanges {
			if p.Contains(s.IP) {
				hit = p
				break
			}
		}
		matched[s.IP] = hit
		if hit.IsValid() {
			hits = append(hits, s)
			order = append(order, s.IP)
		}
	}
	if len(hits) == 0 {
		return Finding{}, false
	}
	var list []string
	for i, a := range order {
		if i == 5 {
			list = append(list, fmt.Sprintf("and %d more", len(order)-5))
			break
		}
		list = append(list, fmt.Sprintf("%s (in %s)", a, matched[a]))
	}
	ids, first, last := evidence(hits)
	return Finding{
		WorkerID:    w.ID,
		Kind:        KindHostingIP,
		LR:          cfg.HostingLR,
		Explanation: fmt.Sprintf("%d of %d successful sign-ins came from hosting or VPN ranges: %s.", len(hits), len(ss), strings.Join(list, ", ")),
		Evidence:    ids,
		First:       first,
		Last:        last,
	}, true
}
