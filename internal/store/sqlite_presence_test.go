package store_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/presence"
	"github.com/lagwatch/lagwatch/internal/store"
	"github.com/lagwatch/lagwatch/internal/store/storetest"
)

var (
	_ storetest.PresenceStore = (*store.Store)(nil)
	_ presence.Store          = (*store.Store)(nil)
)

func TestPresenceConformance(t *testing.T) {
	storetest.RunPresence(t, func(t *testing.T) storetest.PresenceStore { return openTemp(t) })
}

// TestPresenceLimits checks that the store takes every session presence
// makes with its default configuration.
func TestPresenceLimits(t *testing.T) {
	if presence.MaxPrompts > store.MaxPresenceReactions {
		t.Errorf("presence.MaxPrompts %d > store.MaxPresenceReactions %d: a full session could not be stored", presence.MaxPrompts, store.MaxPresenceReactions)
	}
}

// TestPresenceSurvivesReopen saves an enrolment, closes the store and
// opens the same file again: the session and the baseline are still
// there.
func TestPresenceSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lagwatch.db")
	s, err := store.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	rs := make([]time.Duration, 20)
	for i := range rs {
		rs[i] = 240*time.Millisecond + time.Duration(i*i)*time.Millisecond + time.Duration(i)*time.Nanosecond
	}
	enrol := presence.Session{ID: "0123456789abcdef0123456789abcdef", WorkerID: "w-1", Enrol: true,
		Started: time.Now().Add(-time.Minute), Finished: time.Now(), Reactions: rs,
		Result: presence.Assess(rs, presence.PopulationBaseline())}
	if err := s.SaveSession(t.Context(), enrol); err != nil {
		t.Fatal(err)
	}
	want, err := s.Baseline(t.Context(), "w-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = store.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.Baseline(t.Context(), "w-1"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Baseline(w-1) after reopening = %+v, %v; want %+v", got, err, want)
	}
	if got, err := s.PresenceSession(t.Context(), enrol.ID); err != nil || !reflect.DeepEqual(got, store.PreparePresenceSession(enrol)) {
		t.Errorf("PresenceSession() after reopening = %+v, %v; want the session saved", got, err)
	}
}

func TestPresenceReactionsEncoding(t *testing.T) {
	if b := store.EncodePresenceReactions(nil); b == nil || len(b) != 0 {
		t.Errorf("EncodePresenceReactions(nil) = %#v; want empty, not nil", b)
	}
	rs := []time.Duration{0, 1, 127, 128, 251_234_567, store.MaxPresenceDuration}
	b := store.EncodePresenceReactions(rs)
	want := []byte{0x00, 0x01, 0x7f, 0x80, 0x01}
	if !bytes.HasPrefix(b, want) || len(b) > 4*len(rs)+4 {
		t.Errorf("EncodePresenceReactions(%v) = % x; want it to start % x and take about 4 bytes a reaction", rs, b, want)
	}
	if got, err := store.DecodePresenceReactions(b); err != nil || !reflect.DeepEqual(got, rs) {
		t.Errorf("DecodePresenceReactions(% x) = %v, %v; want %v", b, got, err, rs)
	}
	if got, err := store.DecodePresenceReactions(nil); err != nil || got != nil {
		t.Errorf("DecodePresenceReactions(nil) = %#v, %v; want nil, nil", got, err)
	}
	tooMany := bytes.Repeat([]byte{0x01}, store.MaxPresenceReactions+1)
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"truncated", []byte{0x01, 0x80}, "byte 1: truncated"},
		{"non-minimal", []byte{0x80, 0x00}, "byte 0: non-minimal"},
		{"overflow", bytes.Repeat([]byte{0xff}, 11), "overflows"},
		{"over a day", binary.AppendUvarint(nil, uint64(store.MaxPresenceDuration)+1), "24h0m0s"},
		{"too many", tooMany, "400"},
	} {
		if got, err := store.DecodePresenceReactions(tc.b); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: DecodePresenceReactions(% .20x) = %v, %v; want an error with %q", tc.name, tc.b, got, err, tc.want)
		}
	}
	if _, err := store.DecodePresenceReactions(tooMany[1:]); err != nil {
		t.Errorf("DecodePresenceReactions(%d reactions) = %v; want them", store.MaxPresenceReactions, err)
	}
}

func TestPresenceResultEncoding(t *testing.T) {
	r := presence.Result{Verdict: presence.Delayed, AddedDelay: 152 * time.Millisecond, CILow: -104_000_001, CIHigh: 201 * time.Millisecond,
		Prompts: 5, Valid: 4, Excluded: 1, MedianRT: 405_123_456, Baseline: "worker", Explanation: `slower <b>"x"</b>`}
	b := store.EncodePresenceResult(r)
	if !strings.Contains(string(b), `"verdict":"delayed"`) || !strings.Contains(string(b), `"ci_low_ns":-104000001`) {
		t.Errorf("EncodePresenceResult() = %s; want the named fields in nanoseconds", b)
	}
	if got, err := store.DecodePresenceResult(b); err != nil || got != r {
		t.Errorf("DecodePresenceResult(%s) = %+v, %v; want %+v", b, got, err, r)
	}
	for _, tc := range []struct{ in, want string }{
		{`{"verdict":"remote"}`, "Verdict"},
		{`{"verdict":"delayed","prompts":-1}`, "Prompts"},
		{`{"verdict":"delayed","median_rt_ns":-1}`, "MedianRT"},
		{`[1]`, "decode result"},
		{`{"verdict":"delayed"`, "decode result"},
	} {
		if got, err := store.DecodePresenceResult([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodePresenceResult(%s) = %+v, %v; want an error with %q", tc.in, got, err, tc.want)
		}
	}
}

// FuzzPresenceDecode decodes arbitrary stored reactions and results: the
// decoders never panic, and what they accept is valid and encodes back to
// the same (reactions byte for byte: the encoding is canonical).
func FuzzPresenceDecode(f *testing.F) {
	f.Add(store.EncodePresenceReactions([]time.Duration{0, 250 * time.Millisecond, store.MaxPresenceDuration}))
	f.Add([]byte{0x80, 0x00})
	f.Add(bytes.Repeat([]byte{0xff}, 11))
	f.Add(store.EncodePresenceResult(presence.Assess([]time.Duration{300e6, 310e6, 290e6}, presence.PopulationBaseline())))
	f.Add([]byte(`{"verdict":"consistent","prompts":1e3,"explanation":"\u0000"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if rs, err := store.DecodePresenceReactions(b); err == nil {
			if len(rs) > store.MaxPresenceReactions {
				t.Fatalf("DecodePresenceReactions() = %d reactions; more than the limit", len(rs))
			}
			for i, r := range rs {
				if r < 0 || r > store.MaxPresenceDuration {
					t.Fatalf("DecodePresenceReactions() reaction %d = %v; outside the limits", i, r)
				}
			}
			if again := store.EncodePresenceReactions(rs); !bytes.Equal(again, b) {
				t.Fatalf("EncodePresenceReactions(DecodePresenceReactions(% x)) = % x", b, again)
			}
		}
		if r, err := store.DecodePresenceResult(b); err == nil {
			if err := store.ValidatePresenceResult(r); err != nil {
				t.Fatalf("DecodePresenceResult(%q) = %+v, which is invalid: %v", b, r, err)
			}
			if again, err := store.DecodePresenceResult(store.EncodePresenceResult(r)); err != nil || again != r {
				t.Fatalf("result %+v encodes and decodes to %+v, %v", r, again, err)
			}
		}
	})
}

// FuzzPresenceSessionValidate saves arbitrary sessions: Validate never
// panics; SaveSession succeeds exactly when the session is valid and its
// ID is new or holds the same session, and fails with ErrConflict when the
// ID holds another; a refused save changes nothing; a stored session comes
// back as saved; Baseline never fails but for too few enrolled reactions.
func FuzzPresenceSessionValidate(f *testing.F) {
	s := openTemp(f)
	f.Cleanup(func() { s.Close() })
	rs := func(ms ...int32) []byte { // reactions in units of 50 µs
		var b []byte
		for _, v := range ms {
			b = binary.LittleEndian.AppendUint32(b, uint32(v*20))
		}
		return b
	}
	f.Add("0123456789abcdef0123456789abcdef", "w-1", true, int64(1_772_366_400_000_000), int64(123), int64(30e6),
		rs(250, 260, 240, 300, 280, 255, 245, 270, 265, 275, 290), 0, int64(12e6), int64(0), "consistent", int64(-5e6), 3, "population", "Reactions fit.")
	f.Add("s-2", "ana@example.com", false, int64(0), int64(999), int64(0), rs(50, 3000), 6, int64(0), int64(60e9), "insufficient", int64(0), 0, "", "")
	f.Add("", "w\x00", false, int64(-62_135_596_800_000_001), int64(-1), int64(-1), rs(-1), -1, int64(-1), int64(-1), "remote", int64(1<<62), -1, "b", "\xff")
	f.Add("s-4", strings.Repeat("w", store.MaxPresenceWorkerIDLen+1), true, int64(253_402_300_799_000_000), int64(0), int64(1e6),
		bytes.Repeat([]byte{1, 0, 0, 0}, store.MaxPresenceReactions+1), 401, int64(86_400e9+1), int64(0), "delayed", int64(86_400e9), 401, "worker", "x")
	f.Fuzz(func(t *testing.T, id, worker string, enrol bool, startedMicros, nanos, length int64, rb []byte, falseStarts int,
		pageRTT, clientRTT int64, verdict string, added int64, prompts int, baseline, explanation string) {
		started := time.UnixMicro(startedMicros).Add(time.Duration(nanos % 1000))
		ps := presence.Session{ID: id, WorkerID: worker, Enrol: enrol, Started: started, Finished: started.Add(time.Duration(length)),
			FalseStarts: falseStarts, PageRTT: time.Duration(pageRTT), ClientRTT: time.Duration(clientRTT),
			Result: presence.Result{Verdict: presence.Verdict(verdict), AddedDelay: time.Duration(added), CILow: time.Duration(added) - time.Millisecond,
				CIHigh: time.Duration(added) + time.Millisecond, Prompts: prompts, Valid: prompts, MedianRT: 250 * time.Millisecond,
				Baseline: baseline, Explanation: explanation}}
		for i := 0; i+4 <= len(rb); i += 4 {
			ps.Reactions = append(ps.Reactions, time.Duration(int32(binary.LittleEndian.Uint32(rb[i:])))*50*time.Microsecond)
		}
		valid := store.ValidatePresenceSession(ps) == nil
		ctx := t.Context()
		before, errBefore := s.PresenceSession(ctx, id)
		if errBefore != nil && !errors.Is(errBefore, store.ErrNotFound) {
			t.Fatal(errBefore)
		}
		err := s.SaveSession(ctx, ps)
		after, errAfter := s.PresenceSession(ctx, id)
		if errAfter != nil && !errors.Is(errAfter, store.ErrNotFound) {
			t.Fatal(errAfter)
		}
		want := store.PreparePresenceSession(ps)
		switch {
		case !valid:
			if err == nil || errors.Is(err, store.ErrConflict) {
				t.Fatalf("SaveSession(%+v) = %v; want a validation error", ps, err)
			}
			if (errAfter == nil) != (errBefore == nil) || !reflect.DeepEqual(after, before) {
				t.Fatalf("a refused save changed the store: %+v, then %+v", before, after)
			}
			return
		case errBefore == nil:
			if same := store.SamePresenceSession(before, want); (err == nil) != same || (!same && !errors.Is(err, store.ErrConflict)) {
				t.Fatalf("SaveSession() of ID %q stored before = %v; same session: %v", id, err, same)
			}
			if !reflect.DeepEqual(after, before) {
				t.Fatalf("saving ID %q again changed it: %+v, then %+v", id, before, after)
			}
		case err != nil:
			t.Fatalf("SaveSession(%+v) = %v; want nil for a valid, new session", ps, err)
		case !reflect.DeepEqual(after, want):
			t.Fatalf("stored session = %+v; want %+v", after, want)
		}
		if _, err := s.Baseline(ctx, worker); err != nil && !errors.Is(err, presence.ErrNoBaseline) {
			t.Fatalf("Baseline(%q) = %v", worker, err)
		}
	})
}
