// Package store persists what lagwatch knows: workers and their claimed work
// locations, enrolled devices with their credentials and public keys,
// landmarks, telemetry batches and what they carry: the RTT samples that
// verdicts are computed from, input windows (keyboard timing aggregates)
// and endpoint reports (remote-access tools, USB devices, displays); and
// for applicant screening, the applicants with their screening results, the
// rings linking found among them, and reviewers' decisions. Both stores
// also keep the presence challenge's finished sessions and implement
// presence.Store with them, so that enrolment baselines survive a restart.
//
// The types here are the records; [Store] is the concrete SQLite store (the
// default, one file under a data directory). Package store/postgres provides
// the same methods on PostgreSQL, and store/storetest is the conformance suite
// both must pass. Callers declare the small interface they need where they use
// it (see internal/ingest) rather than depending on a large one here.
//
// Every write is transactional: a call either stores all of its records or
// none of them. Secrets are never stored, only their SHA-256 hashes.
package store

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"time"
)

// Sentinel errors callers branch on.
var (
	// ErrNotFound is returned when the requested record does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrTokenInvalid is returned by Enrol when the enrolment token is
	// unknown, already used, or expired.
	ErrTokenInvalid = errors.New("store: enrolment token invalid, used or expired")
	// ErrConflict is returned when a record would violate a uniqueness rule
	// other than batch idempotency (for example a duplicate device ID).
	ErrConflict = errors.New("store: conflict")
)

// Provenance says who measured an RTT sample. Server measurements are trusted;
// agent reports are signed but weaker evidence.
type Provenance string

// Provenances of RTT samples, strongest first.
const (
	// ServerTCP is the kernel's TCP RTT of the agent's connection, read by
	// the server (TCP_INFO). Not affected by application scheduling.
	ServerTCP Provenance = "server-tcp"
	// ServerApp is an application ping/pong timed by the server.
	ServerApp Provenance = "server-app"
	// Agent is an RTT the agent measured and reported.
	Agent Provenance = "agent"
)

// Valid reports whether p is one of the known provenances.
func (p Provenance) Valid() bool {
	return p == ServerTCP || p == ServerApp || p == Agent
}

// Worker is a person whose work location lagwatch checks.
type Worker struct {
	ID              string    // stable identifier chosen by the operator, e.g. "w-1042"
	Name            string    // display name
	ClaimedLocation string    // the claimed work location as entered
	Lat, Lon        float64   // the claimed location resolved to coordinates
	Access          string    // declared last-mile access type (latency.Access names); "" when unknown
	CreatedAt       time.Time // set by the store on first insert
}

// Landmark is a server at a known place that measures RTT to devices.
type Landmark struct {
	Name     string    // short name, e.g. "us-west"
	Location string    // place as entered, e.g. "Los Angeles, CA, US"
	Lat, Lon float64   // resolved coordinates
	SeenAt   time.Time // last time the landmark registered itself
}

// Device is an enrolled endpoint running lagwatch-agent.
type Device struct {
	ID           string    // assigned at enrolment
	WorkerID     string    // the worker the device was issued to
	Hostname     string    // as reported by the agent
	OS           string    // as reported by the agent, e.g. "linux/amd64"
	AgentVersion string    // as reported by the agent
	EnrolledAt   time.Time // when enrolment completed
	LastSeen     time.Time // last batch or heartbeat received (zero if none)
	LastIP       string    // source IP the server saw on the last batch ("" if none)
	// PublicKey is the Ed25519 key the agent sent at enrolment; batches of
	// the device must be signed with it. Nil for devices enrolled without
	// one (agents from before signing), whose batches are not signed.
	PublicKey ed25519.PublicKey
}

// RTTSample is one round-trip measurement between a device and a landmark.
type RTTSample struct {
	DeviceID   string
	Landmark   string
	At         time.Time     // when the measurement was taken
	RTT        time.Duration // the measured round-trip time
	Provenance Provenance
}

// Heartbeat is the agent's periodic status report.
type Heartbeat struct {
	At           time.Time
	Hostname     string
	OS           string
	AgentVersion string
}

// Batch is one telemetry upload from a device. (DeviceID, ID) is unique: a
// retried batch is stored once. Its samples, windows and endpoint report
// are stored together or not at all.
type Batch struct {
	DeviceID   string
	ID         string    // chosen by the agent, unique per device
	ReceivedAt time.Time // set by the server
	RemoteIP   string    // source IP the server saw
	Samples    []RTTSample
	Heartbeat  *Heartbeat      // optional
	Windows    []InputWindow   // optional; see InputWindow for duplicates
	Endpoint   *EndpointReport // optional
}

// InputWindow is one window of keyboard-timing aggregates that a device
// sent (wire.InputWindow): the numbers the dashboard lists, plus the whole
// window as JSON. (DeviceID, WindowID) is unique: a window sent again, in
// the same batch, a retried batch or a new one, is stored once, as first
// received.
type InputWindow struct {
	DeviceID   string    // in a Batch, "" means the batch's device
	WindowID   string    // chosen by the agent, unique per device
	BatchID    string    // the batch that delivered it; SaveBatch sets it
	ReceivedAt time.Time // when that batch arrived; SaveBatch sets it
	Start, End time.Time // the window's bounds, device clock; End after Start
	Source     string    // the agent's input reader, e.g. "evdev", "x11"

	Keys                        int // key strokes
	Physical, Virtual, Injected int // strokes by provenance (the rest are "unknown")
	FastPairs                   int // presses closer together than fingers type
	Bursts                      int // runs of fast presses
	StallBursts                 int // bursts right after a pause

	// Body is the whole window as the agent sent it, a JSON object
	// (decode it with encoding/json into a wire.InputWindow). CompactWindows
	// leaves it nil when Relay is set.
	Body json.RawMessage

	// Relay is the window's relay block again, in the compact binary form
	// of wire.RelayFeatures (UnmarshalBinary), at most MaxRelayBytes; nil
	// when the window has none, or was stored before the store kept it
	// (then only Body holds it). A risk evaluation reads every window of a
	// week, and decoding this is about fifty times cheaper than Body.
	Relay []byte
}

// MaxRelayBytes is the largest InputWindow.Relay a store keeps.
const MaxRelayBytes = 1024

// EndpointReport is what an agent saw on its device at one moment
// (wire.EndpointReport): counts for listing, plus the whole report as
// JSON. A batch carries at most one, so (DeviceID, BatchID) is unique.
type EndpointReport struct {
	DeviceID   string    // in a Batch, "" means the batch's device
	BatchID    string    // the batch that delivered it; SaveBatch sets it
	ReceivedAt time.Time // when that batch arrived; SaveBatch sets it
	At         time.Time // when the agent took it

	RemoteTools     int           // remote-access tools running
	RemoteSessions  int           // their established TCP sessions
	MinSessionRTT   time.Duration // smallest RTT known among those sessions; 0 when none is known
	HardwareMatches int           // USB devices and displays that match a known IP-KVM or capture device

	// Body is the whole report as the agent sent it, a JSON object
	// (decode it with encoding/json into a wire.EndpointReport).
	Body json.RawMessage
}

// LandmarkRTT summarises the samples of one device to one landmark with one
// provenance over a window: the minimum removes queueing delay.
type LandmarkRTT struct {
	Landmark    string
	Provenance  Provenance
	Min         time.Duration // smallest RTT in the window
	Count       int           // number of samples
	First, Last time.Time     // the window actually covered by the samples
}
