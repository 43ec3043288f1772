// Package riskfeed reads a store's evidence about each worker for risk
// fusion (package risk): the device-distance verdicts, endpoint reports and
// input windows of the worker's devices (their counts, and the relay
// fingerprints scored by package relay), the identity-provider findings
// stored for the worker (lagwatch idp import), and the screening of the
// applications the worker was hired from; and links each worker's devices,
// applications and identity-provider accounts to the worker.
package riskfeed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/lagwatch/lagwatch/internal/analyze"
	"github.com/lagwatch/lagwatch/internal/latency"
	"github.com/lagwatch/lagwatch/internal/presence"
	"github.com/lagwatch/lagwatch/internal/relay"
	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/screen"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// Store is what Gather reads. The SQLite and PostgreSQL stores implement it.
type Store interface {
	analyze.Store
	EndpointReports(ctx context.Context, deviceID string, since time.Time, limit int) ([]store.EndpointReport, error)
	CompactWindows(ctx context.Context, deviceID string, since, until time.Time) ([]store.InputWindow, error)
	Applicant(ctx context.Context, id string) (store.ApplicantRecord, error)
	AllWorkerLinks(ctx context.Context) ([]store.WorkerLink, error)
	IdPFindings(ctx context.Context, workerID string, since time.Time, limit int) ([]store.IdPFinding, error)
	PresenceSessions(ctx context.Context, workerID string, since time.Time, limit int) ([]presence.Session, error)
}

// MaxPresenceSessions is how many of a worker's newest presence
// challenges in the window Gather reads.
const MaxPresenceSessions = 100

// MaxIdPFindings is how many of a worker's newest identity-provider
// findings in the window Gather reads.
const MaxIdPFindings = 500

// maxRefs bounds the references of one item of evidence, as package risk's
// adapters do.
const maxRefs = 20

// Risks gathers the evidence of the last window and fuses it with cfg.
func Risks(ctx context.Context, st Store, hired map[string][]string, window time.Duration, cfg risk.Config) ([]risk.Risk, error) {
	now := time.Now()
	ev, links, err := Gather(ctx, st, hired, now.Add(-window), now, nil)
	if err != nil {
		return nil, err
	}
	return risk.Fuse(ev, links, cfg, time.Now()), nil
}

// Gather reads each worker's devices' verdicts, endpoint reports and input
// windows (scoring their relay blocks with [FromRelay]), the worker's
// identity-provider findings and presence challenges ([FromPresence]) that
// hold at or after since, and the screening of the applications the worker was hired from:
// those linked in the store (kind applicant) and those listed in hired
// (worker ID → applicant IDs), which may be nil. It links devices,
// applicants and identity-provider accounts (stored links of kind
// account) to their workers. warn, if not nil, is told about links that
// cannot count (an applicant that is not stored, a hired row for a worker
// that is not) and about stored windows whose relay block cannot be read.
func Gather(ctx context.Context, st Store, hired map[string][]string, since, now time.Time, warn func(string)) ([]risk.Evidence, *risk.Links, error) {
	if warn == nil {
		warn = func(string) {}
	}
	links := &risk.Links{}
	band, err := latency.DefaultBand()
	if err != nil {
		return nil, nil, err
	}
	an, err := analyze.New(st, analyze.Config{Band: band, Window: now.Sub(since)})
	if err != nil {
		return nil, nil, err
	}
	dvs, err := an.All(ctx)
	if err != nil {
		return nil, nil, err
	}
	var ev []risk.Evidence
	devices := map[string][]string{} // worker → devices
	for _, dv := range dvs {
		devices[dv.Worker.ID] = append(devices[dv.Worker.ID], dv.Device.ID)
		if err := links.Link(risk.Device(dv.Device.ID), risk.Worker(dv.Worker.ID)); err != nil {
			return nil, nil, err
		}
		ev = append(ev, risk.FromVerdict(dv)...)
		reps, err := st.EndpointReports(ctx, dv.Device.ID, since, 500)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range reps {
			ev = append(ev, risk.FromEndpoint(dv.Device.ID, r)...)
		}
		ws, err := st.CompactWindows(ctx, dv.Device.ID, since, now)
		if err != nil {
			return nil, nil, err
		}
		ev = append(ev, risk.FromWindows(dv.Device.ID, ws)...)
		ev = append(ev, FromRelay(dv.Device.ID, ws, warn)...)
	}

	workers, err := st.Workers(ctx)
	if err != nil {
		return nil, nil, err
	}
	stored, err := st.AllWorkerLinks(ctx)
	if err != nil {
		return nil, nil, err
	}
	applicants := map[string][]string{}
	accounts := map[string][]string{}
	for _, l := range stored {
		switch l.Kind {
		case store.LinkApplicant:
			applicants[l.WorkerID] = append(applicants[l.WorkerID], l.Ref)
		case store.LinkAccount:
			accounts[l.WorkerID] = append(accounts[l.WorkerID], l.Ref)
		}
	}
	known := map[string]bool{}
	for _, w := range workers {
		known[w.ID] = true
	}
	for _, id := range slices.Sorted(maps.Keys(hired)) {
		if !known[id] && len(hired[id]) > 0 {
			warn(fmt.Sprintf("worker %s: not stored; the applications listed for it are not counted", id))
		}
	}
	for _, w := range workers {
		subject := risk.Worker(w.ID)
		for _, login := range accounts[w.ID] {
			if err := links.Link(risk.Account(login), subject); err != nil {
				return nil, nil, fmt.Errorf("link account %s to worker %s: %w", login, w.ID, err)
			}
		}
		fs, err := st.IdPFindings(ctx, w.ID, since, MaxIdPFindings)
		if err != nil {
			return nil, nil, err
		}
		for _, f := range fs {
			ev = append(ev, FromIdP(f))
		}
		ps, err := st.PresenceSessions(ctx, w.ID, since, MaxPresenceSessions)
		if err != nil {
			return nil, nil, err
		}
		ev = append(ev, FromPresence(w.ID, devices[w.ID], ps)...)
		for _, appID := range merge(applicants[w.ID], hired[w.ID]) {
			rec, err := st.Applicant(ctx, appID)
			if errors.Is(err, store.ErrNotFound) {
				warn(fmt.Sprintf("worker %s: applicant %s is not stored; its screening is not counted", w.ID, appID))
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			var res screen.Result
			if err := json.Unmarshal(rec.Result, &res); err != nil {
				return nil, nil, fmt.Errorf("decode screening of applicant %s: %w", appID, err)
			}
			if err := links.Link(risk.Applicant(appID), subject); err != nil {
				return nil, nil, err
			}
			ev = append(ev, risk.FromScreen(appID, res, rec.ImportedAt)...)
		}
	}
	return ev, links, nil
}

// FromPresence turns a worker's presence challenges into evidence
// (risk.FromPresence), skipping enrolments: they are the baseline, not a
// test. The challenge runs on the worker's device but does not say which,
// so the evidence is about that device when the worker has exactly one
// (and shares its loop group with relay evidence) and about the worker
// otherwise.
func FromPresence(workerID string, devices []string, sessions []presence.Session) []risk.Evidence {
	subject := risk.Worker(workerID)
	if len(devices) == 1 {
		subject = risk.Device(devices[0])
	}
	var ev []risk.Evidence
	for _, s := range sessions {
		if !s.Enrol {
			ev = append(ev, risk.FromPresence(subject, s.Result, s.Finished)...)
		}
	}
	return ev
}

// FromRelay scores the relay blocks of a device's input windows, which
// must be oldest first (as the store lists them), with a relay.Detector on
// the shipped priors (relay.DefaultPriors), and turns the strongest
// verdict into relay.detected when it reaches the shipped threshold
// (relay.DefaultThreshold: 0.1 % of 100-stroke windows of local typing
// score above it), dated at the end of its last window. Windows without a
// block (agents from before it) are skipped, and so are blocks that do not
// decode or break the wire format's rules, which warn, if not nil, is told
// about.
//
// The threshold was fitted on windows of relay.RefKeys strokes, and the
// agent cuts its windows by time (a minute of typing may hold 5 strokes
// or 300), so consecutive windows are summed into units of at least
// relay.RefKeys strokes and each unit is scored with Detector.Score: a
// verdict is the strongest of the last 1 to relay.Span units summed, as
// in the calibration. Scoring each short window alone would take many
// more decisions per hour of typing than the threshold allows for. Strokes
// that do not yet fill a unit wait for the next windows. Refs name the
// windows the verdict summed ("input:<device>/<window>", the newest
// maxRefs of them); the explanation
// adds the detector's estimate of the hidden path's RTT when it has one.
func FromRelay(deviceID string, ws []store.InputWindow, warn func(string)) []risk.Evidence {
	d := relay.NewDetector(relay.DefaultPriors())
	var (
		best   relay.Verdict
		bestAt time.Time
		refs   []string
		unit   relay.Features // windows not yet scored
		ids    []string       // their IDs
		recent [][]string     // window IDs of the units scored, the last relay.Span
	)
	var block wire.RelayFeatures
	for _, w := range ws {
		rb, err := relayBlock(&block, w)
		if err != nil {
			if warn != nil {
				warn(fmt.Sprintf("device %s: window %s: relay block not read: %v", deviceID, w.WindowID, err))
			}
			continue
		}
		if rb == nil {
			continue
		}
		if err := wire.CheckRelayFeatures(rb, w.Keys); err != nil {
			if warn != nil {
				warn(fmt.Sprintf("device %s: window %s: relay block not used: %v", deviceID, w.WindowID, err))
			}
			continue
		}
		f := rb.Features()
		unit.Add(&f)
		ids = append(ids, w.WindowID)
		if unit.Keys < relay.RefKeys {
			continue
		}
		if len(recent) == relay.Span {
			recent = recent[1:]
		}
		recent = append(recent, ids)
		v := d.Score(unit)
		unit, ids = relay.Features{}, nil
		if bestAt.IsZero() || v.Score > best.Score {
			best, bestAt = v, w.End
			refs = refs[:0]
			for _, u := range recent[len(recent)-v.Windows:] {
				for _, id := range u {
					refs = append(refs, "input:"+deviceID+"/"+id)
				}
			}
			refs = refs[max(len(refs)-maxRefs, 0):]
		}
	}
	ev := risk.FromRelay(deviceID, best, relay.DefaultThreshold(), bestAt)
	for i := range ev {
		ev[i].Refs = slices.Clone(refs)
		if e := d.EstimateRTT(); e.Basis != "" {
			ev[i].Explanation += "; hidden path RTT estimate " + e.String()
		}
	}
	return ev
}

// relayBlock returns the relay block of w: decoded from w.Relay into
// block, whose slices it reuses, or, for windows stored before the store
// kept that column, from the JSON body. It returns nil when w has none.
func relayBlock(block *wire.RelayFeatures, w store.InputWindow) (*wire.RelayFeatures, error) {
	if len(w.Relay) > 0 {
		if err := block.UnmarshalBinary(w.Relay); err != nil {
			return nil, err
		}
		return block, nil
	}
	var body struct {
		Relay *wire.RelayFeatures `json:"relay"`
	}
	if err := json.Unmarshal(w.Body, &body); err != nil {
		return nil, err
	}
	return body.Relay, nil
}

// FromIdP turns a stored identity-provider finding into evidence about its
// worker: detector f.Kind with LR 0, so that fusion uses the configured
// weight of the detector and a change of the risk configuration re-weighs
// stored findings (the LR the analysis gave, f.LR, stays in the store for
// the record); provenance imported; dated at f.At. The findings of one
// kind about one worker are one independence group, so that findings from
// overlapping logs imported one after another count once. Refs name the
// finding ("idp-finding:<id>") and the provider's records ("idp:<record
// id>").
func FromIdP(f store.IdPFinding) risk.Evidence {
	refs := make([]string, 0, min(len(f.Refs)+1, maxRefs))
	if f.ID != "" {
		refs = append(refs, "idp-finding:"+f.ID)
	}
	for _, r := range f.Refs {
		if len(refs) == maxRefs {
			break
		}
		refs = append(refs, "idp:"+r)
	}
	return risk.Evidence{
		Subject:     risk.Worker(f.WorkerID),
		Detector:    f.Kind,
		Provenance:  risk.Imported,
		Explanation: f.Explanation,
		At:          f.At,
		Refs:        refs,
		Independent: "idp:" + f.WorkerID + ":" + f.Kind,
	}
}

// merge returns the IDs of a, then those of b not in a, each once.
func merge(a, b []string) []string {
	var out []string
	for _, id := range append(slices.Clip(a), b...) {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
