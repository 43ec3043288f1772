package wire_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/wire"
)

// now is the receiver's clock in these tests.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const goodBatch = `{"version":1,"batch_id":"b-1","samples":[
	{"landmark":"us-west","at":"2026-03-01T11:59:00Z","rtt_us":31000},
	{"landmark":"eu-central","at":"2026-03-01T11:59:01.123456Z","rtt_us":152000}],
	"heartbeat":{"at":"2026-03-01T12:00:00Z","hostname":"laptop-7","os":"linux/amd64","agent_version":"1.0.0"}}`

func TestDecodeBatchGood(t *testing.T) {
	got, err := wire.DecodeBatch([]byte(goodBatch), now)
	if err != nil {
		t.Fatalf("DecodeBatch(good) = %v", err)
	}
	want := wire.Batch{Version: 1, BatchID: "b-1", Samples: []wire.Sample{
		{Landmark: "us-west", At: now.Add(-time.Minute), RTTMicros: 31000},
		{Landmark: "eu-central", At: now.Add(-59*time.Second + 123456*time.Microsecond), RTTMicros: 152000},
	}, Heartbeat: &wire.Heartbeat{At: now, Hostname: "laptop-7", OS: "linux/amd64", AgentVersion: "1.0.0"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeBatch(good) = %+v, want %+v", got, want)
	}
	if got.Samples[0].RTT() != 31*time.Millisecond {
		t.Errorf("Samples[0].RTT() = %v, want 31ms", got.Samples[0].RTT())
	}
}

// batchWith returns a valid batch with one sample whose fields are
// replaced by the given raw JSON snippets.
func batchWith(landmark, at, rttUS string) string {
	return `{"version":1,"batch_id":"b-1","samples":[{"landmark":` + landmark + `,"at":` + at + `,"rtt_us":` + rttUS + `}]}`
}

func TestDecodeBatchBad(t *testing.T) {
	many := make([]string, wire.MaxSamples+1)
	for i := range many {
		many[i] = `{"landmark":"x","at":"2026-03-01T12:00:00Z","rtt_us":1}`
	}
	tests := []struct {
		name, in  string
		code      wire.Code
		field     string
		reasonHas string
	}{
		{"empty", ``, wire.CodeInvalidJSON, "", "invalid JSON"},
		{"not json", `hello`, wire.CodeInvalidJSON, "", "invalid JSON"},
		{"array", `[1]`, wire.CodeInvalidJSON, "", "must be a JSON object, not array"},
		{"trailing", `{"version":1,"batch_id":"b"} {}`, wire.CodeInvalidJSON, "", "invalid JSON"},
		{"no version", `{"batch_id":"b"}`, wire.CodeUnsupportedVersion, "version", "must be 1"},
		{"version 2", `{"version":2,"batch_id":"b","future":true}`, wire.CodeUnsupportedVersion, "version", "must be 1"},
		{"version string", `{"version":"1","batch_id":"b"}`, wire.CodeUnsupportedVersion, "version", "must be 1"},
		{"unknown field", `{"version":1,"batch_id":"b","extra":1}`, wire.CodeInvalidField, "extra", "unknown field"},
		{"no batch id", `{"version":1}`, wire.CodeInvalidField, "batch_id", "1 to 64 characters from [A-Za-z0-9_-]"},
		{"batch id chars", `{"version":1,"batch_id":"a/b"}`, wire.CodeInvalidField, "batch_id", "[A-Za-z0-9_-]"},
		{"batch id long", `{"version":1,"batch_id":"` + strings.Repeat("a", 65) + `"}`, wire.CodeInvalidField, "batch_id", "1 to 64"},
		{"batch id type", `{"version":1,"batch_id":7}`, wire.CodeInvalidField, "batch_id", "must be a string, not number"},
		{"samples type", `{"version":1,"batch_id":"b","samples":{}}`, wire.CodeInvalidField, "samples", "must be an array"},
		{"too many samples", `{"version":1,"batch_id":"b","samples":[` + strings.Join(many, ",") + `]}`, wire.CodeInvalidField, "samples", "at most 1000 samples"},
		{"sample null", `{"version":1,"batch_id":"b","samples":[null]}`, wire.CodeInvalidField, "samples[0]", "must be an object"},
		{"sample unknown field", `{"version":1,"batch_id":"b","samples":[{"landmark":"x","at":"2026-03-01T12:00:00Z","rtt_us":1,"key":"a"}]}`, wire.CodeInvalidField, "samples[0].key", "unknown field"},
		{"rtt zero", batchWith(`"us-west"`, `"2026-03-01T12:00:00Z"`, `0`), wire.CodeInvalidField, "samples[0].rtt_us", "must be between 1 and 60000000"},
		{"rtt too big", batchWith(`"us-west"`, `"2026-03-01T12:00:00Z"`, `60000001`), wire.CodeInvalidField, "samples[0].rtt_us", "must be between 1 and 60000000"},
		{"rtt negative", batchWith(`"us-west"`, `"2026-03-01T12:00:00Z"`, `-5`), wire.CodeInvalidField, "samples[0].rtt_us", "must be between 1 and 60000000"},
		{"rtt float", batchWith(`"us-west"`, `"2026-03-01T12:00:00Z"`, `1.5`), wire.CodeInvalidField, "samples[0].rtt_us", "must be an integer, not number"},
		{"rtt huge", batchWith(`"us-west"`, `"2026-03-01T12:00:00Z"`, `1e300`), wire.CodeInvalidField, "samples[0].rtt_us", "must be an integer"},
		{"rtt string", batchWith(`"us-west"`, `"2026-03-01T12:00:00Z"`, `"5"`), wire.CodeInvalidField, "samples[0].rtt_us", "must be an integer, not string"},
		{"landmark empty", batchWith(`""`, `"2026-03-01T12:00:00Z"`, `5`), wire.CodeInvalidField, "samples[0].landmark", "1 to 64 bytes"},
		{"landmark control", batchWith(`"us\u0000west"`, `"2026-03-01T12:00:00Z"`, `5`), wire.CodeInvalidField, "samples[0].landmark", "control characters"},
		{"landmark long", batchWith(`"`+strings.Repeat("x", 65)+`"`, `"2026-03-01T12:00:00Z"`, `5`), wire.CodeInvalidField, "samples[0].landmark", "1 to 64 bytes"},
		{"at missing", batchWith(`"us-west"`, `""`, `5`), wire.CodeInvalidField, "samples[0].at", "RFC 3339 time in UTC"},
		{"at not utc", batchWith(`"us-west"`, `"2026-03-01T13:00:00+01:00"`, `5`), wire.CodeInvalidField, "samples[0].at", "RFC 3339 time in UTC"},
		{"at no zone", batchWith(`"us-west"`, `"2026-03-01T12:00:00"`, `5`), wire.CodeInvalidField, "samples[0].at", "RFC 3339 time in UTC"},
		{"at number", batchWith(`"us-west"`, `1772366400`, `5`), wire.CodeInvalidField, "samples[0].at", "must be a string, not number"},
		{"at too old", batchWith(`"us-west"`, `"2026-02-22T11:59:59Z"`, `5`), wire.CodeInvalidField, "samples[0].at", "more than 7 days before"},
		{"at future", batchWith(`"us-west"`, `"2026-03-01T12:05:01Z"`, `5`), wire.CodeInvalidField, "samples[0].at", "more than 5 minutes after"},
		{"second sample bad", `{"version":1,"batch_id":"b","samples":[{"landmark":"x","at":"2026-03-01T12:00:00Z","rtt_us":1},{"landmark":"x","at":"2026-03-01T12:00:00Z","rtt_us":0}]}`, wire.CodeInvalidField, "samples[1].rtt_us", "between 1 and"},
		{"heartbeat type", `{"version":1,"batch_id":"b","heartbeat":[]}`, wire.CodeInvalidField, "heartbeat", "must be an object"},
		{"heartbeat unknown", `{"version":1,"batch_id":"b","heartbeat":{"at":"2026-03-01T12:00:00Z","hostname":"h","os":"o","agent_version":"v","x":1}}`, wire.CodeInvalidField, "heartbeat.x", "unknown field"},
		{"heartbeat at", `{"version":1,"batch_id":"b","heartbeat":{"at":"yesterday","hostname":"h","os":"o","agent_version":"v"}}`, wire.CodeInvalidField, "heartbeat.at", "RFC 3339"},
		{"heartbeat hostname long", `{"version":1,"batch_id":"b","heartbeat":{"at":"2026-03-01T12:00:00Z","hostname":"` + strings.Repeat("h", 254) + `","os":"o","agent_version":"v"}}`, wire.CodeInvalidField, "heartbeat.hostname", "1 to 253 bytes"},
		{"heartbeat os missing", `{"version":1,"batch_id":"b","heartbeat":{"at":"2026-03-01T12:00:00Z","hostname":"h","agent_version":"v"}}`, wire.CodeInvalidField, "heartbeat.os", "1 to 64 bytes"},
		{"heartbeat version type", `{"version":1,"batch_id":"b","heartbeat":{"at":"2026-03-01T12:00:00Z","hostname":"h","os":"o","agent_version":1}}`, wire.CodeInvalidField, "heartbeat.agent_version", "must be a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := wire.DecodeBatch([]byte(tt.in), now)
			checkFieldError(t, err, tt.code, tt.field, tt.reasonHas)
		})
	}
}

// checkFieldError checks that err is a *wire.FieldError with the given
// code and field whose reason contains reasonHas.
func checkFieldError(t *testing.T, err error, code wire.Code, field, reasonHas string) {
	t.Helper()
	fe, ok := errors.AsType[*wire.FieldError](err)
	if !ok {
		t.Fatalf("error = %v (%T), want a *wire.FieldError", err, err)
	}
	if fe.Code != code || fe.Field != field || !strings.Contains(fe.Reason, reasonHas) {
		t.Errorf("error = {Code: %q, Field: %q, Reason: %q}, want {Code: %q, Field: %q, Reason containing %q}",
			fe.Code, fe.Field, fe.Reason, code, field, reasonHas)
	}
}

func TestDecodeBatchEdges(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		samples int
		hb      bool
	}{
		{"no samples field", `{"version":1,"batch_id":"b"}`, 0, false},
		{"null samples", `{"version":1,"batch_id":"b","samples":null}`, 0, false},
		{"empty samples", `{"version":1,"batch_id":"b","samples":[]}`, 0, false},
		{"null heartbeat", `{"version":1,"batch_id":"b","heartbeat":null}`, 0, false},
		{"limits", `{"version":1,"batch_id":"` + strings.Repeat("Z", 64) + `","samples":[
			{"landmark":"` + strings.Repeat("é", 32) + `","at":"2026-02-22T12:00:00Z","rtt_us":1},
			{"landmark":"x","at":"2026-03-01T12:05:00Z","rtt_us":60000000}]}`, 2, false},
		{"heartbeat only", `{"version":1,"batch_id":"hb_only","heartbeat":{"at":"2026-03-01T12:00:00.5Z","hostname":"h","os":"o","agent_version":"v"}}`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := wire.DecodeBatch([]byte(tt.in), now)
			if err != nil {
				t.Fatalf("DecodeBatch(%s) = %v, want nil", tt.in, err)
			}
			if len(b.Samples) != tt.samples || (b.Heartbeat != nil) != tt.hb {
				t.Errorf("DecodeBatch(%s) = %d samples, heartbeat %v; want %d, %v", tt.in, len(b.Samples), b.Heartbeat != nil, tt.samples, tt.hb)
			}
		})
	}
}

func TestDecodeEnrolRequest(t *testing.T) {
	const secret = "SECRET-TOKEN-value"
	tests := []struct {
		name, in  string
		code      wire.Code
		field     string
		reasonHas string
	}{
		{"good", `{"version":1,"token":"` + secret + `","hostname":"laptop","os":"linux/amd64","agent_version":"1.0.0"}`, "", "", ""},
		{"no version", `{"token":"t","hostname":"h","os":"o","agent_version":"v"}`, wire.CodeUnsupportedVersion, "version", "must be 1"},
		{"token missing", `{"version":1,"hostname":"h","os":"o","agent_version":"v"}`, wire.CodeInvalidField, "token", "1 to 128 printable ASCII"},
		{"token space", `{"version":1,"token":"a ` + secret + `","hostname":"h","os":"o","agent_version":"v"}`, wire.CodeInvalidField, "token", "without spaces"},
		{"token long", `{"version":1,"token":"` + strings.Repeat(secret, 8) + `","hostname":"h","os":"o","agent_version":"v"}`, wire.CodeInvalidField, "token", "1 to 128"},
		{"hostname long", `{"version":1,"token":"t","hostname":"` + strings.Repeat("h", 254) + `","os":"o","agent_version":"v"}`, wire.CodeInvalidField, "hostname", "1 to 253 bytes"},
		{"os long", `{"version":1,"token":"t","hostname":"h","os":"` + strings.Repeat("o", 65) + `","agent_version":"v"}`, wire.CodeInvalidField, "os", "1 to 64 bytes"},
		{"agent version control", `{"version":1,"token":"t","hostname":"h","os":"o","agent_version":"1\n2"}`, wire.CodeInvalidField, "agent_version", "control characters"},
		{"unknown", `{"version":1,"token":"t","hostname":"h","os":"o","agent_version":"v","worker":"w-1"}`, wire.CodeInvalidField, "worker", "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := wire.DecodeEnrolRequest([]byte(tt.in))
			if tt.code == "" {
				if err != nil || r.Token != secret || r.Hostname != "laptop" {
					t.Fatalf("DecodeEnrolRequest(%s) = %+v, %v; want token, hostname laptop", tt.in, r, err)
				}
				return
			}
			checkFieldError(t, err, tt.code, tt.field, tt.reasonHas)
			if err != nil && strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error %q quotes the token", err)
			}
		})
	}
}

func TestDecodeEnrolResponse(t *testing.T) {
	tests := []struct {
		name, in  string
		code      wire.Code
		field     string
		reasonHas string
	}{
		{"good", `{"version":1,"device_id":"dev-1","credential":"c_1-2","landmark":{"name":"us-west","location":"Los Angeles, CA, US","lat":34.05,"lon":-118.24}}`, "", "", ""},
		{"version", `{"version":0,"device_id":"dev-1","credential":"c","landmark":{"name":"x","location":"","lat":0,"lon":0}}`, wire.CodeUnsupportedVersion, "version", "must be 1"},
		{"device id", `{"version":1,"device_id":"dev 1","credential":"c","landmark":{"name":"x","location":"","lat":0,"lon":0}}`, wire.CodeInvalidField, "device_id", "[A-Za-z0-9_-]"},
		{"credential", `{"version":1,"device_id":"d","credential":"","landmark":{"name":"x","location":"","lat":0,"lon":0}}`, wire.CodeInvalidField, "credential", "printable ASCII"},
		{"no landmark", `{"version":1,"device_id":"d","credential":"c"}`, wire.CodeInvalidField, "landmark", "must be an object"},
		{"landmark unknown", `{"version":1,"device_id":"d","credential":"c","landmark":{"name":"x","location":"","lat":0,"lon":0,"alt":1}}`, wire.CodeInvalidField, "landmark.alt", "unknown field"},
		{"landmark lat", `{"version":1,"device_id":"d","credential":"c","landmark":{"name":"x","location":"","lat":91,"lon":0}}`, wire.CodeInvalidField, "landmark.lat", "between -90 and 90"},
		{"landmark lon", `{"version":1,"device_id":"d","credential":"c","landmark":{"name":"x","location":"","lat":0,"lon":-180.5}}`, wire.CodeInvalidField, "landmark.lon", "between -180 and 180"},
		{"landmark lat type", `{"version":1,"device_id":"d","credential":"c","landmark":{"name":"x","location":"","lat":"0","lon":0}}`, wire.CodeInvalidField, "landmark.lat", "must be a number, not string"},
		{"landmark name", `{"version":1,"device_id":"d","credential":"c","landmark":{"name":"","location":"","lat":0,"lon":0}}`, wire.CodeInvalidField, "landmark.name", "1 to 64 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := wire.DecodeEnrolResponse([]byte(tt.in))
			if tt.code == "" {
				if err != nil || r.DeviceID != "dev-1" || r.Landmark.Lon != -118.24 {
					t.Fatalf("DecodeEnrolResponse(%s) = %+v, %v; want device dev-1 at lon -118.24", tt.in, r, err)
				}
				return
			}
			checkFieldError(t, err, tt.code, tt.field, tt.reasonHas)
		})
	}
}

func TestDecodeSmallMessages(t *testing.T) {
	tests := []struct {
		name      string
		decode    func([]byte) error
		in        string
		code      wire.Code
		field     string
		reasonHas string
	}{
		{"batch response stored", decodeBatchResponse, `{"stored":true,"duplicate":false}`, "", "", ""},
		{"batch response duplicate", decodeBatchResponse, `{"stored":false,"duplicate":true}`, "", "", ""},
		{"batch response both", decodeBatchResponse, `{"stored":true,"duplicate":true}`, wire.CodeInvalidField, "duplicate", "opposite of stored"},
		{"batch response neither", decodeBatchResponse, `{}`, wire.CodeInvalidField, "duplicate", "opposite of stored"},
		{"batch response type", decodeBatchResponse, `{"stored":1,"duplicate":false}`, wire.CodeInvalidField, "stored", "must be true or false"},
		{"challenge", decodeProbeChallenge, `{"nonce":"abc_DEF-123","landmark":"us-west"}`, "", "", ""},
		{"challenge nonce", decodeProbeChallenge, `{"nonce":"abc/def","landmark":"us-west"}`, wire.CodeInvalidField, "nonce", "[A-Za-z0-9_-]"},
		{"challenge landmark", decodeProbeChallenge, `{"nonce":"abc"}`, wire.CodeInvalidField, "landmark", "1 to 64 bytes"},
		{"challenge unknown", decodeProbeChallenge, `{"nonce":"abc","landmark":"x","sent":1}`, wire.CodeInvalidField, "sent", "unknown field"},
		{"result", decodeProbeResult, `{"rtt_us":100250}`, "", "", ""},
		{"result zero", decodeProbeResult, `{"rtt_us":0}`, wire.CodeInvalidField, "rtt_us", "between 1 and 60000000"},
		{"result not object", decodeProbeResult, `100250`, wire.CodeInvalidJSON, "", "must be a JSON object, not number"},
		{"error", decodeErrorBody, `{"error":{"code":"invalid_field","field":"samples[3].rtt_us","message":"samples[3].rtt_us: must be between 1 and 60000000"}}`, "", "", ""},
		{"error future code", decodeErrorBody, `{"error":{"code":"rate_limited_v2","message":"slow down"}}`, "", "", ""},
		{"error code", decodeErrorBody, `{"error":{"code":"Bad Code","message":"m"}}`, wire.CodeInvalidField, "error.code", "[a-z0-9_]"},
		{"error missing", decodeErrorBody, `{}`, wire.CodeInvalidField, "error", "must be an object"},
		{"error message long", decodeErrorBody, `{"error":{"code":"x","message":"` + strings.Repeat("m", 1025) + `"}}`, wire.CodeInvalidField, "error.message", "at most 1024 bytes"},
		{"error unknown", decodeErrorBody, `{"error":{"code":"x","message":"m","detail":"d"}}`, wire.CodeInvalidField, "error.detail", "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.decode([]byte(tt.in))
			if tt.code == "" {
				if err != nil {
					t.Fatalf("decode(%s) = %v, want nil", tt.in, err)
				}
				return
			}
			checkFieldError(t, err, tt.code, tt.field, tt.reasonHas)
		})
	}
}

func decodeBatchResponse(b []byte) error  { _, err := wire.DecodeBatchResponse(b); return err }
func decodeProbeChallenge(b []byte) error { _, err := wire.DecodeProbeChallenge(b); return err }
func decodeProbeResult(b []byte) error    { _, err := wire.DecodeProbeResult(b); return err }
func decodeErrorBody(b []byte) error      { _, err := wire.DecodeErrorBody(b); return err }

func TestSecretsRedacted(t *testing.T) {
	const secret = "s3cr3t-value"
	req := wire.EnrolRequest{Version: 1, Token: secret, Hostname: "h"}
	resp := wire.EnrolResponse{Version: 1, DeviceID: "d", Credential: secret}
	var logged strings.Builder
	log := slog.New(slog.NewTextHandler(&logged, nil))
	log.Info("enrol", "request", req, "response", resp)
	for name, s := range map[string]string{
		"fmt request":  fmt.Sprintf("%v %+v %s", req, req, req),
		"fmt response": fmt.Sprintf("%v %+v %s", resp, resp, resp),
		"slog":         logged.String(),
	} {
		if strings.Contains(s, secret) {
			t.Errorf("%s = %q, leaks the secret", name, s)
		}
		if !strings.Contains(s, "[redacted]") {
			t.Errorf("%s = %q, want [redacted]", name, s)
		}
	}
	// The JSON encoding, which goes to the server, keeps the secret.
	b, err := json.Marshal(req)
	if err != nil || !strings.Contains(string(b), secret) {
		t.Errorf("json.Marshal(req) = %s, %v; want the token", b, err)
	}
}

func TestLimitsMatchReasons(t *testing.T) {
	// Reasons spell the time window in words; keep them in step.
	if wire.MaxPast != 7*24*time.Hour || wire.MaxFuture != 5*time.Minute {
		t.Errorf("MaxPast, MaxFuture = %v, %v; update the reasons in timestamp", wire.MaxPast, wire.MaxFuture)
	}
}

func TestCheckLandmark(t *testing.T) {
	tests := []struct {
		l    wire.Landmark
		want string // field named by the error, "" for nil
	}{
		{wire.Landmark{Name: "us-west", Location: "Los Angeles", Lat: 34, Lon: -118}, ""},
		{wire.Landmark{Name: "", Lat: 0, Lon: 0}, "name"},
		{wire.Landmark{Name: "x", Location: strings.Repeat("l", 257)}, "location"},
		{wire.Landmark{Name: "x", Lat: -90.1}, "lat"},
		{wire.Landmark{Name: "x", Lon: 180.1}, "lon"},
	}
	for _, tt := range tests {
		err := wire.CheckLandmark(tt.l)
		var field string
		if fe, ok := errors.AsType[*wire.FieldError](err); ok {
			field = fe.Field
		} else if err != nil {
			t.Errorf("CheckLandmark(%+v) = %v, not a FieldError", tt.l, err)
		}
		if field != tt.want {
			t.Errorf("CheckLandmark(%+v) names field %q, want %q", tt.l, field, tt.want)
		}
	}
}
