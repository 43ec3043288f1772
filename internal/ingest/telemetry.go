package ingest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// storeWindows converts decoded input windows into store records: the
// counts the dashboard lists, and the whole window as JSON.
func storeWindows(ws []wire.InputWindow) ([]store.InputWindow, error) {
	if len(ws) == 0 {
		return nil, nil
	}
	out := make([]store.InputWindow, len(ws))
	for i, w := range ws {
		body, err := json.Marshal(w)
		if err != nil {
			return nil, fmt.Errorf("encode window %q: %w", w.WindowID, err)
		}
		out[i] = store.InputWindow{
			WindowID:    w.WindowID,
			Start:       w.Start,
			End:         w.End,
			Source:      w.Source,
			Keys:        w.Keys,
			Physical:    w.ByProvenance[keystroke.ProvPhysical.String()],
			Virtual:     w.ByProvenance[keystroke.ProvVirtual.String()],
			Injected:    w.ByProvenance[keystroke.ProvInjected.String()],
			FastPairs:   w.FastPairs,
			Bursts:      w.Bursts,
			StallBursts: w.StallBursts,
			Body:        body,
		}
	}
	return out, nil
}

// storeEndpoint converts a decoded endpoint report into a store record:
// the counts the dashboard lists, and the whole report as JSON.
func storeEndpoint(e *wire.EndpointReport) (*store.EndpointReport, error) {
	if e == nil {
		return nil, nil
	}
	body, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode endpoint report: %w", err)
	}
	r := &store.EndpointReport{At: e.At, RemoteTools: len(e.RemoteTools), Body: body}
	for _, t := range e.RemoteTools {
		r.RemoteSessions += len(t.Sessions)
		for _, x := range t.Sessions {
			if rtt := sessionRTT(x); rtt > 0 && (r.MinSessionRTT == 0 || rtt < r.MinSessionRTT) {
				r.MinSessionRTT = rtt
			}
		}
	}
	for _, u := range e.USB {
		if u.Match != nil {
			r.HardwareMatches++
		}
	}
	for _, d := range e.Displays {
		if d.Match != nil {
			r.HardwareMatches++
		}
	}
	return r, nil
}

// sessionRTT returns the best RTT the kernel knows for a session: its
// minimum, else its smoothed RTT; 0 when neither is known.
func sessionRTT(x wire.RemoteSession) time.Duration {
	us := x.MinRTTMicros
	if us == 0 {
		us = x.RTTMicros
	}
	return time.Duration(us) * time.Microsecond
}
