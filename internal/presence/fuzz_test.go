package presence

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// FuzzDecode feeds one body to every API decoder and checks that each
// either fails with an error naming a field or returns a request that
// satisfies the limits the handler relies on.
func FuzzDecode(f *testing.F) {
	id := strings.Repeat("ab", 16)
	for _, s := range []string{
		`{"worker_id":"w-1","enrol":true}`,
		`{"session":"` + id + `","seq":0,"client_rtt_ms":null}`,
		`{"session":"` + id + `","seq":2,"client_rtt_ms":12.5}`,
		`{"session":"` + id + `","seq":3,"shown_ms":1000.25,"key_ms":1250.5,"trusted":true}`,
		`{"session":"` + id + `","seq":1,"false_start":true}`,
		`{"session":"` + id + `"}`,
		`{"seq":1e400}`, `{"shown_ms":-0}`, `[]`, `null`, `{"worker_id":"\u00e9"}`, `{} {}`,
	} {
		f.Add([]byte(s))
	}
	const maxSeq = MaxPrompts + maxFalseStarts + 1
	f.Fuzz(func(t *testing.T, body []byte) {
		check := func(what string, err error) bool {
			if err == nil {
				return true
			}
			if fe, ok := errors.AsType[*fieldError](err); !ok || fe.Field == "" || fe.Msg == "" {
				t.Fatalf("%s(%q): error %v does not name a field", what, body, err)
			}
			return false
		}
		if r, err := decodeStart(body); check("decodeStart", err) {
			if len(r.WorkerID) > maxWorkerID {
				t.Fatalf("decodeStart(%q): worker_id of %d bytes accepted", body, len(r.WorkerID))
			}
		}
		if r, err := decodePing(body); check("decodePing", err) {
			if checkSession(r.Session) != nil || r.Seq < 0 || r.Seq >= pings ||
				r.ClientRTT != nil && !(*r.ClientRTT >= 0 && *r.ClientRTT <= maxClientRTT) {
				t.Fatalf("decodePing(%q) accepted %+v", body, r)
			}
		}
		if r, err := decodeReaction(body, maxSeq); check("decodeReaction", err) {
			if checkSession(r.Session) != nil || r.Seq < 0 || r.Seq >= maxSeq {
				t.Fatalf("decodeReaction(%q) accepted %+v", body, r)
			}
			if !r.FalseStart {
				rt := r.reaction()
				if !r.Trusted || rt < 0 || rt > time.Duration(maxPageTime)*time.Millisecond {
					t.Fatalf("decodeReaction(%q) accepted %+v (reaction %v)", body, r, rt)
				}
			}
		}
		if r, err := decodeFinish(body); check("decodeFinish", err) && checkSession(r.Session) != nil {
			t.Fatalf("decodeFinish(%q) accepted %+v", body, r)
		}
	})
}

// FuzzAssess checks Assess on arbitrary reaction times: no NaN, an interval
// around its estimate, and counts that add up.
func FuzzAssess(f *testing.F) {
	seed := func(ms ...int32) []byte {
		b := make([]byte, 4*len(ms))
		for i, v := range ms {
			binary.LittleEndian.PutUint32(b[4*i:], uint32(v))
		}
		return b
	}
	f.Add(seed(250, 260, 240, 300, 280), false)
	f.Add(seed(400, 390, 420, 380, 410, 395), true)
	f.Add(seed(-5, 0, 99, 2001, 1<<30), false)
	f.Add(seed(), true)
	pop := PopulationBaseline()
	f.Fuzz(func(t *testing.T, raw []byte, usePop bool) {
		if len(raw) > 4*64 {
			raw = raw[:4*64]
		}
		rs := make([]time.Duration, len(raw)/4)
		for i := range rs {
			rs[i] = time.Duration(int32(binary.LittleEndian.Uint32(raw[4*i:]))) * time.Millisecond / 4
		}
		b := pop
		if !usePop {
			var err error
			if b, err = WorkerBaseline([][]time.Duration{rs}); err != nil {
				b = pop
			}
		}
		res := Assess(rs, b)
		if res.Prompts > MaxPrompts || res.Prompts > len(rs) || res.Valid+res.Excluded != res.Prompts {
			t.Fatalf("Assess: %d prompts, %d valid, %d excluded of %d reactions", res.Prompts, res.Valid, res.Excluded, len(rs))
		}
		if res.Valid > 0 && !(res.CILow <= res.AddedDelay && res.AddedDelay <= res.CIHigh) {
			t.Fatalf("Assess: estimate %v outside its interval %v..%v", res.AddedDelay, res.CILow, res.CIHigh)
		}
		if res.Verdict != Insufficient && res.Valid < MinPrompts {
			t.Fatalf("Assess: %s on %d valid reactions", res.Verdict, res.Valid)
		}
		if res.Explanation == "" || math.IsNaN(float64(res.MedianRT)) {
			t.Fatalf("Assess: %+v", res)
		}
	})
}
