package xi2

import (
	"math"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

func TestServerClockWraps(t *testing.T) {
	var c serverClock
	stamps := []uint32{math.MaxUint32 - 10, math.MaxUint32, 5, 4, 100}
	want := []int64{math.MaxUint32 - 10, math.MaxUint32, math.MaxUint32 + 6, math.MaxUint32 + 5, math.MaxUint32 + 101}
	for i, s := range stamps {
		if got := c.at(s); got != time.Duration(want[i])*time.Millisecond {
			t.Errorf("at(%d) = %v, want %v", s, got, time.Duration(want[i])*time.Millisecond)
		}
	}
}

func TestKeyTracker(t *testing.T) {
	const (
		src   = 5
		keyA  = 30 + 8 // KEY_A
		space = 57 + 8
		shift = 42 + 8
	)
	press := func(code, ms uint32) rawKey { return rawKey{source: src, code: code, time: ms} }
	release := func(code, ms uint32) rawKey { return rawKey{source: src, code: code, time: ms, release: true} }
	repeat := func(code, ms uint32) rawKey { return rawKey{source: src, code: code, time: ms, repeat: true} }
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }

	tests := []struct {
		name string
		in   []rawKey
		want []keystroke.Event
	}{
		{"one stroke", []rawKey{press(keyA, 100), release(keyA, 180)},
			[]keystroke.Event{{Press: ms(100), Release: ms(180), Class: keystroke.ClassLetter}}},
		{"overlapping keys emit at release", []rawKey{press(shift, 100), press(keyA, 150), release(keyA, 200), release(shift, 260)},
			[]keystroke.Event{
				{Press: ms(150), Release: ms(200), Class: keystroke.ClassLetter},
				{Press: ms(100), Release: ms(260), Class: keystroke.ClassModifier},
			}},
		{"repeats counted, flagged or not", []rawKey{press(space, 10), repeat(space, 510), repeat(space, 540), press(space, 570), release(space, 600)},
			[]keystroke.Event{{Press: ms(10), Release: ms(600), Class: keystroke.ClassSpace, Repeats: 3}}},
		{"release without press dropped", []rawKey{release(keyA, 10), press(keyA, 20), release(keyA, 30)},
			[]keystroke.Event{{Press: ms(20), Release: ms(30), Class: keystroke.ClassLetter}}},
		{"repeat of a key pressed before the start dropped", []rawKey{repeat(keyA, 10), release(keyA, 20)}, nil},
		{"codes below 8 and above 255 are other", []rawKey{press(3, 1), release(3, 2), press(1000, 3), release(1000, 4)},
			[]keystroke.Event{{Press: ms(1), Release: ms(2)}, {Press: ms(3), Release: ms(4)}}},
		{"release stamped before press clamps", []rawKey{press(keyA, 100), release(keyA, 99)},
			[]keystroke.Event{{Press: ms(100), Release: ms(100), Class: keystroke.ClassLetter}}},
		{"press and release across a wrap", []rawKey{press(keyA, math.MaxUint32-20), release(keyA, 30)},
			[]keystroke.Event{{Press: ms(math.MaxUint32 - 20), Release: ms(math.MaxUint32 + 31), Class: keystroke.ClassLetter}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var k keyTracker
			var got []keystroke.Event
			for _, r := range tt.in {
				if s, ok := k.add(r); ok {
					if s.source != src {
						t.Errorf("stroke source = %d, want %d", s.source, src)
					}
					got = append(got, s.ev)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d strokes %+v, want %+v", len(got), got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("stroke %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
			if len(k.down) != 0 {
				t.Errorf("%d keys still down, want 0", len(k.down))
			}
		})
	}
}

func TestKeyTrackerBounded(t *testing.T) {
	var k keyTracker
	for code := range uint32(1000) {
		k.add(rawKey{source: 1, code: code, time: code})
	}
	if len(k.down) != maxDown || k.dropped != 1000-maxDown {
		t.Errorf("after 1000 presses: %d down, %d dropped; want %d, %d", len(k.down), k.dropped, maxDown, 1000-maxDown)
	}
	k.forget(1)
	if len(k.down) != 0 {
		t.Errorf("after forget: %d down, want 0", len(k.down))
	}
}
