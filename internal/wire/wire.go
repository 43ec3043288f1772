package wire

import (
	"fmt"
	"log/slog"
	"time"
)

// Version is the wire format version this package speaks. Messages that
// carry a version field must carry exactly this number.
const Version = 1

// Limits enforced by the decoders. String lengths are in bytes of UTF-8.
const (
	// MaxHostnameLen is the longest hostname, the DNS limit.
	MaxHostnameLen = 253
	// MaxOSLen is the longest operating system description.
	MaxOSLen = 64
	// MaxAgentVersionLen is the longest agent version string.
	MaxAgentVersionLen = 64
	// MaxSecretLen is the longest enrolment token or device credential.
	MaxSecretLen = 128
	// MaxIDLen is the longest batch ID, device ID or probe nonce.
	MaxIDLen = 64
	// MaxLandmarkLen is the longest landmark name.
	MaxLandmarkLen = 64
	// MaxLocationLen is the longest landmark location description.
	MaxLocationLen = 256
	// MaxSamples is the most samples in one batch.
	MaxSamples = 1000
	// MinRTTMicros and MaxRTTMicros bound every round-trip time, in
	// microseconds: 1 µs to 60 s.
	MinRTTMicros = 1
	MaxRTTMicros = 60_000_000
	// MaxPast and MaxFuture bound every timestamp relative to the
	// receiver's clock: at most 7 days old and at most 5 minutes ahead.
	MaxPast   = 7 * 24 * time.Hour
	MaxFuture = 5 * time.Minute
	// MaxCodeLen, MaxFieldLen and MaxMessageLen bound the parts of an
	// [ErrorBody].
	MaxCodeLen    = 64
	MaxFieldLen   = 256
	MaxMessageLen = 1024
)

// Paths of the ingest API, relative to a landmark server's base URL.
const (
	PathEnrol   = "/api/v1/enrol"   // POST EnrolRequest -> EnrolResponse
	PathBatches = "/api/v1/batches" // POST Batch -> BatchResponse
	PathProbe   = "/api/v1/probe"   // GET -> ProbeChallenge; POST PathProbe+"/"+nonce -> ProbeResult
	PathHealthz = "/api/v1/healthz" // GET -> Health
)

// ContentType is the media type of every request and response body.
const ContentType = "application/json"

// EnrolRequest asks a landmark server to enrol the device: the body of
// POST /api/v1/enrol. Token is the single-use enrolment token an operator
// issued for the worker; it is a secret.
type EnrolRequest struct {
	Version      int    `json:"version"`       // must be Version
	Token        string `json:"token"`         // secret, 1 to MaxSecretLen printable ASCII
	Hostname     string `json:"hostname"`      // text, 1 to MaxHostnameLen bytes
	OS           string `json:"os"`            // text, 1 to MaxOSLen bytes, e.g. "linux/amd64"
	AgentVersion string `json:"agent_version"` // text, 1 to MaxAgentVersionLen bytes
	// PublicKey is the device's Ed25519 public key, base64 (standard, with
	// padding), 32 bytes decoded. When present, every batch the device
	// sends must carry a SignatureHeader that verifies with it.
	PublicKey string `json:"public_key,omitempty"`
}

// String returns r with the token redacted.
func (r EnrolRequest) String() string {
	return fmt.Sprintf("{version:%d token:%s hostname:%q os:%q agent_version:%q}",
		r.Version, redact(r.Token), r.Hostname, r.OS, r.AgentVersion)
}

// LogValue returns r for log/slog with the token redacted.
func (r EnrolRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("version", r.Version),
		slog.String("token", redact(r.Token)),
		slog.String("hostname", r.Hostname),
		slog.String("os", r.OS),
		slog.String("agent_version", r.AgentVersion))
}

// EnrolResponse is the server's answer to a successful enrolment. The
// agent keeps DeviceID and Credential; Credential is a secret that
// authenticates every later request (Authorization: Bearer <credential>).
// Landmark describes the server that enrolled the device.
type EnrolResponse struct {
	Version    int      `json:"version"`    // must be Version
	DeviceID   string   `json:"device_id"`  // identifier: 1 to MaxIDLen of [A-Za-z0-9_-]
	Credential string   `json:"credential"` // secret, 1 to MaxSecretLen printable ASCII
	Landmark   Landmark `json:"landmark"`   // the enrolling server's landmark
}

// String returns r with the credential redacted.
func (r EnrolResponse) String() string {
	return fmt.Sprintf("{version:%d device_id:%q credential:%s landmark:%+v}",
		r.Version, r.DeviceID, redact(r.Credential), r.Landmark)
}

// LogValue returns r for log/slog with the credential redacted.
func (r EnrolResponse) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("version", r.Version),
		slog.String("device_id", r.DeviceID),
		slog.String("credential", redact(r.Credential)),
		slog.String("landmark", r.Landmark.Name))
}

// redact stands in for a secret in logs and error messages.
func redact(secret string) string {
	if secret == "" {
		return `""`
	}
	return "[redacted]"
}

// Landmark is a server at a known place.
type Landmark struct {
	Name     string  `json:"name"`     // short name, e.g. "us-west"
	Location string  `json:"location"` // place as entered, e.g. "Los Angeles, CA, US"
	Lat      float64 `json:"lat"`      // degrees north, -90 to 90
	Lon      float64 `json:"lon"`      // degrees east, -180 to 180
}

// Batch is one telemetry upload from an agent: the body of POST
// /api/v1/batches. BatchID is chosen by the agent and reused when the
// upload is retried, so the server stores a batch once. Samples are RTTs
// the agent measured to landmarks.
type Batch struct {
	Version   int             `json:"version"`             // must be Version
	BatchID   string          `json:"batch_id"`            // identifier: 1 to MaxIDLen of [A-Za-z0-9_-]
	Samples   []Sample        `json:"samples"`             // 0 to MaxSamples
	Heartbeat *Heartbeat      `json:"heartbeat,omitempty"` // optional
	Windows   []InputWindow   `json:"windows,omitempty"`   // 0 to MaxWindows
	Endpoint  *EndpointReport `json:"endpoint,omitempty"`  // optional
}

// Sample is one round-trip time the agent measured to a landmark.
type Sample struct {
	Landmark  string    `json:"landmark"` // the landmark's name, 1 to MaxLandmarkLen bytes
	At        time.Time `json:"at"`       // when it was measured, UTC, within [now-MaxPast, now+MaxFuture]
	RTTMicros int64     `json:"rtt_us"`   // round-trip time in µs, MinRTTMicros to MaxRTTMicros
}

// RTT returns the sample's round-trip time as a duration.
func (s Sample) RTT() time.Duration { return time.Duration(s.RTTMicros) * time.Microsecond }

// Heartbeat is the agent's status, sent with a batch.
type Heartbeat struct {
	At           time.Time `json:"at"`            // when the agent built it, UTC, within the time window
	Hostname     string    `json:"hostname"`      // text, 1 to MaxHostnameLen bytes
	OS           string    `json:"os"`            // text, 1 to MaxOSLen bytes
	AgentVersion string    `json:"agent_version"` // text, 1 to MaxAgentVersionLen bytes
}

// BatchResponse is the answer to a batch the server accepted. Stored is
// true if this request stored it; Duplicate is true if the device had
// already sent a batch with the same ID, in which case nothing new was
// stored. Exactly one of them is true.
type BatchResponse struct {
	Stored    bool `json:"stored"`    // this request stored the batch
	Duplicate bool `json:"duplicate"` // the batch was stored before
}

// ProbeChallenge is the answer to GET /api/v1/probe: the agent answers at
// once with POST /api/v1/probe/{nonce}, and the server times the round
// trip. Landmark names the server's landmark, so the agent can label the
// RTT it measures itself.
type ProbeChallenge struct {
	Nonce    string `json:"nonce"`    // identifier: 1 to MaxIDLen of [A-Za-z0-9_-]
	Landmark string `json:"landmark"` // the server's landmark name, 1 to MaxLandmarkLen bytes
}

// ProbeResult is the answer to POST /api/v1/probe/{nonce}: the RTT the
// server measured from sending the challenge to receiving the answer.
type ProbeResult struct {
	RTTMicros int64 `json:"rtt_us"` // MinRTTMicros to MaxRTTMicros
}

// RTT returns the result's round-trip time as a duration.
func (r ProbeResult) RTT() time.Duration { return time.Duration(r.RTTMicros) * time.Microsecond }

// Health is the answer to GET /api/v1/healthz: Status is "ok" (HTTP 200)
// or "draining" (HTTP 503) while the server shuts down.
type Health struct {
	Status string `json:"status"` // "ok" or "draining"
}

// ErrorBody is the body of every error response (HTTP 4xx and 5xx).
type ErrorBody struct {
	Error ErrorDetail `json:"error"` // what went wrong
}

// ErrorDetail says what went wrong. Code is stable and meant for programs
// (one of the Code constants); Field, when set, is the JSON path of the
// offending field; Message is for people and may change.
type ErrorDetail struct {
	Code    Code   `json:"code"`            // 1 to MaxCodeLen of [a-z0-9_]
	Field   string `json:"field,omitempty"` // JSON path, at most MaxFieldLen bytes
	Message string `json:"message"`         // at most MaxMessageLen bytes
}

// Code is a stable, machine-readable error code.
type Code string

// Error codes and the HTTP status they come with.
const (
	CodeInvalidJSON          Code = "invalid_json"           // 400: the body is not one JSON object
	CodeInvalidField         Code = "invalid_field"          // 400: a field is missing, unknown, of the wrong type or out of its limits
	CodeUnsupportedVersion   Code = "unsupported_version"    // 400: version is not 1
	CodeUnknownLandmark      Code = "unknown_landmark"       // 400: a sample names a landmark the server does not know
	CodeUnauthorized         Code = "unauthorized"           // 401: missing or invalid credential or enrolment token
	CodeNotFound             Code = "not_found"              // 404: no such route, or an unknown, expired or used probe nonce
	CodeMethodNotAllowed     Code = "method_not_allowed"     // 405
	CodeTooLarge             Code = "too_large"              // 413: the body exceeds the server's limit
	CodeUnsupportedMediaType Code = "unsupported_media_type" // 415: Content-Type is not application/json
	CodeTooManyRequests      Code = "too_many_requests"      // 429: too many open probes
	CodeInternal             Code = "internal"               // 500: the server failed; details are in its log only
	CodeUnavailable          Code = "unavailable"            // 503: try again later
)
