package store

import (
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

// Validate reports whether d can be enrolled: ID must be set and the text
// fields the agent reports must be valid UTF-8 without NUL bytes. WorkerID
// and the times are set by the store and not checked.
func (d Device) Validate() error {
	return errors.Join(
		required("ID", d.ID),
		text("Hostname", d.Hostname),
		text("OS", d.OS),
		text("AgentVersion", d.AgentVersion),
		text("LastIP", d.LastIP),
	)
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
// be set, every sample must be valid and belong to DeviceID (an empty
// sample DeviceID means b.DeviceID), and the heartbeat's text fields must be
// valid UTF-8 without NUL bytes.
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
	return errors.Join(errs...)
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
