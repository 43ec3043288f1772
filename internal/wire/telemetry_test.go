package wire_test

import (
	"cmp"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/relay"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// telemetryBatch returns a valid batch with one input window and an
// endpoint report that uses every field.
func telemetryBatch() wire.Batch {
	flight := make([]int, keystroke.NumFlightBins)
	flight[1], flight[8], flight[12] = 2, 1, 1 // 4 flights for 5 keys
	hold := make([]int, keystroke.NumHoldBins)
	hold[7], hold[9] = 3, 2
	return wire.Batch{Version: 1, BatchID: "b-tel", Windows: []wire.InputWindow{{
		WindowID: "w-0001", Start: now.Add(-2 * time.Minute), End: now.Add(-time.Minute), Source: "evdev",
		Keys: 5, Repeats: 1,
		ByClass:      map[string]int{"letter": 3, "space": 1, "enter": 1},
		ByProvenance: map[string]int{"physical": 4, "injected": 1},
		FlightHist:   flight, HoldHist: hold,
		FlightSum: 0.34, FlightSumSq: 0.0502, HoldSum: 0.41, HoldSumSq: 0.0345,
		FastPairs: 2, Bursts: 1, StallBursts: 1,
		Devices: []wire.InputDevice{
			{Name: "AT Translated Set 2 keyboard", Provenance: "physical", Bus: "i8042", Keys: 4},
			{Name: "Virtual core XTEST keyboard", Provenance: "injected", Bus: "xtest", VendorID: "046d", ProductID: "c52b", Keys: 1},
		},
		Raw:   []wire.RawKey{{PressMicros: 0, HoldMicros: 81_000, Class: "letter", Provenance: "physical"}, {PressMicros: 7_000, HoldMicros: 90_500, Class: "enter", Provenance: "injected"}},
		Relay: relayBlock(),
	}}, Endpoint: &wire.EndpointReport{
		At: now.Add(-30 * time.Second),
		RemoteTools: []wire.RemoteTool{{Name: "x11vnc", Catalog: "lolrmm", PID: 4242, Process: "x11vnc",
			Listening: []string{"0.0.0.0:5900", "[::]:5900"},
			Sessions: []wire.RemoteSession{
				{Local: "192.0.2.10:5900", Remote: "198.51.100.7:51514", RTTMicros: 142_000, MinRTTMicros: 139_500, RTTVarMicros: 4_000},
				{Local: "[2001:db8::10]:5900", Remote: "[2001:db8:1::7]:40000", RTTMicros: 0, MinRTTMicros: 0, RTTVarMicros: 0},
			}}},
		USB: []wire.USBDevice{
			{Path: "1-1.2", VendorID: "1d6b", ProductID: "0104", Manufacturer: "PiKVM", Product: "Composite KVM Device", Serial: "CAFEBABE", HID: true,
				Match: &wire.HardwareMatch{Device: "PiKVM v4", Rule: "usb 1d6b:0104 + manufacturer PiKVM", Evidence: "The USB keyboard is a PiKVM gadget: input may come from across the network.", Strength: wire.StrengthStrong}},
			{Path: "2-1", VendorID: "046d", ProductID: "c52b"},
		},
		Displays: []wire.Display{{Connector: "card0-HDMI-A-1", Manufacturer: "TSB", ProductCode: "0001", Name: "TC358743",
			Match: &wire.HardwareMatch{Device: "HDMI-CSI bridge", Rule: "edid TSB", Evidence: "The display is a capture bridge.", Strength: wire.StrengthWeak}}},
	}}
}

// relayBlock returns a valid relay block for the window of
// telemetryBatch (5 strokes): one burst of three messages after a 420 ms
// silence, two zero holds.
func relayBlock() *wire.RelayFeatures {
	gap := make([]int, relay.NumGapBins)
	gap[20], gap[30], gap[40], gap[127] = 2, 1, 1, 1 // 10 messages: the first, 4 ties, 5 gaps (one over 1 s)
	stall := make([]int, relay.NumGapBins)
	stall[42] = 1
	return &wire.RelayFeatures{Keys: 5, Msgs: 10, Ties: 4, Bursts: 1, StallBursts: 1, ZeroHolds: 2,
		StallMicros: 420_000, GapMicros: 520_000, Gaps: 4, GapHist: gap, StallHist: stall,
		HoldSum: 0.3, HoldSumSq: 0.0306, QuantCos: []float64{1.5, -2, 0.25, 10}, QuantSin: []float64{-0.5, 3, -10, 0}}
}

// telemetryJSON returns telemetryBatch as JSON with the value at each
// dotted path ("windows.0.keys") replaced; the value del removes it.
func telemetryJSON(t testing.TB, patches ...any) string {
	t.Helper()
	b, err := json.Marshal(telemetryBatch())
	if err != nil {
		t.Fatal(err)
	}
	var m any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(patches); i += 2 {
		setPath(t, m, strings.Split(patches[i].(string), "."), patches[i+1])
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// del as a patch value removes the field.
var del = &struct{}{}

func setPath(t testing.TB, v any, path []string, val any) {
	t.Helper()
	last := len(path) == 1
	switch x := v.(type) {
	case map[string]any:
		if last {
			if val == del {
				delete(x, path[0])
			} else {
				x[path[0]] = val
			}
			return
		}
		setPath(t, x[path[0]], path[1:], val)
	case []any:
		i, err := strconv.Atoi(path[0])
		if err != nil || i >= len(x) {
			t.Fatalf("bad path element %q", path[0])
		}
		if last {
			x[i] = val
			return
		}
		setPath(t, x[i], path[1:], val)
	default:
		t.Fatalf("cannot descend into %T at %q", v, path[0])
	}
}

// times returns n copies of v, for lists over a limit.
func times(n int, v any) []any { return slices.Repeat([]any{v}, n) }

func TestDecodeBatchTelemetryGood(t *testing.T) {
	want := telemetryBatch()
	in := telemetryJSON(t)
	got, err := wire.DecodeBatch([]byte(in), now)
	if err != nil {
		t.Fatalf("DecodeBatch(telemetry) = %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeBatch(telemetry) =\n%+v\nwant\n%+v", got, want)
	}
}

func TestDecodeBatchTelemetryEdges(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		windows int
		check   func(b wire.Batch) bool
	}{
		{"empty windows is nil", `{"version":1,"batch_id":"b","windows":[]}`, 0, func(b wire.Batch) bool { return b.Windows == nil }},
		{"null endpoint", `{"version":1,"batch_id":"b","windows":null,"endpoint":null}`, 0, func(b wire.Batch) bool { return b.Endpoint == nil }},
		{"empty raw is nil", telemetryJSON(t, "windows.0.raw", []any{}), 1, func(b wire.Batch) bool { return b.Windows[0].Raw == nil }},
		{"null lists stay nil", telemetryJSON(t, "endpoint.usb", nil, "endpoint.displays", nil, "windows.0.devices", nil), 1,
			func(b wire.Batch) bool {
				return b.Endpoint.USB == nil && b.Endpoint.Displays == nil && b.Windows[0].Devices == nil
			}},
		{"empty lists stay empty", telemetryJSON(t, "endpoint.remote_tools", []any{}, "endpoint.usb", []any{}), 1,
			func(b wire.Batch) bool {
				return b.Endpoint.RemoteTools != nil && len(b.Endpoint.RemoteTools) == 0 && len(b.Endpoint.USB) == 0
			}},
		{"duplicate window IDs are the store's business", telemetryJSON(t, "windows", []any{
			json.RawMessage(windowJSON(t)), json.RawMessage(windowJSON(t))}), 2, nil},
		{"empty window", telemetryJSON(t, "windows.0.keys", 0, "windows.0.repeats", 0, "windows.0.by_class", map[string]any{},
			"windows.0.by_provenance", nil, "windows.0.flight_hist", make([]int, keystroke.NumFlightBins), "windows.0.hold_hist", make([]int, keystroke.NumHoldBins),
			"windows.0.fast_pairs", 0, "windows.0.bursts", 0, "windows.0.stall_bursts", 0, "windows.0.devices", []any{}, "windows.0.raw", del, "windows.0.relay", del), 1, nil},
		{"longest window", telemetryJSON(t, "windows.0.start", "2026-03-01T11:00:00Z", "windows.0.end", "2026-03-01T12:00:00Z"), 1, nil},
		{"most windows", telemetryJSON(t, "windows", times(wire.MaxWindows, json.RawMessage(windowJSON(t)))), wire.MaxWindows, nil},
		{"session rtt limit", telemetryJSON(t, "endpoint.remote_tools.0.sessions.1.rtt_us", wire.MaxRTTMicros), 1, nil},
		{"zone in address", telemetryJSON(t, "endpoint.remote_tools.0.listening.0", "[fe80::1%eth0]:5900"), 1, nil},
		{"no relay block (older agent)", telemetryJSON(t, "windows.0.relay", del), 1, func(b wire.Batch) bool { return b.Windows[0].Relay == nil }},
		{"null relay block", telemetryJSON(t, "windows.0.relay", nil), 1, func(b wire.Batch) bool { return b.Windows[0].Relay == nil }},
		{"relay at its limits", telemetryJSON(t, "windows.0.relay.msgs", 2*5+relay.HeldKeys, "windows.0.relay.ties", 2*5+relay.HeldKeys,
			"windows.0.relay.zero_holds", 5, "windows.0.relay.hold_sum_s", 1.25, "windows.0.relay.hold_sumsq_s2", 0.3125,
			"windows.0.relay.stall_us", relay.StallClip.Microseconds(), "windows.0.relay.gap_us", 4_000_000,
			"windows.0.relay.gap_hist", make([]int, relay.NumGapBins), "windows.0.relay.quant_cos", []float64{26, -26, 0, 0}), 1, nil},
		{"relay of an empty window", telemetryJSON(t, "windows.0.keys", 0, "windows.0.repeats", 0, "windows.0.by_class", map[string]any{},
			"windows.0.by_provenance", nil, "windows.0.flight_hist", make([]int, keystroke.NumFlightBins), "windows.0.hold_hist", make([]int, keystroke.NumHoldBins),
			"windows.0.fast_pairs", 0, "windows.0.bursts", 0, "windows.0.stall_bursts", 0, "windows.0.devices", []any{}, "windows.0.raw", del,
			"windows.0.relay", wire.NewRelayFeatures(&relay.Features{})), 1, func(b wire.Batch) bool { return b.Windows[0].Relay.Keys == 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := wire.DecodeBatch([]byte(tt.in), now)
			if err != nil {
				t.Fatalf("DecodeBatch(%s) = %v, want nil", tt.in, err)
			}
			if len(b.Windows) != tt.windows {
				t.Errorf("DecodeBatch(%s) has %d windows, want %d", tt.in, len(b.Windows), tt.windows)
			}
			if tt.check != nil && !tt.check(b) {
				t.Errorf("DecodeBatch(%s) = %+v, fails the check", tt.in, b)
			}
		})
	}
}

// windowJSON returns the window of telemetryBatch as JSON.
func windowJSON(t testing.TB) string {
	t.Helper()
	b, err := json.Marshal(telemetryBatch().Windows[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDecodeBatchTelemetryBad(t *testing.T) {
	flight := func(mod func([]int)) []int {
		h := slices.Clone(telemetryBatch().Windows[0].FlightHist)
		mod(h)
		return h
	}
	hold := func(mod func([]int)) []int {
		h := slices.Clone(telemetryBatch().Windows[0].HoldHist)
		mod(h)
		return h
	}
	device := map[string]any{"name": "kbd", "provenance": "physical", "bus": "usb", "keys": 0}
	tests := []struct {
		name      string
		patches   []any
		field     string
		reasonHas string
	}{
		{"too many windows", []any{"windows", times(wire.MaxWindows+1, json.RawMessage(windowJSON(t)))}, "windows", "at most 100 windows, not 101"},
		{"windows not array", []any{"windows", map[string]any{}}, "windows", "must be an array"},
		{"window null", []any{"windows", []any{nil}}, "windows[0]", "must be an object"},
		{"second window bad", []any{"windows", []any{json.RawMessage(windowJSON(t)), map[string]any{"window_id": "x y"}}}, "windows[1].window_id", "[A-Za-z0-9_-]"},
		{"window unknown field", []any{"windows.0.key_codes", []any{30, 31}}, "windows[0].key_codes", "unknown field"},
		{"window id missing", []any{"windows.0.window_id", del}, "windows[0].window_id", "1 to 64 characters"},
		{"start too old", []any{"windows.0.start", "2026-02-20T00:00:00Z"}, "windows[0].start", "more than 7 days before"},
		{"start not utc", []any{"windows.0.start", "2026-03-01T12:58:00+01:00"}, "windows[0].start", "RFC 3339 time in UTC"},
		{"end in the future", []any{"windows.0.end", "2026-03-01T12:06:00Z"}, "windows[0].end", "more than 5 minutes after"},
		{"end before start", []any{"windows.0.end", "2026-03-01T11:57:00Z"}, "windows[0].end", "must be after start"},
		{"end at start", []any{"windows.0.end", "2026-03-01T11:58:00Z"}, "windows[0].end", "must be after start"},
		{"window too long", []any{"windows.0.start", "2026-03-01T10:58:59Z"}, "windows[0].end", "at most 3600 seconds after start"},
		{"source empty", []any{"windows.0.source", ""}, "windows[0].source", "1 to 256 bytes"},
		{"keys negative", []any{"windows.0.keys", -1}, "windows[0].keys", "must be between 0 and 360000"},
		{"keys too many", []any{"windows.0.keys", wire.MaxKeysPerWindow + 1}, "windows[0].keys", "must be between 0 and 360000"},
		{"keys float", []any{"windows.0.keys", 1.5}, "windows[0].keys", "must be an integer, not number"},
		{"repeats negative", []any{"windows.0.repeats", -3}, "windows[0].repeats", "must be between 0 and 360000"},
		{"class name unknown", []any{"windows.0.by_class", map[string]any{"letter": 4, "a": 1}}, "windows[0].by_class", "keys must be key class names"},
		{"class count negative", []any{"windows.0.by_class", map[string]any{"letter": 6, "space": -1}}, "windows[0].by_class", "counts must be between 0 and 360000"},
		{"class counts off", []any{"windows.0.by_class", map[string]any{"letter": 4}}, "windows[0].by_class", "counts must add up to keys"},
		{"class count type", []any{"windows.0.by_class", map[string]any{"letter": "5"}}, "windows[0].by_class", "must be an integer, not string"},
		{"provenance unknown", []any{"windows.0.by_provenance", map[string]any{"remote": 5}}, "windows[0].by_provenance", "unknown, physical, virtual or injected"},
		{"provenance counts off", []any{"windows.0.by_provenance", map[string]any{"physical": 5, "virtual": 1}}, "windows[0].by_provenance", "add up to keys"},
		{"flight hist short", []any{"windows.0.flight_hist", make([]int, keystroke.NumFlightBins-1)}, "windows[0].flight_hist", "must have 31 entries"},
		{"flight hist missing", []any{"windows.0.flight_hist", del}, "windows[0].flight_hist", "must have 31 entries"},
		{"flight hist negative", []any{"windows.0.flight_hist", flight(func(h []int) { h[0], h[1] = -1, 3 })}, "windows[0].flight_hist", "entries must be between 0 and 360000"},
		{"flight hist over keys", []any{"windows.0.flight_hist", flight(func(h []int) { h[30] = 2 })}, "windows[0].flight_hist", "add up to at most keys"},
		{"hold hist long", []any{"windows.0.hold_hist", make([]int, keystroke.NumHoldBins+1)}, "windows[0].hold_hist", "must have 25 entries"},
		{"hold hist under keys", []any{"windows.0.hold_hist", hold(func(h []int) { h[7] = 2 })}, "windows[0].hold_hist", "entries must add up to keys"},
		{"hold hist type", []any{"windows.0.hold_hist", "1,2,3"}, "windows[0].hold_hist", "must be an array"},
		{"flight sum negative", []any{"windows.0.flight_sum_s", -0.5}, "windows[0].flight_sum_s", "finite number, not negative"},
		{"hold sumsq negative", []any{"windows.0.hold_sumsq_s2", -1e-9}, "windows[0].hold_sumsq_s2", "not negative"},
		{"hold sum huge", []any{"windows.0.hold_sum_s", json.RawMessage("1e999")}, "windows[0].hold_sum_s", "must be a number"},
		{"fast pairs over keys", []any{"windows.0.fast_pairs", 6}, "windows[0].fast_pairs", "at most keys"},
		{"bursts over fast pairs", []any{"windows.0.bursts", 3}, "windows[0].bursts", "at most fast_pairs"},
		{"stall bursts over bursts", []any{"windows.0.stall_bursts", 2}, "windows[0].stall_bursts", "at most bursts"},
		{"stall bursts negative", []any{"windows.0.stall_bursts", -1}, "windows[0].stall_bursts", "between 0 and 360000"},
		{"too many devices", []any{"windows.0.devices", times(wire.MaxInputDevices+1, device)}, "windows[0].devices", "at most 64 devices, not 65"},
		{"device key code", []any{"windows.0.devices.1.key_code", 30}, "windows[0].devices[1].key_code", "unknown field"},
		{"device vendor upper case", []any{"windows.0.devices.1.vendor_id", "046D"}, "windows[0].devices[1].vendor_id", "4 lower-case hex digits"},
		{"device product short", []any{"windows.0.devices.1.product_id", "c52"}, "windows[0].devices[1].product_id", "4 lower-case hex digits"},
		{"device provenance", []any{"windows.0.devices.0.provenance", "usb"}, "windows[0].devices[0].provenance", "unknown, physical, virtual or injected"},
		{"device name long", []any{"windows.0.devices.0.name", strings.Repeat("n", 257)}, "windows[0].devices[0].name", "at most 256 bytes"},
		{"device bus control", []any{"windows.0.devices.0.bus", "u\tsb"}, "windows[0].devices[0].bus", "control characters"},
		{"device keys over window", []any{"windows.0.devices.0.keys", 5}, "windows[0].devices", "add up to at most keys"},
		{"device not object", []any{"windows.0.devices.0", "kbd"}, "windows[0].devices[0]", "must be an object"},
		{"raw more than keys", []any{"windows.0.raw", times(6, map[string]any{"press_us": 0, "hold_us": 1, "class": "letter", "provenance": "physical"})}, "windows[0].raw", "at most keys entries"},
		{"raw class", []any{"windows.0.raw.1.class", "q"}, "windows[0].raw[1].class", "key class name"},
		{"raw key code", []any{"windows.0.raw.1.code", 16}, "windows[0].raw[1].code", "unknown field"},
		{"raw press negative", []any{"windows.0.raw.0.press_us", -1}, "windows[0].raw[0].press_us", "must be between 0 and 3600000000"},
		{"raw hold too long", []any{"windows.0.raw.0.hold_us", wire.MaxRTTMicros + 1}, "windows[0].raw[0].hold_us", "must be between 0 and 60000000"},
		{"relay not object", []any{"windows.0.relay", []any{}}, "windows[0].relay", "must be an object"},
		{"relay key code", []any{"windows.0.relay.key_code", 30}, "windows[0].relay.key_code", "unknown field"},
		{"relay keys float", []any{"windows.0.relay.keys", 1.5}, "windows[0].relay.keys", "must be an integer, not number"},
		{"relay keys over window", []any{"windows.0.relay.keys", 6}, "windows[0].relay.keys", "must be at most the window's keys"},
		{"relay keys negative", []any{"windows.0.relay.keys", -1}, "windows[0].relay.keys", "must be between 0 and 360000"},
		{"relay msgs over", []any{"windows.0.relay.msgs", 2*5 + relay.HeldKeys + 1}, "windows[0].relay.msgs", "must be between 0 and 2 × keys + 16"},
		{"relay msgs negative", []any{"windows.0.relay.msgs", -1}, "windows[0].relay.msgs", "must be between 0 and 2 × keys + 16"},
		{"relay ties over msgs", []any{"windows.0.relay.ties", 11}, "windows[0].relay.ties", "must be at most msgs"},
		{"relay bursts over ties", []any{"windows.0.relay.bursts", 5}, "windows[0].relay.bursts", "must be at most ties"},
		{"relay stall bursts over bursts", []any{"windows.0.relay.stall_bursts", 2}, "windows[0].relay.stall_bursts", "must be at most bursts"},
		{"relay zero holds over keys", []any{"windows.0.relay.zero_holds", 6}, "windows[0].relay.zero_holds", "must be at most keys"},
		{"relay gaps over msgs", []any{"windows.0.relay.gaps", 11}, "windows[0].relay.gaps", "must be at most msgs"},
		{"relay stall sum over clip", []any{"windows.0.relay.stall_us", relay.StallClip.Microseconds() + 1}, "windows[0].relay.stall_us", "must be between 0 and stall_bursts × 60000000"},
		{"relay gap sum negative", []any{"windows.0.relay.gap_us", -1}, "windows[0].relay.gap_us", "must be between 0 and gaps × 1000000"},
		{"relay gap sum over", []any{"windows.0.relay.gap_us", 4_000_001}, "windows[0].relay.gap_us", "must be between 0 and gaps × 1000000"},
		{"relay gap hist short", []any{"windows.0.relay.gap_hist", make([]int, relay.NumGapBins-1)}, "windows[0].relay.gap_hist", "must have 128 entries"},
		{"relay gap hist missing", []any{"windows.0.relay.gap_hist", del}, "windows[0].relay.gap_hist", "must have 128 entries"},
		{"relay gap hist count", []any{"windows.0.relay.gap_hist", slices.Repeat([]int{70000}, relay.NumGapBins)}, "windows[0].relay.gap_hist", "entries must be between 0 and 65535"},
		{"relay gap hist negative", []any{"windows.0.relay.gap_hist", append([]int{-1}, make([]int, relay.NumGapBins-1)...)}, "windows[0].relay.gap_hist", "entries must be between 0 and 65535"},
		{"relay gap hist over msgs", []any{"windows.0.relay.gap_hist", append([]int{7}, make([]int, relay.NumGapBins-1)...)}, "windows[0].relay.gap_hist", "add up to at most msgs − ties"},
		{"relay stall hist long", []any{"windows.0.relay.stall_hist", make([]int, relay.NumGapBins+1)}, "windows[0].relay.stall_hist", "must have 128 entries"},
		{"relay stall hist over", []any{"windows.0.relay.stall_hist", append([]int{2}, make([]int, relay.NumGapBins-1)...)}, "windows[0].relay.stall_hist", "add up to at most stall_bursts"},
		{"relay hold sum over", []any{"windows.0.relay.hold_sum_s", 1.2500001}, "windows[0].relay.hold_sum_s", "must be at most keys × 0.25"},
		{"relay hold sumsq negative", []any{"windows.0.relay.hold_sumsq_s2", -1e-9}, "windows[0].relay.hold_sumsq_s2", "finite number, not negative"},
		{"relay hold sumsq over", []any{"windows.0.relay.hold_sumsq_s2", 0.32}, "windows[0].relay.hold_sumsq_s2", "must be at most keys × 0.0625"},
		{"relay hold sum huge", []any{"windows.0.relay.hold_sum_s", json.RawMessage("1e999")}, "windows[0].relay.hold_sum_s", "must be a number"},
		{"relay quant short", []any{"windows.0.relay.quant_cos", []float64{1, 2, 3}}, "windows[0].relay.quant_cos", "must have 4 entries"},
		{"relay quant over msgs", []any{"windows.0.relay.quant_sin", []float64{0, 0, 10.5, 0}}, "windows[0].relay.quant_sin", "between -msgs and msgs"},
		{"relay quant null", []any{"windows.0.relay.quant_sin", nil}, "windows[0].relay.quant_sin", "must have 4 entries"},
		{"endpoint not object", []any{"endpoint", []any{}}, "endpoint", "must be an object"},
		{"endpoint unknown", []any{"endpoint.processes", []any{}}, "endpoint.processes", "unknown field"},
		{"endpoint at", []any{"endpoint.at", "2026-03-01T12:05:01Z"}, "endpoint.at", "more than 5 minutes after"},
		{"endpoint at missing", []any{"endpoint.at", del}, "endpoint.at", "RFC 3339"},
		{"too many tools", []any{"endpoint.remote_tools", times(wire.MaxRemoteTools+1, map[string]any{})}, "endpoint.remote_tools", "at most 64 tools, not 65"},
		{"tool name", []any{"endpoint.remote_tools.0.name", ""}, "endpoint.remote_tools[0].name", "1 to 256 bytes"},
		{"tool catalog", []any{"endpoint.remote_tools.0.catalog", del}, "endpoint.remote_tools[0].catalog", "1 to 256 bytes"},
		{"tool pid zero", []any{"endpoint.remote_tools.0.pid", 0}, "endpoint.remote_tools[0].pid", "must be between 1 and 2147483647"},
		{"tool pid huge", []any{"endpoint.remote_tools.0.pid", 1 << 31}, "endpoint.remote_tools[0].pid", "must be between 1 and 2147483647"},
		{"tool process", []any{"endpoint.remote_tools.0.process", strings.Repeat("p", 257)}, "endpoint.remote_tools[0].process", "1 to 256 bytes"},
		{"listener host name", []any{"endpoint.remote_tools.0.listening.1", "localhost:5900"}, "endpoint.remote_tools[0].listening[1]", "IP address and port"},
		{"listener no port", []any{"endpoint.remote_tools.0.listening.0", "0.0.0.0"}, "endpoint.remote_tools[0].listening[0]", "IP address and port"},
		{"listener type", []any{"endpoint.remote_tools.0.listening.0", 5900}, "endpoint.remote_tools[0].listening", "must be a string, not number"},
		{"too many listeners", []any{"endpoint.remote_tools.0.listening", times(wire.MaxListeners+1, "0.0.0.0:1")}, "endpoint.remote_tools[0].listening", "at most 64 sockets, not 65"},
		{"too many sessions", []any{"endpoint.remote_tools.0.sessions", times(wire.MaxSessions+1, map[string]any{})}, "endpoint.remote_tools[0].sessions", "at most 64 sessions, not 65"},
		{"session rtt", []any{"endpoint.remote_tools.0.sessions.1.rtt_us", wire.MaxRTTMicros + 1}, "endpoint.remote_tools[0].sessions[1].rtt_us", "must be between 0 and 60000000"},
		{"session min rtt", []any{"endpoint.remote_tools.0.sessions.0.min_rtt_us", -1}, "endpoint.remote_tools[0].sessions[0].min_rtt_us", "must be between 0 and 60000000"},
		{"session rtt var", []any{"endpoint.remote_tools.0.sessions.0.rtt_var_us", -1}, "endpoint.remote_tools[0].sessions[0].rtt_var_us", "must be between 0 and 60000000"},
		{"session remote", []any{"endpoint.remote_tools.0.sessions.0.remote", "198.51.100.7"}, "endpoint.remote_tools[0].sessions[0].remote", "IP address and port"},
		{"session local", []any{"endpoint.remote_tools.0.sessions.0.local", "192.0.2.10:99999"}, "endpoint.remote_tools[0].sessions[0].local", "IP address and port"},
		{"session null", []any{"endpoint.remote_tools.0.sessions.0", nil}, "endpoint.remote_tools[0].sessions[0]", "must be an object"},
		{"too many usb", []any{"endpoint.usb", times(wire.MaxUSBDevices+1, map[string]any{})}, "endpoint.usb", "at most 128 devices, not 129"},
		{"usb path", []any{"endpoint.usb.1.path", ""}, "endpoint.usb[1].path", "1 to 256 bytes"},
		{"usb vendor", []any{"endpoint.usb.1.vendor_id", "xyz1"}, "endpoint.usb[1].vendor_id", "4 lower-case hex digits"},
		{"usb product missing", []any{"endpoint.usb.1.product_id", del}, "endpoint.usb[1].product_id", "4 lower-case hex digits"},
		{"usb serial long", []any{"endpoint.usb.0.serial", strings.Repeat("s", 257)}, "endpoint.usb[0].serial", "at most 256 bytes"},
		{"usb hid type", []any{"endpoint.usb.0.hid", "yes"}, "endpoint.usb[0].hid", "must be true or false"},
		{"usb match not object", []any{"endpoint.usb.0.match", "PiKVM"}, "endpoint.usb[0].match", "must be an object"},
		{"usb match evidence", []any{"endpoint.usb.0.match.evidence", ""}, "endpoint.usb[0].match.evidence", "1 to 1024 bytes"},
		{"usb match evidence long", []any{"endpoint.usb.0.match.evidence", strings.Repeat("e", 1025)}, "endpoint.usb[0].match.evidence", "1 to 1024 bytes"},
		{"usb match strength", []any{"endpoint.usb.0.match.strength", "maybe"}, "endpoint.usb[0].match.strength", `must be "strong" or "weak"`},
		{"usb match unknown", []any{"endpoint.usb.0.match.score", 1}, "endpoint.usb[0].match.score", "unknown field"},
		{"too many displays", []any{"endpoint.displays", times(wire.MaxDisplays+1, map[string]any{})}, "endpoint.displays", "at most 16 displays, not 17"},
		{"display manufacturer", []any{"endpoint.displays.0.manufacturer", "tsb"}, "endpoint.displays[0].manufacturer", "3 upper-case letters"},
		{"display manufacturer long", []any{"endpoint.displays.0.manufacturer", "TSBX"}, "endpoint.displays[0].manufacturer", "3 upper-case letters"},
		{"display product code", []any{"endpoint.displays.0.product_code", "00001"}, "endpoint.displays[0].product_code", "4 lower-case hex digits"},
		{"display connector", []any{"endpoint.displays.0.connector", del}, "endpoint.displays[0].connector", "1 to 256 bytes"},
		{"display match device", []any{"endpoint.displays.0.match.device", ""}, "endpoint.displays[0].match.device", "1 to 256 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := telemetryJSON(t, tt.patches...)
			_, err := wire.DecodeBatch([]byte(in), now)
			checkFieldError(t, err, wire.CodeInvalidField, tt.field, tt.reasonHas)
		})
	}
}

// TestWindowerOutputDecodes checks that what package keystroke's Windower
// produces, converted field by field, passes the decoder's consistency
// rules: class and provenance counts and the hold histogram add up to
// keys, the flight histogram to at most keys, bursts within fast pairs.
func TestWindowerOutputDecodes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	wd := keystroke.NewWindower(false)
	start := now.Add(-10 * time.Minute)
	var press time.Duration
	for win := range 5 {
		for range 200 + win*50 {
			switch r := rng.IntN(20); {
			case r == 0:
				press += time.Duration(500+rng.IntN(2000)) * time.Millisecond // a pause
			case r < 4:
				press += time.Duration(rng.IntN(15)) * time.Millisecond // relayed burst
			default:
				press += time.Duration(40+rng.IntN(250)) * time.Millisecond
			}
			hold := time.Duration(30+rng.IntN(150)) * time.Millisecond
			wd.Add(keystroke.Event{Press: press, Release: press + hold,
				Class: keystroke.Class(rng.IntN(int(keystroke.NumClasses))), Prov: keystroke.Provenance(rng.IntN(int(keystroke.NumProvenances))),
				Device: uint16(rng.IntN(3)), Repeats: uint16(rng.IntN(2))})
		}
		ws := start.Add(time.Duration(win) * time.Minute)
		kw := wd.Cut(ws, ws.Add(time.Minute))
		iw := wire.InputWindow{WindowID: "w-" + strconv.Itoa(win), Start: kw.Start, End: kw.End, Source: "evdev",
			Keys: kw.Keys, Repeats: kw.Repeats, ByClass: map[string]int{}, ByProvenance: map[string]int{},
			FlightHist: kw.Flight, HoldHist: kw.Hold,
			FlightSum: kw.FlightSum, FlightSumSq: kw.FlightSumSq, HoldSum: kw.HoldSum, HoldSumSq: kw.HoldSumSq,
			FastPairs: kw.FastPairs, Bursts: kw.Bursts, StallBursts: kw.StallBursts}
		for c, n := range kw.ByClass {
			if n > 0 {
				iw.ByClass[keystroke.Class(c).String()] = n
			}
		}
		for p, n := range kw.ByProv {
			iw.ByProvenance[keystroke.Provenance(p).String()] = n // zero counts are allowed too
		}
		for dev, n := range kw.ByDevice {
			iw.Devices = append(iw.Devices, wire.InputDevice{Name: "dev " + strconv.Itoa(int(dev)), Provenance: "unknown", Bus: "usb", Keys: n})
		}
		body, err := json.Marshal(wire.Batch{Version: 1, BatchID: "b", Windows: []wire.InputWindow{iw}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := wire.DecodeBatch(body, now); err != nil {
			t.Errorf("window %d from the Windower (keys %d, fast pairs %d, bursts %d) rejected: %v", win, kw.Keys, kw.FastPairs, kw.Bursts, err)
		}
		if kw.Bursts == 0 && win > 0 {
			t.Logf("window %d has no bursts; the test covers less than it should", win)
		}
	}
}

// TestRelayFeaturesDecode checks that the relay blocks an agent makes
// (relay.LiveExtractor over strokes in the order a reader reports them,
// at release) pass the decoder's consistency rules, for local typing with
// overlapping keys and for typing through relays that leave bursts and
// zero holds, and that the server gets back the features the agent had,
// sums to the microsecond.
func TestRelayFeaturesDecode(t *testing.T) {
	local := overlappingTyping(2000, 7)
	for _, tc := range []struct {
		name   string
		events []keystroke.Event
	}{
		{"local", local},
		{"nagle", relay.Path{RTT: 150 * time.Millisecond, Loss: 0.02, AckDelay: relay.DelayedAck}.Relay(local, 1)},
		{"nodelay loss", relay.Path{RTT: 150 * time.Millisecond, Loss: 0.05, NoDelay: true}.Relay(local, 2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := slices.Clone(tc.events)
			slices.SortStableFunc(ev, func(a, b keystroke.Event) int { return cmp.Compare(a.Release, b.Release) }) // as a reader reports them
			var x relay.LiveExtractor
			var tot relay.Features
			for i, e := range ev {
				x.Add(e)
				if n := i + 1; n%137 != 0 && n != len(ev) {
					continue
				}
				f := x.Cut()
				tot.Add(&f)
				body, err := json.Marshal(wire.Batch{Version: 1, BatchID: "b", Windows: []wire.InputWindow{relayWindow(f.Keys, wire.NewRelayFeatures(&f))}})
				if err != nil {
					t.Fatal(err)
				}
				b, err := wire.DecodeBatch(body, now)
				if err != nil {
					t.Fatalf("window ending at stroke %d (keys %d msgs %d ties %d bursts %d): %v", i, f.Keys, f.Msgs, f.Ties, f.Bursts, err)
				}
				got, want := b.Windows[0].Relay.Features(), f
				want.StallSum, want.GapSum = want.StallSum.Truncate(time.Microsecond), want.GapSum.Truncate(time.Microsecond)
				if got != want {
					t.Fatalf("window ending at stroke %d: decoded features\n%+v\nwant\n%+v", i, got, want)
				}
			}
			if tot.Keys != len(ev) {
				t.Errorf("windows hold %d strokes, want %d", tot.Keys, len(ev))
			}
			if tc.name != "local" && (tot.Bursts == 0 || tot.ZeroHolds == 0) {
				t.Errorf("relayed typing left %d bursts and %d zero holds; the test covers less than it should", tot.Bursts, tot.ZeroHolds)
			}
		})
	}
}

// overlappingTyping returns n strokes of synthetic local typing in press
// order, where a fifth of the keys are still down at the next press and
// now and then a modifier is held over several keys.
func overlappingTyping(n int, seed uint64) []keystroke.Event {
	rng := rand.New(rand.NewPCG(seed, 3))
	out := make([]keystroke.Event, n)
	press := time.Second
	for i := range out {
		gap := time.Duration(60+rng.IntN(250)) * time.Millisecond
		if rng.IntN(40) == 0 {
			gap += time.Duration(rng.IntN(3000)) * time.Millisecond
		}
		press += gap
		hold := time.Duration(50+rng.IntN(90)) * time.Millisecond
		switch r := rng.IntN(50); {
		case r < 10:
			hold += gap // still down at the next press
		case r == 10:
			hold = time.Duration(1+rng.IntN(25)) * gap // a held modifier
		}
		out[i] = keystroke.Event{Press: press, Release: press + hold, Class: keystroke.ClassLetter}
	}
	return out
}

// relayWindow returns a valid window of keys strokes carrying rf.
func relayWindow(keys int, rf *wire.RelayFeatures) wire.InputWindow {
	hold := make([]int, keystroke.NumHoldBins)
	hold[0] = keys
	return wire.InputWindow{WindowID: "w-relay", Start: now.Add(-2 * time.Minute), End: now.Add(-time.Minute), Source: "evdev",
		Keys: keys, ByClass: map[string]int{"letter": keys}, ByProvenance: map[string]int{"physical": keys},
		FlightHist: make([]int, keystroke.NumFlightBins), HoldHist: hold, Relay: rf}
}

func TestRelayFeaturesConversion(t *testing.T) {
	rf := relayBlock()
	f := rf.Features()
	if f.Keys != 5 || f.Ties != 4 || f.StallSum != 420*time.Millisecond || f.GapSum != 520*time.Millisecond || f.StallHist[42] != 1 || f.GapHist[20] != 2 ||
		f.QuantCos != [relay.NumQuant]float64{1.5, -2, 0.25, 10} || f.QuantSin != [relay.NumQuant]float64{-0.5, 3, -10, 0} || f.HoldSumSq != 0.0306 {
		t.Errorf("relayBlock().Features() = %+v", f)
	}
	if back := wire.NewRelayFeatures(&f); !reflect.DeepEqual(back, rf) {
		t.Errorf("NewRelayFeatures(Features()) = %+v, want %+v", back, rf)
	}
	// NewRelayFeatures copies: changing the features later changes nothing sent.
	back := wire.NewRelayFeatures(&f)
	f.QuantCos[0], f.GapHist[20] = 99, 99
	if back.QuantCos[0] != 1.5 || back.GapHist[20] != 2 {
		t.Errorf("NewRelayFeatures shares memory with its argument: %+v", back)
	}
	if err := wire.CheckRelayFeatures(rf, 5); err != nil {
		t.Errorf("CheckRelayFeatures(relayBlock(), 5) = %v", err)
	}
	err := wire.CheckRelayFeatures(rf, 4)
	checkFieldError(t, err, wire.CodeInvalidField, "relay.keys", "must be at most the window's keys")
}
