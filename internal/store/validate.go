package store

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The Validate methods below are what both stores check before they write
// anything, so that SQLite and PostgreSQL accept exactly the same records.
// Callers such as ingest may call them first to reject bad input early.
// Each error names the offending field.

// Validate reports whether w can be stored: ID must be set, text fields must
// be valid UTF-8 without NUL bytes, and Lat/Lon must be coordinates.
func (w Worker) Validate() error {
	return errors.Join(
		required("ID", w.ID),
		text("Name", w.Name),
		text("ClaimedLocation", w.ClaimedLocation),
		text("Access", w.Access),
		latLon(w.Lat, w.Lon),
	)
}

// Validate reports whether l can be stored: Name must be set, text fields
// must be valid UTF-8 without NUL bytes, and Lat/Lon must be coordinates.
func (l Landmark) Validate() error {
	return errors.Join(
		required("Name", l.Name),
		text("Location", l.Location),
		latLon(l.Lat, l.Lon),
	)
}

// Validate reports whether d can be enrolled: ID must be set, the text
// fields the agent reports must be valid UTF-8 without NUL bytes, and
// PublicKey must be empty or an Ed25519 public key (32 bytes). WorkerID and
// the times are set by the store and not checked.
func (d Device) Validate() error {
	var keyErr error
	if n := len(d.PublicKey); n != 0 && n != ed25519.PublicKeySize {
		keyErr = fmt.Errorf("PublicKey is %d bytes, want %d or none", n, ed25519.PublicKeySize)
	}
	return errors.Join(
		required("ID", d.ID),
		text("Hostname", d.Hostname),
		text("OS", d.OS),
		text("AgentVersion", d.AgentVersion),
		text("LastIP", d.LastIP),
		keyErr,
	)
}

// Validate reports whether w can be stored: WindowID must be set, Start and
// End must be set with End after Start, Source must be text, the counts
// must not be negative, Body must be a JSON object in valid UTF-8 and
// Relay at most [MaxRelayBytes] long. DeviceID, BatchID and ReceivedAt are
// checked by [Batch.Validate].
func (w InputWindow) Validate() error {
	errs := []error{required("WindowID", w.WindowID), text("Source", w.Source)}
	switch {
	case w.Start.IsZero() || w.End.IsZero():
		errs = append(errs, errors.New("Start or End is zero"))
	case !w.End.After(w.Start):
		errs = append(errs, fmt.Errorf("End %v is not after Start %v", w.End, w.Start))
	}
	for _, c := range []struct {
		name string
		v    int
	}{
		{"Keys", w.Keys}, {"Physical", w.Physical}, {"Virtual", w.Virtual}, {"Injected", w.Injected},
		{"FastPairs", w.FastPairs}, {"Bursts", w.Bursts}, {"StallBursts", w.StallBursts},
	} {
		errs = append(errs, notNegative(c.name, c.v))
	}
	errs = append(errs, jsonObject("Body", w.Body))
	if len(w.Relay) > MaxRelayBytes {
		errs = append(errs, fmt.Errorf("Relay is %d bytes, more than %d", len(w.Relay), MaxRelayBytes))
	}
	return errors.Join(errs...)
}

// Validate reports whether r can be stored: At must be set, the counts and
// MinSessionRTT must not be negative and Body must be a JSON object in
// valid UTF-8. DeviceID, BatchID and ReceivedAt are checked by
// [Batch.Validate].
func (r EndpointReport) Validate() error {
	var errs []error
	if r.At.IsZero() {
		errs = append(errs, errors.New("At is zero"))
	}
	if r.MinSessionRTT < 0 {
		errs = append(errs, fmt.Errorf("MinSessionRTT %v is negative", r.MinSessionRTT))
	}
	errs = append(errs,
		notNegative("RemoteTools", r.RemoteTools),
		notNegative("RemoteSessions", r.RemoteSessions),
		notNegative("HardwareMatches", r.HardwareMatches),
		jsonObject("Body", r.Body))
	return errors.Join(errs...)
}

// Validate reports whether s can be stored: DeviceID and Landmark must be
// set, At must not be zero, RTT must not be negative and Provenance must be
// one of the known provenances.
func (s RTTSample) Validate() error {
	var errs []error
	errs = append(errs, required("DeviceID", s.DeviceID), required("Landmark", s.Landmark))
	if s.At.IsZero() {
		errs = append(errs, errors.New("At is zero"))
	}
	if s.RTT < 0 {
		errs = append(errs, fmt.Errorf("RTT %v is negative", s.RTT))
	}
	if !s.Provenance.Valid() {
		errs = append(errs, fmt.Errorf("Provenance %q is not one of %q, %q, %q", s.Provenance, ServerTCP, ServerApp, Agent))
	}
	return errors.Join(errs...)
}

// Validate reports whether b can be stored: DeviceID, ID and ReceivedAt must
// be set, every sample, window and the endpoint report must be valid and
// belong to DeviceID (an empty DeviceID in them means b.DeviceID), and the
// heartbeat's text fields must be valid UTF-8 without NUL bytes. The
// BatchID and ReceivedAt of windows and the report are not checked:
// SaveBatch sets them from b.
func (b Batch) Validate() error {
	var errs []error
	errs = append(errs, required("DeviceID", b.DeviceID), required("ID", b.ID), text("RemoteIP", b.RemoteIP))
	if b.ReceivedAt.IsZero() {
		errs = append(errs, errors.New("ReceivedAt is zero"))
	}
	if h := b.Heartbeat; h != nil {
		errs = append(errs,
			text("Heartbeat.Hostname", h.Hostname),
			text("Heartbeat.OS", h.OS),
			text("Heartbeat.AgentVersion", h.AgentVersion))
	}
	for i, s := range b.Samples {
		if s.DeviceID == "" {
			s.DeviceID = b.DeviceID
		} else if s.DeviceID != b.DeviceID {
			errs = append(errs, fmt.Errorf("Samples[%d].DeviceID %q is not the batch's device %q", i, s.DeviceID, b.DeviceID))
			continue
		}
		if err := s.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("Samples[%d]: %w", i, err))
		}
	}
	for i, w := range b.Windows {
		if w.DeviceID != "" && w.DeviceID != b.DeviceID {
			errs = append(errs, fmt.Errorf("Windows[%d].DeviceID %q is not the batch's device %q", i, w.DeviceID, b.DeviceID))
			continue
		}
		if err := w.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("Windows[%d]: %w", i, err))
		}
	}
	if r := b.Endpoint; r != nil {
		if r.DeviceID != "" && r.DeviceID != b.DeviceID {
			errs = append(errs, fmt.Errorf("Endpoint.DeviceID %q is not the batch's device %q", r.DeviceID, b.DeviceID))
		} else if err := r.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("Endpoint: %w", err))
		}
	}
	return errors.Join(errs...)
}

// UniqueWindows returns the windows with distinct WindowIDs, keeping the
// first of each, in order; it returns ws itself when there are no
// duplicates. Stores use it so that the first copy wins within a batch as
// it does across batches.
func UniqueWindows(ws []InputWindow) []InputWindow {
	if len(ws) < 2 {
		return ws
	}
	seen := make(map[string]bool, len(ws))
	out := ws[:0:0]
	dup := false
	for _, w := range ws {
		if seen[w.WindowID] {
			dup = true
			continue
		}
		seen[w.WindowID] = true
		out = append(out, w)
	}
	if !dup {
		return ws
	}
	return out
}

// required checks a key field: set, and text as for [text].
func required(field, v string) error {
	if v == "" {
		return fmt.Errorf("%s is empty", field)
	}
	return text(field, v)
}

// text checks that v can be stored unchanged by both stores: PostgreSQL
// rejects invalid UTF-8 and NUL bytes in text columns.
func text(field, v string) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("%s %q is not valid UTF-8", field, v)
	}
	if strings.IndexByte(v, 0) >= 0 {
		return fmt.Errorf("%s %q contains a NUL byte", field, v)
	}
	return nil
}

// notNegative checks a count.
func notNegative(field string, v int) error {
	if v < 0 {
		return fmt.Errorf("%s %d is negative", field, v)
	}
	return nil
}

// jsonObject checks that v is one JSON object that both stores keep
// unchanged: valid UTF-8 without NUL bytes (PostgreSQL's json type is text).
// The error does not quote v, which may be large.
func jsonObject(field string, v json.RawMessage) error {
	t := bytes.TrimSpace(v)
	switch {
	case len(t) == 0 || t[0] != '{' || !json.Valid(v):
		return fmt.Errorf("%s is not a JSON object", field)
	case !utf8.Valid(v) || bytes.IndexByte(v, 0) >= 0:
		return fmt.Errorf("%s is not valid UTF-8 without NUL bytes", field)
	}
	return nil
}

// latLon checks coordinates in degrees; NaN fails both comparisons.
func latLon(lat, lon float64) error {
	var errs []error
	if !(lat >= -90 && lat <= 90) {
		errs = append(errs, fmt.Errorf("Lat %v is outside [-90, 90]", lat))
	}
	if !(lon >= -180 && lon <= 180) {
		errs = append(errs, fmt.Errorf("Lon %v is outside [-180, 180]", lon))
	}
	return errors.Join(errs...)
}
