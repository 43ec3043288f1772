package wire

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// FieldError says why a message was rejected. Field is the JSON path of the
// offending field, such as "samples[3].rtt_us", or "" when the message as a
// whole is wrong (for example not JSON). Reason names the rule or limit
// broken, such as "must be between 1 and 60000000". Code is the API error
// code: [CodeInvalidJSON], [CodeInvalidField] or [CodeUnsupportedVersion].
// Reasons never quote the offending value, so they are safe to return to
// clients and to log even when the field is a secret.
type FieldError struct {
	Code   Code   // CodeInvalidJSON, CodeInvalidField or CodeUnsupportedVersion
	Field  string // JSON path such as "samples[3].rtt_us"; "" for the whole message
	Reason string // the rule or limit broken, such as "must be between 1 and 60000000"
}

// Error returns "wire: field: reason".
func (e *FieldError) Error() string {
	if e.Field == "" {
		return "wire: " + e.Reason
	}
	return "wire: " + e.Field + ": " + e.Reason
}

// Message returns the error for an API error body: "field: reason".
func (e *FieldError) Message() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

func fieldErr(field, reason string, args ...any) *FieldError {
	if len(args) > 0 {
		reason = fmt.Sprintf(reason, args...)
	}
	return &FieldError{Code: CodeInvalidField, Field: field, Reason: reason}
}

// DecodeEnrolRequest decodes and validates the body of POST /api/v1/enrol.
func DecodeEnrolRequest(data []byte) (EnrolRequest, error) {
	if err := checkVersion(data); err != nil {
		return EnrolRequest{}, err
	}
	var r EnrolRequest
	if err := decodeObject(data, "", &r); err != nil {
		return EnrolRequest{}, err
	}
	if err := firstErr(
		secret("token", r.Token),
		text("hostname", r.Hostname, 1, MaxHostnameLen),
		text("os", r.OS, 1, MaxOSLen),
		text("agent_version", r.AgentVersion, 1, MaxAgentVersionLen),
		publicKey("public_key", r.PublicKey),
	); err != nil {
		return EnrolRequest{}, err
	}
	return r, nil
}

// DecodeEnrolResponse decodes and validates the server's answer to an
// enrolment.
func DecodeEnrolResponse(data []byte) (EnrolResponse, error) {
	if err := checkVersion(data); err != nil {
		return EnrolResponse{}, err
	}
	var raw struct {
		Version    int             `json:"version"`
		DeviceID   string          `json:"device_id"`
		Credential string          `json:"credential"`
		Landmark   json.RawMessage `json:"landmark"`
	}
	if err := decodeObject(data, "", &raw); err != nil {
		return EnrolResponse{}, err
	}
	r := EnrolResponse{Version: raw.Version, DeviceID: raw.DeviceID, Credential: raw.Credential}
	if err := firstErr(
		ident("device_id", r.DeviceID),
		secret("credential", r.Credential),
	); err != nil {
		return EnrolResponse{}, err
	}
	if !isObject(raw.Landmark) {
		return EnrolResponse{}, fieldErr("landmark", "must be an object")
	}
	if err := decodeObject(raw.Landmark, "landmark.", &r.Landmark); err != nil {
		return EnrolResponse{}, err
	}
	if err := checkLandmark("landmark.", r.Landmark); err != nil {
		return EnrolResponse{}, err
	}
	return r, nil
}

// CheckLandmark reports whether l can be sent in an [EnrolResponse]: the
// name and location within their limits and the coordinates in range.
func CheckLandmark(l Landmark) error {
	return checkLandmark("", l)
}

func checkLandmark(prefix string, l Landmark) error {
	return firstErr(
		landmarkName(prefix+"name", l.Name),
		text(prefix+"location", l.Location, 0, MaxLocationLen),
		inRange(prefix+"lat", l.Lat, 90),
		inRange(prefix+"lon", l.Lon, 180),
	)
}

// DecodeBatch decodes and validates the body of POST /api/v1/batches.
// Timestamps, including those of input windows and the endpoint report,
// must lie within [now-MaxPast, now+MaxFuture]. It does not check that the
// landmarks exist; the server does. An empty windows list decodes to nil.
func DecodeBatch(data []byte, now time.Time) (Batch, error) {
	if err := checkVersion(data); err != nil {
		return Batch{}, err
	}
	var raw struct {
		Version   int               `json:"version"`
		BatchID   string            `json:"batch_id"`
		Samples   []json.RawMessage `json:"samples"`
		Heartbeat json.RawMessage   `json:"heartbeat"`
		Windows   []json.RawMessage `json:"windows"`
		Endpoint  json.RawMessage   `json:"endpoint"`
	}
	if err := decodeObject(data, "", &raw); err != nil {
		return Batch{}, err
	}
	if err := ident("batch_id", raw.BatchID); err != nil {
		return Batch{}, err
	}
	if len(raw.Samples) > MaxSamples {
		return Batch{}, fieldErr("samples", "must have at most %d samples, not %d", MaxSamples, len(raw.Samples))
	}
	b := Batch{Version: raw.Version, BatchID: raw.BatchID}
	if raw.Samples != nil {
		b.Samples = make([]Sample, len(raw.Samples))
	}
	for i, rs := range raw.Samples {
		prefix := "samples[" + strconv.Itoa(i) + "]"
		if !isObject(rs) {
			return Batch{}, fieldErr(prefix, "must be an object")
		}
		var s struct {
			Landmark  string `json:"landmark"`
			At        string `json:"at"`
			RTTMicros int64  `json:"rtt_us"`
		}
		if err := decodeObject(rs, prefix+".", &s); err != nil {
			return Batch{}, err
		}
		at, err := timestamp(prefix+".at", s.At, now)
		if err == nil {
			err = firstErr(landmarkName(prefix+".landmark", s.Landmark), rtt(prefix+".rtt_us", s.RTTMicros))
		}
		if err != nil {
			return Batch{}, err
		}
		b.Samples[i] = Sample{Landmark: s.Landmark, At: at, RTTMicros: s.RTTMicros}
	}
	if len(raw.Heartbeat) > 0 && !bytes.Equal(raw.Heartbeat, []byte("null")) {
		if !isObject(raw.Heartbeat) {
			return Batch{}, fieldErr("heartbeat", "must be an object")
		}
		var h struct {
			At           string `json:"at"`
			Hostname     string `json:"hostname"`
			OS           string `json:"os"`
			AgentVersion string `json:"agent_version"`
		}
		if err := decodeObject(raw.Heartbeat, "heartbeat.", &h); err != nil {
			return Batch{}, err
		}
		at, err := timestamp("heartbeat.at", h.At, now)
		if err == nil {
			err = firstErr(
				text("heartbeat.hostname", h.Hostname, 1, MaxHostnameLen),
				text("heartbeat.os", h.OS, 1, MaxOSLen),
				text("heartbeat.agent_version", h.AgentVersion, 1, MaxAgentVersionLen))
		}
		if err != nil {
			return Batch{}, err
		}
		b.Heartbeat = &Heartbeat{At: at, Hostname: h.Hostname, OS: h.OS, AgentVersion: h.AgentVersion}
	}
	var err error
	if b.Windows, err = decodeWindows(raw.Windows, now); err != nil {
		return Batch{}, err
	}
	if b.Endpoint, err = decodeEndpoint(raw.Endpoint, now); err != nil {
		return Batch{}, err
	}
	return b, nil
}

// DecodeBatchResponse decodes and validates the server's answer to a batch.
func DecodeBatchResponse(data []byte) (BatchResponse, error) {
	var r BatchResponse
	if err := decodeObject(data, "", &r); err != nil {
		return BatchResponse{}, err
	}
	if r.Stored == r.Duplicate {
		return BatchResponse{}, fieldErr("duplicate", "must be the opposite of stored")
	}
	return r, nil
}

// DecodeProbeChallenge decodes and validates the answer to GET
// /api/v1/probe.
func DecodeProbeChallenge(data []byte) (ProbeChallenge, error) {
	var c ProbeChallenge
	if err := decodeObject(data, "", &c); err != nil {
		return ProbeChallenge{}, err
	}
	if err := firstErr(ident("nonce", c.Nonce), landmarkName("landmark", c.Landmark)); err != nil {
		return ProbeChallenge{}, err
	}
	return c, nil
}

// DecodeProbeResult decodes and validates the answer to POST
// /api/v1/probe/{nonce}.
func DecodeProbeResult(data []byte) (ProbeResult, error) {
	var r ProbeResult
	if err := decodeObject(data, "", &r); err != nil {
		return ProbeResult{}, err
	}
	if err := rtt("rtt_us", r.RTTMicros); err != nil {
		return ProbeResult{}, err
	}
	return r, nil
}

// DecodeErrorBody decodes and validates the body of an error response. The
// code must look like one (lowercase letters, digits and underscores) but
// need not be one this package knows, so that an agent can report codes a
// newer server adds.
func DecodeErrorBody(data []byte) (ErrorBody, error) {
	var raw struct {
		Error json.RawMessage `json:"error"`
	}
	if err := decodeObject(data, "", &raw); err != nil {
		return ErrorBody{}, err
	}
	if !isObject(raw.Error) {
		return ErrorBody{}, fieldErr("error", "must be an object")
	}
	var b ErrorBody
	if err := decodeObject(raw.Error, "error.", &b.Error); err != nil {
		return ErrorBody{}, err
	}
	d := b.Error
	if err := firstErr(
		code("error.code", string(d.Code)),
		text("error.field", d.Field, 0, MaxFieldLen),
		text("error.message", d.Message, 0, MaxMessageLen),
	); err != nil {
		return ErrorBody{}, err
	}
	return b, nil
}

// checkVersion rejects data that is not one JSON object or whose version
// field is not the number 1. It runs before the strict decode so that a
// message of another version is reported as such, not as having unknown
// fields.
func checkVersion(data []byte) error {
	var v struct {
		Version json.RawMessage `json:"version"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return syntaxErr(err)
	}
	if !bytes.Equal(bytes.TrimSpace(v.Version), []byte("1")) {
		return &FieldError{Code: CodeUnsupportedVersion, Field: "version",
			Reason: fmt.Sprintf("must be %d: this side speaks wire format v%d only", Version, Version)}
	}
	return nil
}

// syntaxErr turns an error of json.Unmarshal on the whole message into a
// FieldError for the message as a whole.
func syntaxErr(err error) *FieldError {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &FieldError{Code: CodeInvalidJSON, Reason: fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))}
	case errors.As(err, &te) && te.Field == "":
		return &FieldError{Code: CodeInvalidJSON, Reason: "must be a JSON object, not " + jsonKind(te.Value)}
	case errors.As(err, &te):
		return typeErr("", te)
	}
	return &FieldError{Code: CodeInvalidJSON, Reason: "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
}

// decodeObject decodes the JSON object data into v, rejecting unknown
// fields and trailing data. Field names in errors get prefix.
func decodeObject(data []byte, prefix string, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr == nil {
			return &FieldError{Code: CodeInvalidJSON, Field: strings.TrimSuffix(prefix, "."), Reason: "trailing data after the JSON value"}
		}
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" && prefix == "" {
			return &FieldError{Code: CodeInvalidJSON, Reason: "must be a JSON object, not " + jsonKind(te.Value)}
		}
		return typeErr(prefix, te)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if n, uerr := strconv.Unquote(name); uerr == nil {
			name = n
		}
		return fieldErr(prefix+name, "unknown field")
	}
	fe := syntaxErr(err)
	fe.Field = strings.TrimSuffix(prefix, ".")
	return fe
}

// typeErr describes a JSON value of the wrong type.
func typeErr(prefix string, te *json.UnmarshalTypeError) *FieldError {
	field := strings.TrimSuffix(prefix+te.Field, ".")
	want := "of another type"
	switch te.Type.Kind() {
	case reflect.String:
		want = "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		want = "an integer"
	case reflect.Float32, reflect.Float64:
		want = "a number"
	case reflect.Bool:
		want = "true or false"
	case reflect.Struct, reflect.Pointer, reflect.Map:
		want = "an object"
	case reflect.Slice, reflect.Array:
		want = "an array"
	}
	return fieldErr(field, "must be %s, not %s", want, jsonKind(te.Value))
}

// jsonKind shortens the Value of a json.UnmarshalTypeError ("number 1.5")
// to the kind of JSON value, so that reasons never quote input.
func jsonKind(v string) string {
	kind, _, _ := strings.Cut(v, " ")
	switch kind {
	case "number", "string", "bool", "array", "object", "null":
		return kind
	}
	return "a value of another type"
}

// isObject reports whether the raw JSON value is an object.
func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

// firstErr returns the first non-nil error.
func firstErr(errs ...*FieldError) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// text checks a free-text field: min to max bytes, valid UTF-8, no
// control characters.
func text(field, v string, minLen, maxLen int) *FieldError {
	if len(v) < minLen || len(v) > maxLen {
		if minLen == 0 {
			return fieldErr(field, "must be at most %d bytes", maxLen)
		}
		return fieldErr(field, "must be %d to %d bytes", minLen, maxLen)
	}
	if !utf8.ValidString(v) {
		return fieldErr(field, "must be valid UTF-8")
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return fieldErr(field, "must not contain control characters")
		}
	}
	return nil
}

// landmarkName checks a landmark name: 1 to MaxLandmarkLen bytes of text.
func landmarkName(field, v string) *FieldError {
	return text(field, v, 1, MaxLandmarkLen)
}

// ident checks an identifier: 1 to MaxIDLen characters from [A-Za-z0-9_-].
func ident(field, v string) *FieldError {
	if len(v) < 1 || len(v) > MaxIDLen || strings.IndexFunc(v, func(r rune) bool { return !isIdentRune(r) }) >= 0 {
		return fieldErr(field, "must be 1 to %d characters from [A-Za-z0-9_-]", MaxIDLen)
	}
	return nil
}

func isIdentRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-'
}

// IsIdent reports whether v is a valid batch ID, device ID or probe nonce:
// 1 to MaxIDLen characters from [A-Za-z0-9_-].
func IsIdent(v string) bool { return ident("", v) == nil }

// IsSecret reports whether v is a valid enrolment token or credential:
// 1 to MaxSecretLen printable ASCII characters other than space.
func IsSecret(v string) bool { return secret("", v) == nil }

// secret checks a token or credential without ever quoting it.
func secret(field, v string) *FieldError {
	if len(v) < 1 || len(v) > MaxSecretLen || strings.IndexFunc(v, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
		return fieldErr(field, "must be 1 to %d printable ASCII characters without spaces", MaxSecretLen)
	}
	return nil
}

// publicKey checks an optional Ed25519 public key: empty, or base64 of 32
// bytes.
func publicKey(field, v string) *FieldError {
	if v == "" {
		return nil
	}
	if _, err := decodeB64(v, ed25519.PublicKeySize); err != nil {
		return fieldErr(field, "must be %d characters of base64 (standard, padded) encoding a %d-byte Ed25519 public key", publicKeyB64Len, ed25519.PublicKeySize)
	}
	return nil
}

// code checks an error code: 1 to MaxCodeLen characters from [a-z0-9_].
func code(field, v string) *FieldError {
	if len(v) < 1 || len(v) > MaxCodeLen || strings.IndexFunc(v, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_')
	}) >= 0 {
		return fieldErr(field, "must be 1 to %d characters from [a-z0-9_]", MaxCodeLen)
	}
	return nil
}

// rtt checks a round-trip time in microseconds.
func rtt(field string, us int64) *FieldError {
	if us < MinRTTMicros || us > MaxRTTMicros {
		return fieldErr(field, "must be between %d and %d", MinRTTMicros, MaxRTTMicros)
	}
	return nil
}

// inRange checks that v is within [-limit, limit]; NaN fails.
func inRange(field string, v, limit float64) *FieldError {
	if !(v >= -limit && v <= limit) {
		return fieldErr(field, "must be between %v and %v", -limit, limit)
	}
	return nil
}

// timestamp parses an RFC 3339 time in UTC and checks it against the
// window around now.
func timestamp(field, v string, now time.Time) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || !strings.HasSuffix(v, "Z") {
		return time.Time{}, fieldErr(field, "must be an RFC 3339 time in UTC, such as 2026-03-01T12:00:00Z")
	}
	switch {
	case t.Before(now.Add(-MaxPast)):
		return time.Time{}, fieldErr(field, "must not be more than 7 days before the receiver's clock")
	case t.After(now.Add(MaxFuture)):
		return time.Time{}, fieldErr(field, "must not be more than 5 minutes after the receiver's clock")
	}
	return t.UTC(), nil
}
