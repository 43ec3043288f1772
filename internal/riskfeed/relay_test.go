package riskfeed_test

import (
	"crypto/sha256"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
	"github.com/lagwatch/lagwatch/internal/relay"
	"github.com/lagwatch/lagwatch/internal/risk"
	"github.com/lagwatch/lagwatch/internal/riskfeed"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/wire"
)

// localTyping returns n strokes of synthetic local typing in press order:
// 80 to 250 ms between presses, a pause now and then, holds of 50 to
// 120 ms.
func localTyping(n int, seed uint64) []keystroke.Event {
	r := rand.New(rand.NewPCG(seed, 5))
	out := make([]keystroke.Event, n)
	at := time.Second
	for i := range out {
		at += time.Duration(80+r.IntN(170)) * time.Millisecond
		if r.IntN(40) == 0 {
			at += time.Duration(r.IntN(3000)) * time.Millisecond
		}
		out[i] = keystroke.Event{Press: at, Release: at + time.Duration(50+r.IntN(70))*time.Millisecond, Class: keystroke.ClassLetter}
	}
	return out
}

// enrolDevice stores device id for worker.
func enrolDevice(t *testing.T, st *store.Store, worker, id string) {
	t.Helper()
	h := sha256.Sum256([]byte("token-" + id))
	c := sha256.Sum256([]byte("cred-" + id))
	if err := st.CreateEnrolmentToken(t.Context(), h[:], worker, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Enrol(t.Context(), h[:], store.Device{ID: id, Hostname: id, OS: "linux/amd64", AgentVersion: "test"}, c[:], time.Now()); err != nil {
		t.Fatal(err)
	}
}

// relayWindows cuts strokes (press order) into windows of 100 with
// relay.Extractor, one a minute ending now, and returns them as an agent
// sends them. withBlock false leaves the relay block out, as agents from
// before it do.
func relayWindows(t *testing.T, ev []keystroke.Event, now time.Time, withBlock bool) []wire.InputWindow {
	t.Helper()
	return relayWindowsOf(t, ev, now, withBlock, 100)
}

// relayWindowsOf is relayWindows with windows of size strokes.
func relayWindowsOf(t *testing.T, ev []keystroke.Event, now time.Time, withBlock bool, size int) []wire.InputWindow {
	t.Helper()
	var x relay.Extractor
	var out []wire.InputWindow
	n := len(ev) / size
	for k := range n {
		for _, e := range ev[k*size : (k+1)*size] {
			x.Add(e)
		}
		f := x.Cut()
		start := now.Add(-time.Duration(n-k) * time.Minute).Truncate(time.Second)
		hold := make([]int, keystroke.NumHoldBins)
		hold[5] = f.Keys
		w := wire.InputWindow{WindowID: "w-" + strconv.Itoa(k), Start: start, End: start.Add(time.Minute), Source: "evdev",
			Keys: f.Keys, ByClass: map[string]int{"letter": f.Keys}, ByProvenance: map[string]int{"physical": f.Keys},
			FlightHist: make([]int, keystroke.NumFlightBins), HoldHist: hold}
		if withBlock {
			w.Relay = wire.NewRelayFeatures(&f)
		}
		out = append(out, w)
	}
	return out
}

// saveWindows sends windows the way ingest does: decoded and checked by
// package wire, stored with their counts and the whole window as JSON.
func saveWindows(t *testing.T, st *store.Store, deviceID, batchID string, ws []wire.InputWindow) {
	t.Helper()
	body, err := json.Marshal(wire.Batch{Version: wire.Version, BatchID: batchID, Windows: ws})
	if err != nil {
		t.Fatal(err)
	}
	b, err := wire.DecodeBatch(body, time.Now())
	if err != nil {
		t.Fatalf("DecodeBatch(windows of %s) = %v", deviceID, err)
	}
	var rows []store.InputWindow
	for _, w := range b.Windows {
		wb, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, store.InputWindow{WindowID: w.WindowID, Start: w.Start, End: w.End, Source: w.Source,
			Keys: w.Keys, Physical: w.ByProvenance["physical"], Body: wb})
	}
	saveRows(t, st, deviceID, batchID, rows)
}

func saveRows(t *testing.T, st *store.Store, deviceID, batchID string, rows []store.InputWindow) {
	t.Helper()
	if _, err := st.SaveBatch(t.Context(), store.Batch{DeviceID: deviceID, ID: batchID, ReceivedAt: time.Now(), RemoteIP: "192.0.2.1", Windows: rows}); err != nil {
		t.Fatal(err)
	}
}

// TestGatherRelay: a device whose windows hold typing relayed over a
// 150 ms path with 2 % loss gets relay.detected; a device with the same
// typing done locally does not. Windows from older agents, without a
// block, are skipped, and a stored block that breaks the wire format's
// rules is reported and not used.
func TestGatherRelay(t *testing.T) {
	ctx := t.Context()
	st := openStore(t)
	putWorkers(t, st, "w-relay", "w-local")
	enrolDevice(t, st, "w-relay", "d-relay")
	enrolDevice(t, st, "w-local", "d-local")
	now := time.Now()
	local := localTyping(1000, 1)
	relayed := relay.Path{RTT: 150 * time.Millisecond, Loss: 0.02, NoDelay: true}.Relay(local, 1)

	old := relayWindows(t, local[:100], now.Add(-2*time.Hour), false)
	saveWindows(t, st, "d-relay", "b-old", old)
	saveWindows(t, st, "d-local", "b-old", old)
	saveWindows(t, st, "d-relay", "b-1", relayWindows(t, relayed, now, true))
	saveWindows(t, st, "d-local", "b-1", relayWindows(t, local, now, true))
	// A block that breaks the rules (ties over msgs), stored past ingest.
	bad := relayWindows(t, local[:100], now.Add(-time.Hour), true)[0]
	bad.WindowID, bad.Relay.Ties = "w-bad", bad.Relay.Msgs+1
	badBody, err := json.Marshal(bad)
	if err != nil {
		t.Fatal(err)
	}
	saveRows(t, st, "d-local", "b-bad", []store.InputWindow{{WindowID: bad.WindowID, Start: bad.Start, End: bad.End, Source: "evdev", Keys: bad.Keys, Body: badBody}})

	var warnings []string
	ev, _, err := riskfeed.Gather(ctx, st, nil, now.Add(-7*24*time.Hour), now.Add(time.Minute), func(s string) { warnings = append(warnings, s) })
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]risk.Evidence{}
	for _, e := range ev {
		if e.Detector == "relay.detected" {
			found[e.Subject.String()] = e
		}
	}
	e, ok := found[risk.Device("d-relay").String()]
	if !ok {
		t.Fatalf("no relay.detected for d-relay; evidence %+v", ev)
	}
	if _, ok := found[risk.Device("d-local").String()]; ok {
		t.Errorf("relay.detected for d-local, which typed locally: %+v", found)
	}
	t.Logf("relay evidence: %s (refs %q)", e.Explanation, e.Refs)
	if err := e.Validate(); err != nil {
		t.Errorf("relay evidence %+v is invalid: %v", e, err)
	}
	if e.Provenance != risk.AgentReported || e.Independent != "loop:d-relay" || len(e.Refs) == 0 || !strings.HasPrefix(e.Refs[0], "input:d-relay/w-") ||
		!strings.Contains(e.Explanation, "hidden path RTT estimate") {
		t.Errorf("relay evidence = %+v; want agent-reported, group loop:d-relay, refs to its windows, an RTT estimate", e)
	}
	if e.At.Before(now.Add(-10*time.Minute)) || e.At.After(now.Add(time.Minute)) {
		t.Errorf("relay evidence at %v; want the end of one of the relayed windows (the last 10 minutes)", e.At)
	}
	if text := strings.Join(warnings, "\n"); !strings.Contains(text, "device d-local: window w-bad: relay block not used") || !strings.Contains(text, "relay.ties") {
		t.Errorf("warnings = %q; want one naming the bad block of d-local and its field", warnings)
	}

	// Fused, the relay counts for the worker.
	rs, err := riskfeed.Risks(ctx, st, nil, 7*24*time.Hour, risk.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	r, ok := riskOf(rs, risk.Worker("w-relay"))
	if !ok || !(counted(r)["relay.detected"] > 0) {
		t.Errorf("w-relay risk = %+v, %v; want relay.detected counted", r, ok)
	}
}

// TestFromRelaySumsShortWindows: the agent cuts windows by time, so a
// window may hold far fewer strokes than the 100 the threshold was fitted
// on. The same typing cut into windows of 10 strokes gets the verdict of
// 100-stroke windows, summed over the same span of strokes, and refs to
// the newest of the short windows it rests on.
func TestFromRelaySumsShortWindows(t *testing.T) {
	now := time.Now()
	relayed := relay.Path{RTT: 150 * time.Millisecond, Loss: 0.005, NoDelay: true}.Relay(localTyping(1000, 3), 3)
	rows := func(size int) []store.InputWindow {
		var out []store.InputWindow
		for _, w := range relayWindowsOf(t, relayed, now, true, size) {
			b, err := json.Marshal(w)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, store.InputWindow{DeviceID: "d-1", WindowID: w.WindowID, Start: w.Start, End: w.End, Keys: w.Keys, Body: b})
		}
		return out
	}
	long := riskfeed.FromRelay("d-1", rows(100), nil)
	short := riskfeed.FromRelay("d-1", rows(10), nil)
	if len(long) != 1 {
		t.Fatalf("FromRelay(100-stroke windows) = %+v; want relay.detected", long)
	}
	if len(short) != 1 || short[0].Explanation != long[0].Explanation {
		t.Fatalf("FromRelay(10-stroke windows) = %+v\nwant the verdict of 100-stroke windows: %q", short, long[0].Explanation)
	}
	if err := short[0].Validate(); err != nil {
		t.Errorf("evidence from short windows is invalid: %v", err)
	}
	if n := len(short[0].Refs); n != 20 || !strings.HasPrefix(short[0].Refs[n-1], "input:d-1/w-") {
		t.Errorf("refs = %q; want the newest 20 short windows", short[0].Refs)
	}
	// Strokes that do not fill a unit are not scored on their own.
	if ev := riskfeed.FromRelay("d-1", rows(10)[:9], nil); ev != nil {
		t.Errorf("FromRelay(90 strokes) = %+v; want nothing until a unit of 100 strokes is full", ev)
	}
}

// TestFromRelayWithoutBlocks: windows of agents from before the relay
// block give no relay evidence and no warnings.
func TestFromRelayWithoutBlocks(t *testing.T) {
	now := time.Now()
	var rows []store.InputWindow
	for _, w := range relayWindows(t, relay.Path{RTT: 150 * time.Millisecond}.Relay(localTyping(500, 2), 1), now, false) {
		b, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, store.InputWindow{DeviceID: "d-1", WindowID: w.WindowID, Start: w.Start, End: w.End, Keys: w.Keys, Body: b})
	}
	rows = append(rows, store.InputWindow{DeviceID: "d-1", WindowID: "w-junk", Start: now, End: now.Add(time.Minute), Body: json.RawMessage(`{"relay":7}`)})
	var warnings []string
	if ev := riskfeed.FromRelay("d-1", rows, func(s string) { warnings = append(warnings, s) }); ev != nil {
		t.Errorf("FromRelay(windows without blocks) = %+v, want nothing", ev)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "w-junk") {
		t.Errorf("warnings = %q, want one about w-junk", warnings)
	}
}

// TestRelayThresholdsAgree: the shipped relay calibration and risk's
// default relay threshold are the same number, the higher of the
// keystroke lab's two 0.1 % thresholds.
func TestRelayThresholdsAgree(t *testing.T) {
	if got, want := relay.DefaultThreshold(), risk.DefaultRelayThreshold; math.Abs(got-want) > 0.005 {
		t.Errorf("relay.DefaultThreshold() = %.4f, risk.DefaultRelayThreshold = %.2f; refit or update them together", got, want)
	}
}

// TestFromRelayBinaryColumn: windows whose relay block is in the binary
// column (as ingest stores them now) give the same evidence as the same
// windows with the block only in the JSON body (as stored before), also
// when the two kinds are mixed; a binary block that does not decode, or
// breaks the wire format's rules, is reported and skipped.
func TestFromRelayBinaryColumn(t *testing.T) {
	now := time.Now()
	relayed := relay.Path{RTT: 150 * time.Millisecond, Loss: 0.005, NoDelay: true}.Relay(localTyping(1000, 3), 3)
	var bodyOnly, binary, mixed, compact []store.InputWindow
	for i, w := range relayWindowsOf(t, relayed, now, true, 50) {
		b, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		rb, err := w.Relay.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		row := store.InputWindow{DeviceID: "d-1", WindowID: w.WindowID, Start: w.Start, End: w.End, Keys: w.Keys, Body: b}
		bodyOnly = append(bodyOnly, row)
		// The binary column alone must carry the block: the body here has none.
		w.Relay = nil
		nb, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		bin := row
		bin.Body, bin.Relay = nb, rb
		binary = append(binary, bin)
		mixed = append(mixed, []store.InputWindow{row, bin}[i%2])
		// As CompactWindows lists them: no body where the column is set.
		lean := bin
		lean.Body = nil
		compact = append(compact, []store.InputWindow{row, lean}[i%2])
	}
	want := riskfeed.FromRelay("d-1", bodyOnly, nil)
	if len(want) != 1 {
		t.Fatalf("FromRelay(JSON bodies) = %+v; want relay.detected", want)
	}
	for name, rows := range map[string][]store.InputWindow{"binary": binary, "mixed": mixed, "compact": compact} {
		var warnings []string
		got := riskfeed.FromRelay("d-1", rows, func(s string) { warnings = append(warnings, s) })
		if !reflect.DeepEqual(got, want) || len(warnings) != 0 {
			t.Errorf("FromRelay(%s) = %+v, warnings %q\nwant %+v and none", name, got, warnings, want)
		}
	}

	corrupt := slices.Clone(binary)
	corrupt[3].Relay = corrupt[3].Relay[:10] // truncated
	var block wire.RelayFeatures
	if err := block.UnmarshalBinary(corrupt[5].Relay); err != nil {
		t.Fatal(err)
	}
	block.Ties = block.Msgs + 1 // breaks the rules, encodes fine
	rb, err := block.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	corrupt[5].Relay = rb
	var warnings []string
	riskfeed.FromRelay("d-1", corrupt, func(s string) { warnings = append(warnings, s) })
	text := strings.Join(warnings, "\n")
	if len(warnings) != 2 || !strings.Contains(text, corrupt[3].WindowID+": relay block not read: relay binary") ||
		!strings.Contains(text, corrupt[5].WindowID+": relay block not used: ") || !strings.Contains(text, "relay.ties") {
		t.Errorf("warnings = %q; want one naming the truncated block and one naming relay.ties", warnings)
	}
}
