package storetest

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/store"
)

// window returns an input window of the batch's device starting at t0+start,
// one minute long, whose body names its ID and keys (and note, to tell
// copies apart).
func window(id string, start time.Duration, keys int, note string) store.InputWindow {
	body := fmt.Sprintf(`{"window_id":%q,"keys":%d,"note":%q,"flight_hist":[0,1,2],"by_class":{"letter":%d}}`, id, keys, note, keys)
	return store.InputWindow{WindowID: id, Start: t0.Add(start), End: t0.Add(start + time.Minute), Source: "evdev",
		Keys: keys, Physical: keys / 2, Virtual: keys / 4, Injected: keys / 8, FastPairs: keys / 3, Bursts: keys / 9, StallBursts: keys / 27,
		Body: json.RawMessage(body)}
}

// report returns an endpoint report taken at t0+at.
func report(at time.Duration, tools, sessions int, minRTT time.Duration, matches int) *store.EndpointReport {
	body := fmt.Sprintf(`{"at":%q,"remote_tools":[],"usb":null,"displays":[],"n":%d}`, t0.Add(at).Format(time.RFC3339Nano), tools)
	return &store.EndpointReport{At: t0.Add(at), RemoteTools: tools, RemoteSessions: sessions, MinSessionRTT: minRTT,
		HardwareMatches: matches, Body: json.RawMessage(body)}
}

// storedWindow returns w as the store returns it after batch b stored it.
func storedWindow(w store.InputWindow, b store.Batch) store.InputWindow {
	w.DeviceID, w.BatchID, w.ReceivedAt = b.DeviceID, b.ID, utc(b.ReceivedAt)
	w.Start, w.End = utc(w.Start), utc(w.End)
	return w
}

// storedReport returns r as the store returns it after batch b stored it.
func storedReport(r store.EndpointReport, b store.Batch) store.EndpointReport {
	r.DeviceID, r.BatchID, r.ReceivedAt, r.At = b.DeviceID, b.ID, utc(b.ReceivedAt), utc(r.At)
	r.MinSessionRTT = r.MinSessionRTT.Truncate(time.Microsecond)
	return r
}

func allWindows(t *testing.T, s Store, deviceID string) []store.InputWindow {
	t.Helper()
	got, err := s.Windows(t.Context(), deviceID, time.Unix(0, 0), time.Time{})
	if err != nil {
		t.Fatalf("Windows(%q) = %v", deviceID, err)
	}
	return got
}

func allReports(t *testing.T, s Store, deviceID string) []store.EndpointReport {
	t.Helper()
	got, err := s.EndpointReports(t.Context(), deviceID, time.Unix(0, 0), 0)
	if err != nil {
		t.Fatalf("EndpointReports(%q) = %v", deviceID, err)
	}
	return got
}

func saveBatch(t *testing.T, s Store, b store.Batch, want bool) {
	t.Helper()
	if stored, err := s.SaveBatch(t.Context(), b); err != nil || stored != want {
		t.Fatalf("SaveBatch(%s) = %v, %v; want %v, nil", b.ID, stored, err, want)
	}
}

// windowsDiff describes how got differs from want, "" if not at all.
// Bodies are compared byte for byte.
func windowsDiff(got, want []store.InputWindow) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d windows, want %d: %s", len(got), len(want), windowIDs(got))
	}
	for i := range got {
		if !same(got[i], want[i]) {
			return fmt.Sprintf("window %d =\n%+v (body %s)\nwant\n%+v (body %s)", i, got[i], got[i].Body, want[i], want[i].Body)
		}
	}
	return ""
}

func windowIDs(ws []store.InputWindow) string {
	var ids []string
	for _, w := range ws {
		ids = append(ids, w.WindowID+"@"+w.BatchID)
	}
	return strings.Join(ids, " ")
}

func testEnrolPublicKey(t *testing.T, s Store) {
	ctx := t.Context()
	putWorker(t, s, "w-1")
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, ed25519.SeedSize)).Public().(ed25519.PublicKey)
	for i, tok := range []string{"tok-signed", "tok-old", "tok-empty", "tok-bad"} {
		if err := s.CreateEnrolmentToken(ctx, []byte(tok), "w-1", t0.Add(time.Hour)); err != nil {
			t.Fatalf("CreateEnrolmentToken(%d) = %v", i, err)
		}
	}
	signed, err := s.Enrol(ctx, []byte("tok-signed"), store.Device{ID: "d-signed", PublicKey: key}, []byte("cred-signed"), t0)
	if err != nil || !signed.PublicKey.Equal(key) {
		t.Fatalf("Enrol(with key) = %+v, %v; want the key", signed, err)
	}
	old, err := s.Enrol(ctx, []byte("tok-old"), store.Device{ID: "d-old"}, []byte("cred-old"), t0)
	if err != nil || old.PublicKey != nil {
		t.Fatalf("Enrol(without key) = %+v, %v; want a nil key", old, err)
	}
	empty, err := s.Enrol(ctx, []byte("tok-empty"), store.Device{ID: "d-empty", PublicKey: ed25519.PublicKey{}}, []byte("cred-empty"), t0)
	if err != nil || empty.PublicKey != nil {
		t.Fatalf("Enrol(empty key) = %+v, %v; want a nil key", empty, err)
	}
	for _, want := range []store.Device{signed, old, empty} {
		if got := getDevice(t, s, want.ID); !same(got, want) {
			t.Errorf("Device(%s) = %+v, want %+v", want.ID, got, want)
		}
		got, err := s.DeviceByCredential(ctx, []byte("cred-"+strings.TrimPrefix(want.ID, "d-")))
		if err != nil || !same(got, want) {
			t.Errorf("DeviceByCredential(%s) = %+v, %v; want %+v", want.ID, got, err, want)
		}
	}
	all, err := s.Devices(ctx)
	if err != nil || len(all) != 3 || !same(all[2], signed) {
		t.Errorf("Devices() = %+v, %v; want 3 with d-signed last and its key", all, err)
	}
	_, err = s.Enrol(ctx, []byte("tok-bad"), store.Device{ID: "d-bad", PublicKey: key[:31]}, []byte("cred-bad"), t0)
	wantErr(t, "Enrol(31-byte key)", err, nil, "PublicKey")
	if _, err := s.Enrol(ctx, []byte("tok-bad"), store.Device{ID: "d-bad"}, []byte("cred-bad"), t0); err != nil {
		t.Errorf("Enrol() after the bad key = %v, want the token unused", err)
	}
}

func testSaveBatchTelemetry(t *testing.T, s Store) {
	enrol(t, s, "w-1", "d-1")
	enrol(t, s, "w-1", "d-2")
	w1, w2, w3 := window("w-b", 2*time.Minute, 90, "x"), window("w-a", 0, 120, "é"), window("w-c", time.Minute+time.Nanosecond, 0, "")
	w2.DeviceID = "d-1"                                             // explicit, as allowed
	w1.Relay = []byte{1, 0, 0xff, 7}                                // opaque to the store
	w2.Relay = bytes.Repeat([]byte{0x5a, 0}, store.MaxRelayBytes/2) // the largest kept
	b := store.Batch{DeviceID: "d-1", ID: "b-1", ReceivedAt: t0.Add(5*time.Minute + 7*time.Nanosecond), RemoteIP: "203.0.113.7",
		Samples:  []store.RTTSample{sample("", "us-west", store.Agent, time.Minute, 31*time.Millisecond)},
		Windows:  []store.InputWindow{w1, w2, w3},
		Endpoint: report(4*time.Minute+time.Nanosecond, 2, 3, 141500*time.Microsecond+999*time.Nanosecond, 1)}
	b.Endpoint.DeviceID = "d-1"
	saveBatch(t, s, b, true)

	want := []store.InputWindow{storedWindow(w2, b), storedWindow(w3, b), storedWindow(w1, b)}
	if d := windowsDiff(allWindows(t, s, "d-1"), want); d != "" {
		t.Errorf("Windows(d-1) after SaveBatch: %s", d)
	}
	// CompactWindows leaves out the body of exactly the windows that have
	// a relay block, and nothing else.
	compact, err := s.CompactWindows(t.Context(), "d-1", time.Unix(0, 0), time.Time{})
	if err != nil {
		t.Fatalf("CompactWindows(d-1) = %v", err)
	}
	for i := range want {
		if want[i].Relay != nil {
			want[i].Body = nil
		}
	}
	if d := windowsDiff(compact, want); d != "" {
		t.Errorf("CompactWindows(d-1) after SaveBatch: %s", d)
	}
	if compact[1].Body == nil {
		t.Errorf("CompactWindows(d-1): window %s without a relay block lost its body", compact[1].WindowID)
	}
	if got, want := allReports(t, s, "d-1"), []store.EndpointReport{storedReport(*b.Endpoint, b)}; !same(got, want) {
		t.Errorf("EndpointReports(d-1) = %+v, want %+v", got, want)
	}
	if got := allSamples(t, s, "d-1"); len(got) != 1 {
		t.Errorf("Samples(d-1) = %+v, want the batch's one sample", got)
	}
	if got := allWindows(t, s, "d-2"); len(got) != 0 {
		t.Errorf("Windows(d-2) = %+v, want none", got)
	}
	if got := allReports(t, s, "d-2"); len(got) != 0 {
		t.Errorf("EndpointReports(d-2) = %+v, want none", got)
	}
	// A batch of only a report, and one of only windows.
	b2 := store.Batch{DeviceID: "d-1", ID: "b-2", ReceivedAt: t0.Add(6 * time.Minute), Endpoint: report(5*time.Minute, 0, 0, 0, 0)}
	b3 := store.Batch{DeviceID: "d-1", ID: "b-3", ReceivedAt: t0.Add(7 * time.Minute), Windows: []store.InputWindow{window("w-d", 3*time.Minute, 1, "")}}
	saveBatch(t, s, b2, true)
	saveBatch(t, s, b3, true)
	if got := allReports(t, s, "d-1"); len(got) != 2 || got[0].BatchID != "b-2" {
		t.Errorf("EndpointReports(d-1) = %+v, want b-2's then b-1's", got)
	}
	if got := allWindows(t, s, "d-1"); len(got) != 4 || got[3].BatchID != "b-3" {
		t.Errorf("Windows(d-1) = %s, want b-3's window last", windowIDs(got))
	}
}

func testWindowsRange(t *testing.T, s Store) {
	ctx := t.Context()
	enrol(t, s, "w-1", "d-1")
	in := []store.InputWindow{
		window("w-3", 2*time.Minute, 1, ""),
		window("w-1", 0, 1, ""),
		window("w-2b", time.Minute, 1, ""),
		window("w-2a", time.Minute, 1, ""), // same start as w-2b: ordered by ID
		window("w-0", -time.Hour, 1, ""),
	}
	b := store.Batch{DeviceID: "d-1", ID: "b", ReceivedAt: t0, Windows: in}
	saveBatch(t, s, b, true)
	ids := func(ws []store.InputWindow) []string {
		out := []string{}
		for _, w := range ws {
			out = append(out, w.WindowID)
		}
		return out
	}
	tests := []struct {
		since, until time.Time
		want         []string
	}{
		{time.Unix(0, 0), time.Time{}, []string{"w-0", "w-1", "w-2a", "w-2b", "w-3"}},
		{t0, time.Time{}, []string{"w-1", "w-2a", "w-2b", "w-3"}},                // since is inclusive
		{t0.Add(time.Microsecond), time.Time{}, []string{"w-2a", "w-2b", "w-3"}}, // by start, not end
		{t0, t0.Add(2 * time.Minute), []string{"w-1", "w-2a", "w-2b"}},           // until is exclusive
		{t0, t0.Add(2*time.Minute + time.Microsecond), []string{"w-1", "w-2a", "w-2b", "w-3"}},
		{t0.Add(time.Minute), t0.Add(time.Minute), []string{}},
		{t0.Add(time.Hour), time.Time{}, []string{}},
		{t0.Add(time.Minute), t0, []string{}},
	}
	for _, tt := range tests {
		got, err := s.Windows(ctx, "d-1", tt.since, tt.until)
		if err != nil {
			t.Fatalf("Windows(d-1, %v, %v) = %v", tt.since, tt.until, err)
		}
		if !same(ids(got), tt.want) {
			t.Errorf("Windows(d-1, %v, %v) = %q, want %q", tt.since, tt.until, ids(got), tt.want)
		}
	}
	if got, err := s.Windows(ctx, "d-missing", time.Unix(0, 0), time.Time{}); err != nil || len(got) != 0 {
		t.Errorf("Windows(d-missing) = %+v, %v; want none", got, err)
	}
}

// testWindowsStoredOnce checks that a window is stored once per device,
// as first received: sent twice in one batch, in a retried batch, or in a
// new batch.
func testWindowsStoredOnce(t *testing.T, s Store) {
	enrol(t, s, "w-1", "d-1")
	enrol(t, s, "w-1", "d-2")
	first := store.Batch{DeviceID: "d-1", ID: "b-1", ReceivedAt: t0.Add(2 * time.Minute),
		Windows: []store.InputWindow{window("w-1", 0, 10, "first"), window("w-2", time.Minute, 20, "first"), window("w-1", 0, 11, "same batch")}}
	saveBatch(t, s, first, true)
	want := []store.InputWindow{storedWindow(first.Windows[0], first), storedWindow(first.Windows[1], first)}
	if d := windowsDiff(allWindows(t, s, "d-1"), want); d != "" {
		t.Fatalf("Windows(d-1) after a batch with a window twice: %s", d)
	}

	retry := first
	retry.ReceivedAt = t0.Add(3 * time.Minute)
	retry.Windows = []store.InputWindow{window("w-1", 0, 12, "retry"), window("w-9", 9*time.Minute, 90, "retry")}
	saveBatch(t, s, retry, false)

	next := store.Batch{DeviceID: "d-1", ID: "b-2", ReceivedAt: t0.Add(4 * time.Minute),
		Samples: []store.RTTSample{sample("d-1", "us-west", store.Agent, 3*time.Minute, time.Millisecond)},
		Windows: []store.InputWindow{window("w-2", time.Minute, 21, "next"), window("w-3", 2*time.Minute, 30, "next"), window("w-2", time.Minute, 22, "next again")}}
	saveBatch(t, s, next, true)
	want = append(want, storedWindow(next.Windows[1], next))
	if d := windowsDiff(allWindows(t, s, "d-1"), want); d != "" {
		t.Errorf("Windows(d-1) after a retry and a new batch: %s", d)
	}
	// The new batch was stored whole, although one of its windows was not new.
	if got := allSamples(t, s, "d-1"); len(got) != 1 {
		t.Errorf("Samples(d-1) = %+v, want the sample of b-2", got)
	}
	// Window IDs are per device.
	other := store.Batch{DeviceID: "d-2", ID: "b-1", ReceivedAt: t0, Windows: []store.InputWindow{window("w-1", 0, 5, "d-2")}}
	saveBatch(t, s, other, true)
	if d := windowsDiff(allWindows(t, s, "d-2"), []store.InputWindow{storedWindow(other.Windows[0], other)}); d != "" {
		t.Errorf("Windows(d-2): %s", d)
	}
}

// testWindowsConcurrent sends batches with different IDs and overlapping
// windows at once, as an agent that resends unacknowledged windows in new
// batches might: every batch is stored and every window exactly once.
func testWindowsConcurrent(t *testing.T, s Store) {
	ctx := t.Context()
	enrol(t, s, "w-1", "d-1")
	var shared []store.InputWindow
	for i := range 10 {
		shared = append(shared, window(fmt.Sprintf("w-%02d", i), time.Duration(i)*time.Minute, i, "shared"))
	}
	const n = 8
	errs := make([]error, n)
	stored := make([]bool, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			b := store.Batch{DeviceID: "d-1", ID: fmt.Sprintf("b-%d", i), ReceivedAt: t0.Add(time.Hour),
				Windows: append([]store.InputWindow{window(fmt.Sprintf("own-%d", i), time.Hour, 1, "own")}, shared...)}
			stored[i], errs[i] = s.SaveBatch(ctx, b)
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || !stored[i] {
			t.Errorf("concurrent SaveBatch #%d = %v, %v; want true, nil", i, stored[i], errs[i])
		}
	}
	got := allWindows(t, s, "d-1")
	if len(got) != len(shared)+n {
		t.Errorf("Windows(d-1) after concurrent batches: %d windows, want %d: %s", len(got), len(shared)+n, windowIDs(got))
	}
	seen := map[string]bool{}
	for _, w := range got {
		if seen[w.WindowID] {
			t.Errorf("window %s stored twice", w.WindowID)
		}
		seen[w.WindowID] = true
	}
}

func testSaveBatchTelemetryInvalid(t *testing.T, s Store) {
	ctx := t.Context()
	dev := enrol(t, s, "w-1", "d-1")
	enrol(t, s, "w-1", "d-2")
	good := func() store.Batch {
		return store.Batch{DeviceID: "d-1", ID: "b-1", ReceivedAt: t0.Add(time.Hour), RemoteIP: "203.0.113.7",
			Samples:   []store.RTTSample{sample("d-1", "us-west", store.Agent, 0, 30*time.Millisecond)},
			Heartbeat: &store.Heartbeat{At: t0, Hostname: "h", OS: "o", AgentVersion: "v"},
			Windows:   []store.InputWindow{window("w-1", 0, 10, ""), window("w-2", time.Minute, 10, "")},
			Endpoint:  report(time.Minute, 1, 1, time.Millisecond, 0)}
	}
	tests := []struct {
		name   string
		break_ func(b *store.Batch)
		field  string
	}{
		{"window ID empty", func(b *store.Batch) { b.Windows[1].WindowID = "" }, "WindowID"},
		{"window ID NUL", func(b *store.Batch) { b.Windows[1].WindowID = "w\x00" }, "WindowID"},
		{"window end before start", func(b *store.Batch) { b.Windows[1].End = b.Windows[1].Start.Add(-time.Second) }, "End"},
		{"window end at start", func(b *store.Batch) { b.Windows[0].End = b.Windows[0].Start }, "End"},
		{"window zero start", func(b *store.Batch) { b.Windows[0].Start = time.Time{} }, "Start"},
		{"window negative keys", func(b *store.Batch) { b.Windows[1].Keys = -1 }, "Keys"},
		{"window negative injected", func(b *store.Batch) { b.Windows[1].Injected = -1 }, "Injected"},
		{"window negative stall bursts", func(b *store.Batch) { b.Windows[0].StallBursts = -2 }, "StallBursts"},
		{"window source bad UTF-8", func(b *store.Batch) { b.Windows[0].Source = "\xff" }, "Source"},
		{"window body not JSON", func(b *store.Batch) { b.Windows[1].Body = json.RawMessage(`{"keys":`) }, "Body"},
		{"window body array", func(b *store.Batch) { b.Windows[1].Body = json.RawMessage(`[1,2]`) }, "Body"},
		{"window body empty", func(b *store.Batch) { b.Windows[1].Body = nil }, "Body"},
		{"window body bad UTF-8", func(b *store.Batch) { b.Windows[1].Body = json.RawMessage("{\"k\":\"\xff\"}") }, "Body"},
		{"window relay too long", func(b *store.Batch) { b.Windows[1].Relay = make([]byte, store.MaxRelayBytes+1) }, "Relay"},
		{"window of another device", func(b *store.Batch) { b.Windows[1].DeviceID = "d-2" }, "DeviceID"},
		{"report zero time", func(b *store.Batch) { b.Endpoint.At = time.Time{} }, "At"},
		{"report negative rtt", func(b *store.Batch) { b.Endpoint.MinSessionRTT = -time.Microsecond }, "MinSessionRTT"},
		{"report negative tools", func(b *store.Batch) { b.Endpoint.RemoteTools = -1 }, "RemoteTools"},
		{"report negative matches", func(b *store.Batch) { b.Endpoint.HardwareMatches = -1 }, "HardwareMatches"},
		{"report body", func(b *store.Batch) { b.Endpoint.Body = json.RawMessage(`"text"`) }, "Body"},
		{"report of another device", func(b *store.Batch) { b.Endpoint.DeviceID = "d-2" }, "DeviceID"},
	}
	for _, tt := range tests {
		b := good()
		tt.break_(&b)
		stored, err := s.SaveBatch(ctx, b)
		wantErr(t, fmt.Sprintf("SaveBatch(%s)", tt.name), err, nil, tt.field)
		if stored {
			t.Errorf("SaveBatch(%s) stored = true", tt.name)
		}
	}
	// Nothing of any invalid batch was written.
	if got := getDevice(t, s, "d-1"); !same(got, dev) {
		t.Errorf("Device(d-1) after invalid batches = %+v, want unchanged %+v", got, dev)
	}
	for _, id := range []string{"d-1", "d-2"} {
		if got := allSamples(t, s, id); len(got) != 0 {
			t.Errorf("Samples(%s) after invalid batches = %+v, want none", id, got)
		}
		if got := allWindows(t, s, id); len(got) != 0 {
			t.Errorf("Windows(%s) after invalid batches = %s, want none", id, windowIDs(got))
		}
		if got := allReports(t, s, id); len(got) != 0 {
			t.Errorf("EndpointReports(%s) after invalid batches = %+v, want none", id, got)
		}
	}
	b := good()
	saveBatch(t, s, b, true)
	if got := allWindows(t, s, "d-1"); len(got) != 2 {
		t.Errorf("Windows(d-1) after the corrected batch = %s, want 2", windowIDs(got))
	}
	if got := allReports(t, s, "d-1"); len(got) != 1 {
		t.Errorf("EndpointReports(d-1) after the corrected batch = %+v, want 1", got)
	}
}

func testSaveBatchTelemetryUnknownDevice(t *testing.T, s Store) {
	b := store.Batch{DeviceID: "d-missing", ID: "b-1", ReceivedAt: t0,
		Windows: []store.InputWindow{window("w-1", 0, 1, "")}, Endpoint: report(0, 0, 0, 0, 0)}
	stored, err := s.SaveBatch(t.Context(), b)
	wantErr(t, "SaveBatch(unknown device)", err, store.ErrNotFound, "d-missing")
	if stored {
		t.Errorf("SaveBatch(unknown device) stored = true")
	}
	if got := allWindows(t, s, "d-missing"); len(got) != 0 {
		t.Errorf("Windows(d-missing) = %s, want none", windowIDs(got))
	}
	if got := allReports(t, s, "d-missing"); len(got) != 0 {
		t.Errorf("EndpointReports(d-missing) = %+v, want none", got)
	}
}

// testSaveBatchTelemetryLarge stores a batch as large as the wire format
// allows windows (100), each with a body of about 10 KB.
func testSaveBatchTelemetryLarge(t *testing.T, s Store) {
	enrol(t, s, "w-1", "d-1")
	b := store.Batch{DeviceID: "d-1", ID: "b-large", ReceivedAt: t0}
	for i := range 100 {
		w := window(fmt.Sprintf("w-%03d", i), time.Duration(i)*time.Minute, i*100, strings.Repeat("é", 5000))
		b.Windows = append(b.Windows, w)
		b.Samples = append(b.Samples, sample("d-1", "us-west", store.Agent, time.Duration(i)*time.Second, time.Millisecond))
	}
	b.Endpoint = report(0, 64, 4096, time.Microsecond, 144)
	saveBatch(t, s, b, true)
	var want []store.InputWindow
	for _, w := range b.Windows {
		want = append(want, storedWindow(w, b))
	}
	if d := windowsDiff(allWindows(t, s, "d-1"), want); d != "" {
		t.Errorf("Windows(d-1) after a batch of 100 windows: %s", d)
	}
	if got, want := allReports(t, s, "d-1"), []store.EndpointReport{storedReport(*b.Endpoint, b)}; !same(got, want) {
		t.Errorf("EndpointReports(d-1) = %+v, want %+v", got, want)
	}
}

func testEndpointReports(t *testing.T, s Store) {
	ctx := t.Context()
	enrol(t, s, "w-1", "d-1")
	enrol(t, s, "w-1", "d-2")
	batches := []store.Batch{
		{DeviceID: "d-1", ID: "b-1", ReceivedAt: t0, Endpoint: report(0, 1, 0, 0, 0)},
		{DeviceID: "d-1", ID: "b-3", ReceivedAt: t0.Add(3 * time.Minute), Endpoint: report(2*time.Minute, 3, 1, 90*time.Millisecond, 0)},
		{DeviceID: "d-1", ID: "b-2", ReceivedAt: t0.Add(2 * time.Minute), Endpoint: report(2*time.Minute, 2, 5, 140*time.Millisecond, 2)}, // same At as b-3
		{DeviceID: "d-1", ID: "b-4", ReceivedAt: t0.Add(4 * time.Minute), Endpoint: report(4*time.Minute, 0, 0, 0, 1)},
		{DeviceID: "d-2", ID: "b-1", ReceivedAt: t0, Endpoint: report(time.Minute, 9, 9, time.Second, 9)},
	}
	for _, b := range batches {
		saveBatch(t, s, b, true)
	}
	// Retries store no second copy, even with another report.
	retry := batches[0]
	retry.Endpoint = report(5*time.Minute, 7, 7, 7, 7)
	saveBatch(t, s, retry, false)

	r := func(i int) store.EndpointReport { return storedReport(*batches[i].Endpoint, batches[i]) }
	tests := []struct {
		since time.Time
		limit int
		want  []store.EndpointReport
	}{
		{t0, 0, []store.EndpointReport{r(3), r(2), r(1), r(0)}}, // newest first; equal times by batch ID
		{t0, -1, []store.EndpointReport{r(3), r(2), r(1), r(0)}},
		{t0, 2, []store.EndpointReport{r(3), r(2)}},
		{t0, 3, []store.EndpointReport{r(3), r(2), r(1)}},
		{t0.Add(2 * time.Minute), 0, []store.EndpointReport{r(3), r(2), r(1)}}, // since is inclusive
		{t0.Add(2*time.Minute + time.Microsecond), 0, []store.EndpointReport{r(3)}},
		{t0.Add(time.Hour), 0, nil},
	}
	for _, tt := range tests {
		got, err := s.EndpointReports(ctx, "d-1", tt.since, tt.limit)
		if err != nil {
			t.Fatalf("EndpointReports(d-1, %v, %d) = %v", tt.since, tt.limit, err)
		}
		if (len(got) != 0 || len(tt.want) != 0) && !same(got, tt.want) {
			t.Errorf("EndpointReports(d-1, %v, %d) = %+v, want %+v", tt.since, tt.limit, got, tt.want)
		}
	}
	if got := allReports(t, s, "d-2"); !same(got, []store.EndpointReport{r(4)}) {
		t.Errorf("EndpointReports(d-2) = %+v, want %+v", got, r(4))
	}
}

func testPruneTelemetry(t *testing.T, s Store) {
	ctx := t.Context()
	enrol(t, s, "w-1", "d-1")
	old := store.Batch{DeviceID: "d-1", ID: "old", ReceivedAt: t0.Add(-time.Minute),
		Windows: []store.InputWindow{
			window("w-old", -3*time.Minute, 1, ""),       // ends 2 minutes before t0: pruned
			window("w-edge", -time.Minute, 1, ""),        // ends exactly at t0: kept
			window("w-straddle", -30*time.Second, 1, ""), // ends after t0: kept
		},
		Endpoint: report(-2*time.Minute, 1, 0, 0, 0)}
	recent := store.Batch{DeviceID: "d-1", ID: "recent", ReceivedAt: t0.Add(time.Minute),
		Windows: []store.InputWindow{window("w-new", 0, 1, "")}, Endpoint: report(0, 2, 0, 0, 0)}
	saveBatch(t, s, old, true)
	saveBatch(t, s, recent, true)

	if _, err := s.PruneSamples(ctx, t0); err != nil {
		t.Fatalf("PruneSamples(t0) = %v", err)
	}
	want := []store.InputWindow{storedWindow(old.Windows[1], old), storedWindow(old.Windows[2], old), storedWindow(recent.Windows[0], recent)}
	if d := windowsDiff(allWindows(t, s, "d-1"), want); d != "" {
		t.Errorf("Windows(d-1) after prune: %s", d)
	}
	if got, want := allReports(t, s, "d-1"), []store.EndpointReport{storedReport(*recent.Endpoint, recent)}; !same(got, want) {
		t.Errorf("EndpointReports(d-1) after prune = %+v, want %+v", got, want)
	}
	// The old batch's ID went too: sent again, it is stored again, and of
	// its windows only the pruned one is new; its report is stored again.
	saveBatch(t, s, old, true)
	if got := allWindows(t, s, "d-1"); len(got) != 4 || got[0].WindowID != "w-old" {
		t.Errorf("Windows(d-1) after resending the old batch = %s, want w-old back first", windowIDs(got))
	}
	if got := allReports(t, s, "d-1"); len(got) != 2 {
		t.Errorf("EndpointReports(d-1) after resending the old batch = %+v, want 2", got)
	}
	saveBatch(t, s, recent, false)
}

// BatchAtomic checks that a batch is stored all or nothing even when the
// database itself fails half-way, after the batch ID, the device update and
// the samples were written: SaveBatch must then leave no trace. A store's
// tests call it with a fresh store and a function failIn that makes the
// database reject every row inserted into table ("input_windows" or
// "endpoint_reports") whose window_id or batch_id is "boom", for example
// with a trigger.
func BatchAtomic(t *testing.T, s Store, failIn func(t *testing.T, table string)) {
	ctx := t.Context()
	dev := enrol(t, s, "w-1", "d-1")
	failIn(t, "input_windows")
	failIn(t, "endpoint_reports")
	tests := []struct {
		name string
		b    store.Batch
	}{
		{"window insert fails", store.Batch{DeviceID: "d-1", ID: "b-1", ReceivedAt: t0, RemoteIP: "192.0.2.1",
			Samples:   []store.RTTSample{sample("d-1", "us-west", store.Agent, 0, time.Millisecond)},
			Heartbeat: &store.Heartbeat{At: t0, Hostname: "changed", OS: "o", AgentVersion: "v"},
			Windows:   []store.InputWindow{window("w-1", 0, 1, ""), window("boom", time.Minute, 1, "")},
			Endpoint:  report(0, 1, 1, time.Millisecond, 1)}},
		{"report insert fails", store.Batch{DeviceID: "d-1", ID: "boom", ReceivedAt: t0, RemoteIP: "192.0.2.1",
			Samples:  []store.RTTSample{sample("d-1", "us-west", store.Agent, 0, time.Millisecond)},
			Windows:  []store.InputWindow{window("w-2", 0, 1, "")},
			Endpoint: report(0, 1, 1, time.Millisecond, 1)}},
	}
	for _, tt := range tests {
		stored, err := s.SaveBatch(ctx, tt.b)
		if err == nil || stored {
			t.Fatalf("SaveBatch(%s) = %v, %v; want false and the database's error", tt.name, stored, err)
		}
		if errors.Is(err, store.ErrNotFound) {
			t.Errorf("SaveBatch(%s) = %v, which claims the device is missing", tt.name, err)
		}
	}
	if got := getDevice(t, s, "d-1"); !same(got, dev) {
		t.Errorf("Device(d-1) after failed batches = %+v, want unchanged %+v", got, dev)
	}
	if got := allSamples(t, s, "d-1"); len(got) != 0 {
		t.Errorf("Samples(d-1) after failed batches = %+v, want none", got)
	}
	if got := allWindows(t, s, "d-1"); len(got) != 0 {
		t.Errorf("Windows(d-1) after failed batches = %s, want none", windowIDs(got))
	}
	if got := allReports(t, s, "d-1"); len(got) != 0 {
		t.Errorf("EndpointReports(d-1) after failed batches = %+v, want none", got)
	}
	// The batch ID was not used up: without the failing window it is stored.
	b := tests[0].b
	b.Windows = b.Windows[:1]
	saveBatch(t, s, b, true)
	if got := allWindows(t, s, "d-1"); len(got) != 1 {
		t.Errorf("Windows(d-1) after the good batch = %s, want w-1", windowIDs(got))
	}
}
