package wire_test

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/relay"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// maxFuzzInput caps fuzz inputs: the server reads at most 1 MiB, and the
// decoders' cost is linear in the input.
const maxFuzzInput = 64 << 10

// fuzzDecoder checks the invariants every decoder keeps: no panic; a
// rejection is a *wire.FieldError with a code and a reason; an accepted
// message re-encodes with encoding/json to one that decodes to an equal
// value.
func fuzzDecoder[T any](f *testing.F, seeds []string, decode func([]byte) (T, error)) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		v, err := decode(data)
		if err != nil {
			fe, ok := errors.AsType[*wire.FieldError](err)
			if !ok {
				t.Fatalf("decode(%q) error %v is %T, want *wire.FieldError", data, err, err)
			}
			if fe.Code == "" || fe.Reason == "" {
				t.Fatalf("decode(%q) = %#v, want a code and a reason", data, fe)
			}
			return
		}
		enc, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%+v) = %v", v, err)
		}
		v2, err := decode(enc)
		if err != nil {
			t.Fatalf("decode(json.Marshal(decode(%q))) = %v; encoded %s", data, err, enc)
		}
		if !reflect.DeepEqual(v, v2) {
			t.Fatalf("round trip of %q: %+v, then %+v", data, v, v2)
		}
	})
}

func FuzzDecodeBatch(f *testing.F) {
	fuzzDecoder(f, []string{
		goodBatch,
		`{"version":1,"batch_id":"b"}`,
		`{"version":1,"batch_id":"b","samples":[],"heartbeat":null}`,
		batchWith(`"us-west"`, `"2026-03-01T12:00:00.000000001Z"`, `60000000`),
		batchWith(`"\u00e9\ud83d\ude00"`, `"2026-02-22T12:00:00Z"`, `1`),
		`{"version":1,"batch_id":"b","samples":[null]}`,
		`{"Version":1,"BATCH_ID":"b"}`,
		`{"version":2}`,
		`[]`,
		telemetryJSON(f),
		telemetryJSON(f, "windows.0.raw", del, "endpoint.usb", nil, "endpoint.displays", []any{}),
		telemetryJSON(f, "windows", []any{json.RawMessage(windowJSON(f)), json.RawMessage(windowJSON(f))}, "endpoint", nil),
		telemetryJSON(f, "samples", []any{map[string]any{"landmark": "us-west", "at": "2026-03-01T11:59:00Z", "rtt_us": 31000}},
			"windows.0.by_class", map[string]any{"letter": 5}, "windows.0.by_provenance", map[string]any{"unknown": 5},
			"endpoint.remote_tools.0.sessions.0.local", "[fe80::1%eth0]:5900"),
		`{"version":1,"batch_id":"b","windows":[],"endpoint":{"at":"2026-03-01T12:00:00Z","remote_tools":null,"usb":[],"displays":null}}`,
		`{"version":1,"batch_id":"b","windows":[{}],"endpoint":{}}`,
		telemetryJSON(f, "windows.0.relay", nil),
		telemetryJSON(f, "windows.0.relay", del),
		telemetryJSON(f, "windows.0.relay.msgs", 2*5+relay.HeldKeys, "windows.0.relay.ties", 2*5+relay.HeldKeys, "windows.0.relay.quant_sin", []float64{-26, 26, 0, -0.0}),
	}, func(b []byte) (wire.Batch, error) { return wire.DecodeBatch(b, now) })
}

// FuzzRelayFeatures decodes hostile relay blocks inside an otherwise valid
// window. Beyond the decoder invariants: a block the decoder accepts
// converts to relay.Features and back to the same block, passes
// CheckRelayFeatures, and scores and estimates finite numbers with the
// shipped priors.
func FuzzRelayFeatures(f *testing.F) {
	good, err := json.Marshal(relayBlock())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(good), `null`, `{}`, `[]`,
		string(mustJSON(f, wire.NewRelayFeatures(&relay.Features{}))),
		strings.Replace(string(good), `"stall_us":420000`, `"stall_us":60000000`, 1),
		strings.Replace(string(good), `"quant_cos":[1.5,-2,0.25,10]`, `"quant_cos":[1e308,-2,0.25,10]`, 1),
		strings.Replace(string(good), `"keys":5`, `"keys":5,"keys":4`, 1),
	} {
		f.Add([]byte(s))
	}
	w := telemetryBatch().Windows[0]
	w.Relay = nil
	base := string(mustJSON(f, w))
	base = base[:len(base)-1] + `,"relay":`
	f.Fuzz(func(t *testing.T, block []byte) {
		if len(block) > maxFuzzInput {
			return
		}
		b, err := wire.DecodeBatch([]byte(`{"version":1,"batch_id":"b","windows":[`+base+string(block)+`}]}`), now)
		if err != nil {
			if _, ok := errors.AsType[*wire.FieldError](err); !ok {
				t.Fatalf("DecodeBatch error %v is %T, want *wire.FieldError", err, err)
			}
			return
		}
		rf := b.Windows[0].Relay
		if rf == nil {
			return
		}
		feat := rf.Features()
		if back := wire.NewRelayFeatures(&feat); !reflect.DeepEqual(back, rf) {
			t.Fatalf("NewRelayFeatures(Features(%+v)) = %+v", rf, back)
		}
		if err := wire.CheckRelayFeatures(rf, b.Windows[0].Keys); err != nil {
			t.Fatalf("CheckRelayFeatures(accepted block) = %v", err)
		}
		d := relay.NewDetector(relay.DefaultPriors())
		for range 3 {
			if v := d.Score(feat); math.IsNaN(v.Score) || v.Score < 0 || math.IsInf(v.Score, 0) {
				t.Fatalf("Score(%+v) = %+v", feat, v)
			}
		}
		if e := d.EstimateRTT(); e.RTT < 0 {
			t.Fatalf("EstimateRTT() = %v", e)
		}
	})
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func FuzzDecodeEnrolRequest(f *testing.F) {
	fuzzDecoder(f, []string{
		`{"version":1,"token":"tok","hostname":"laptop","os":"linux/amd64","agent_version":"1.0.0"}`,
		`{"version":1,"token":"tok","hostname":"\u00e9","os":"o","agent_version":"v","x":1}`,
		`{"version":1}`,
		`{"version":1,"token":"tok","hostname":"laptop","os":"linux/amd64","agent_version":"1.0.0","public_key":"6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw="}`,
		`{"version":1,"token":"tok","hostname":"laptop","os":"linux/amd64","agent_version":"1.0.0","public_key":"6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw"}`,
		`{"version":1,"token":"tok","hostname":"laptop","os":"linux/amd64","agent_version":"1.0.0","public_key":""}`,
	}, wire.DecodeEnrolRequest)
}

func FuzzDecodeEnrolResponse(f *testing.F) {
	fuzzDecoder(f, []string{
		`{"version":1,"device_id":"dev-1","credential":"c","landmark":{"name":"us-west","location":"LA","lat":34.05,"lon":-118.24}}`,
		`{"version":1,"device_id":"dev-1","credential":"c","landmark":{"name":"x","location":"","lat":-90,"lon":180}}`,
		`{"version":1,"device_id":"dev-1","credential":"c","landmark":null}`,
		`{"version":1,"device_id":"dev-1","credential":"c","landmark":{"name":"x","location":"","lat":1e-320,"lon":-0}}`,
	}, wire.DecodeEnrolResponse)
}

func FuzzDecodeBatchResponse(f *testing.F) {
	fuzzDecoder(f, []string{`{"stored":true,"duplicate":false}`, `{"stored":false,"duplicate":true}`, `{}`}, wire.DecodeBatchResponse)
}

func FuzzDecodeProbeChallenge(f *testing.F) {
	fuzzDecoder(f, []string{`{"nonce":"abc_DEF-1","landmark":"us-west"}`, `{"nonce":""}`}, wire.DecodeProbeChallenge)
}

func FuzzDecodeProbeResult(f *testing.F) {
	fuzzDecoder(f, []string{`{"rtt_us":100250}`, `{"rtt_us":1e3}`, `{"rtt_us":-1}`}, wire.DecodeProbeResult)
}

func FuzzDecodeErrorBody(f *testing.F) {
	fuzzDecoder(f, []string{
		`{"error":{"code":"invalid_field","field":"samples[3].rtt_us","message":"must be between 1 and 60000000"}}`,
		`{"error":{"code":"internal","message":"internal error"}}`,
		`{"error":null}`,
	}, wire.DecodeErrorBody)
}

// FuzzVerify checks that Verify never panics on a hostile signature
// header, accepts only the signature Sign makes (Ed25519 signatures are
// deterministic and their base64 form here is canonical), and accepts
// every body Sign signed.
func FuzzVerify(f *testing.F) {
	body := []byte(goodBatch)
	f.Add(body, wire.Sign(testKey, body))
	f.Add(body, "")
	f.Add([]byte{}, wire.Sign(testKey, nil))
	f.Add(body, strings.Repeat("A", 86)+"==")
	f.Add(body, strings.Repeat("/", 88))
	pub := testPublicKey()
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		if len(body) > maxFuzzInput {
			return
		}
		if err := wire.Verify(pub, body, sig); err == nil && sig != wire.Sign(testKey, body) {
			t.Fatalf("Verify(%q, %q) = nil for a signature Sign did not make", body, sig)
		}
		if err := wire.Verify(pub, body, wire.Sign(testKey, body)); err != nil {
			t.Fatalf("Verify(Sign(%q)) = %v", body, err)
		}
	})
}
