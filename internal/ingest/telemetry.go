package ingest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// StoreBatch converts a batch that wire.DecodeBatch accepted from device
// deviceID, received at received from remoteIP, into the record the store
// keeps: its samples as agent-reported, its heartbeat, and its windows and
// endpoint report with the counts the dashboard lists and the whole record
// as JSON (each window's relay block also in binary form). It does not
// check the samples' landmarks.
func StoreBatch(deviceID string, b wire.Batch, received time.Time, remoteIP string) (store.Batch, error) {
	sb := store.Batch{
		DeviceID:   deviceID,
		ID:         b.BatchID,
		ReceivedAt: received,
		RemoteIP:   remoteIP,
		Samples:    make([]store.RTTSample, len(b.Samples)),
	}
	for i, x := range b.Samples {
		sb.Samples[i] = store.RTTSample{Landmark: x.Landmark, At: x.At, RTT: x.RTT(), Provenance: store.Agent}
	}
	if h := b.Heartbeat; h != nil {
		sb.Heartbeat = &store.Heartbeat{At: h.At, Hostname: h.Hostname, OS: h.OS, AgentVersion: h.AgentVersion}
	}
	var err error
	if sb.Windows, err = storeWindows(b.Windows); err == nil {
		sb.Endpoint, err = storeEndpoint(b.Endpoint)
	}
	if err != nil {
		return store.Batch{}, err
	}
	return sb, nil
}

// storeWindows converts decoded input windows into store records: the
// counts the dashboard lists, the whole window as JSON, and its relay
// block, if any, in binary form for risk evaluations.
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
		var rb []byte
		if w.Relay != nil {
			if rb, err = w.Relay.MarshalBinary(); err != nil {
				return nil, fmt.Errorf("encode relay block of window %q: %w", w.WindowID, err)
			}
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
			Relay:       rb,
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
