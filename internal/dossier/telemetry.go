package dossier

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/lagwatch/lagwatch/internal/latency"
	"github.com/lagwatch/lagwatch/internal/operator"
	"github.com/lagwatch/lagwatch/internal/report"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// provenanceSection returns one share per input window with keystrokes,
// oldest first. Past report.MaxRows the windows are summed per hour (the
// report plots days), and past that again only the newest rows are kept.
func provenanceSection(evs []deviceEvidence) []report.ProvenanceShare {
	var out []report.ProvenanceShare
	for _, e := range evs {
		for _, w := range e.windows {
			p := report.ProvenanceShare{At: w.Start, Physical: float64(w.Physical), Virtual: float64(w.Virtual), Injected: float64(w.Injected),
				Unknown: float64(max(0, w.Keys-w.Physical-w.Virtual-w.Injected))}
			if p.Physical+p.Virtual+p.Injected+p.Unknown > 0 {
				out = append(out, p)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b report.ProvenanceShare) int { return a.At.Compare(b.At) })
	if len(out) > report.MaxRows {
		out = perHour(out)
	}
	if len(out) > report.MaxRows {
		out = out[len(out)-report.MaxRows:]
	}
	return out
}

// perHour sums shares (oldest first) per UTC hour.
func perHour(ps []report.ProvenanceShare) []report.ProvenanceShare {
	var out []report.ProvenanceShare
	for _, p := range ps {
		p.At = p.At.UTC().Truncate(time.Hour)
		if n := len(out); n > 0 && out[n-1].At.Equal(p.At) {
			q := &out[n-1]
			q.Physical, q.Virtual, q.Injected, q.Unknown = q.Physical+p.Physical, q.Virtual+p.Virtual, q.Injected+p.Injected, q.Unknown+p.Unknown
			continue
		}
		out = append(out, p)
	}
	return out
}

// operatorSection returns one estimate per endpoint report with a
// remote-access session of known RTT, oldest first, at most
// report.MaxRows (the newest): the session's RTT as the added delay, and
// operator.Fuse's lower bound of the typist's distance for it.
func operatorSection(evs []deviceEvidence, band *latency.Band) ([]report.OperatorEstimate, error) {
	var out []report.OperatorEstimate
	// Fuse searches the band (about 0.4 ms a call): once per whole
	// millisecond, with the RTT rounded down, which can only lower the
	// distance.
	known := map[time.Duration]operator.Estimate{}
	for _, e := range evs {
		for _, r := range e.reports {
			s, ok := closestSession(r)
			if !ok {
				continue
			}
			added := s.MinRTT
			s.MinRTT = cmp.Or(added.Truncate(time.Millisecond), added)
			est, ok := known[s.MinRTT]
			if !ok {
				var err error
				if est, err = operator.Fuse(band, operator.Evidence{Session: &s}, 0); err != nil {
					return nil, fmt.Errorf("estimate operator distance from endpoint report %s of device %s: %w", r.BatchID, e.dev.ID, err)
				}
				known[s.MinRTT] = est
			}
			at := r.At
			if at.IsZero() {
				at = r.ReceivedAt
			}
			out = append(out, report.OperatorEstimate{At: at, AddedMs: msOf(added), AtLeastKm: est.AtLeastKm, Confidence: est.Confidence})
		}
	}
	slices.SortStableFunc(out, func(a, b report.OperatorEstimate) int { return a.At.Compare(b.At) })
	if len(out) > report.MaxRows {
		out = out[len(out)-report.MaxRows:]
	}
	return out, nil
}

// closestSession returns the remote-access session of r with the smallest
// known kernel RTT (its minimum RTT, else its smoothed RTT, as package
// ingest reads it), from the report's body, or from the stored
// MinSessionRTT when the body cannot be read. The smallest RTT is the
// conservative one: the typist may be at the nearest session's far end.
func closestSession(r store.EndpointReport) (operator.Session, bool) {
	var body wire.EndpointReport
	if len(r.Body) == 0 || json.Unmarshal(r.Body, &body) != nil {
		if r.MinSessionRTT <= 0 || r.MinSessionRTT > maxRTT {
			return operator.Session{}, false
		}
		return operator.Session{Tool: "remote-access tool", Remote: "an unknown address", MinRTT: r.MinSessionRTT}, true
	}
	var best operator.Session
	for _, t := range body.RemoteTools {
		for _, x := range t.Sessions {
			us := x.MinRTTMicros
			if us <= 0 {
				us = x.RTTMicros
			}
			if us <= 0 || us > maxRTT.Microseconds() {
				continue
			}
			if d := time.Duration(us) * time.Microsecond; best.MinRTT == 0 || d < best.MinRTT {
				best = operator.Session{Tool: t.Name, Remote: x.Remote, MinRTT: d}
			}
		}
	}
	return best, best.MinRTT > 0
}
