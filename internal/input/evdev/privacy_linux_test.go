package evdev

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// letterCodes maps a..z to their Linux key codes.
var letterCodes = map[rune]uint16{
	'q': 16, 'w': 17, 'e': 18, 'r': 19, 't': 20, 'y': 21, 'u': 22, 'i': 23, 'o': 24, 'p': 25,
	'a': 30, 's': 31, 'd': 32, 'f': 33, 'g': 34, 'h': 35, 'j': 36, 'k': 37, 'l': 38,
	'z': 44, 'x': 45, 'c': 46, 'v': 47, 'b': 48, 'n': 49, 'm': 50,
}

// typed returns the events of typing text with a fixed rhythm, each key
// preceded by its MSC_SCAN scan code as USB keyboards send it.
func typed(t *testing.T, text string) []ev {
	var evs []ev
	for i, c := range text {
		code, ok := letterCodes[c]
		if c == ' ' {
			code, ok = keySpace, true
		}
		if !ok {
			t.Fatalf("no key code for %q", c)
		}
		at := ms(i * 120)
		evs = append(evs, cat(press(at, code), repeat(at+30*time.Millisecond, code), release(at+time.Duration(60+i%4*10)*time.Millisecond, code))...)
	}
	return evs
}

// TestEventCannotCarryKeys pins keystroke.Event's fields: any new field,
// or a changed type, fails here until someone has checked that it cannot
// carry a key code.
func TestEventCannotCarryKeys(t *testing.T) {
	allowed := map[string]reflect.Type{
		"Press":   reflect.TypeFor[time.Duration](), // timing
		"Release": reflect.TypeFor[time.Duration](), // timing
		"Class":   reflect.TypeFor[keystroke.Class](),
		"Prov":    reflect.TypeFor[keystroke.Provenance](), // per device
		"Device":  reflect.TypeFor[uint16](),               // per device
		"Repeats": reflect.TypeFor[uint16](),               // a count
	}
	et := reflect.TypeFor[keystroke.Event]()
	if et.NumField() != len(allowed) {
		t.Errorf("keystroke.Event has %d fields, want the %d checked here", et.NumField(), len(allowed))
	}
	for f := range et.Fields() {
		if want, ok := allowed[f.Name]; !ok || f.Type != want {
			t.Errorf("keystroke.Event field %s %v is not one of the fields checked not to carry key codes", f.Name, f.Type)
		}
	}
}

// TestNothingDependsOnKeys types "the quick brown fox" on one fixture
// keyboard and a different sentence with the same letter-and-space shape
// (so the same classes) on another, with different key and scan codes but
// the same rhythm. Everything the reader returns or logs (strokes, devices,
// device lists, as %+v and as JSON, and debug logs) must be byte for byte
// the same: the only key-dependent output is the class.
func TestNothingDependsOnKeys(t *testing.T) {
	const sentence = "the quick brown fox"
	// Each letter becomes another one: same shape, no key code in common.
	other := strings.Map(func(c rune) rune {
		if c == ' ' {
			return c
		}
		return 'a' + (c-'a'+13)%26
	}, sentence)
	a, b := typed(t, sentence), typed(t, other)
	if bytes.Equal(native.encode(a...), native.encode(b...)) {
		t.Fatal("the two streams are the same; the test would prove nothing")
	}
	outputs := func(evs []ev) (string, []keystroke.Event) {
		root := t.TempDir()
		fxUSB.build(t, root)
		writeNode(t, root, fxUSB.event, evs)
		var logs logBuffer
		rn := start(t, Config{Root: root, Logger: logs.logger(), Rescan: -1})
		rn.wait(t, len(sentence))
		// Stop only once the reader has reached the end of the fixture, so
		// that both runs log the same lines.
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), "keyboard stream ended"); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the reader did not reach the end of the fixture stream")
			}
		}
		got := rn.stop(t)
		devs := rn.r.Devices()
		list, err := Keyboards(root)
		must(t, err)
		js, err := json.Marshal(struct {
			Events  []keystroke.Event
			Devices []keystroke.Device
			List    []keystroke.Device
		}{got, devs, list})
		must(t, err)
		out := fmt.Sprintf("%+v\n%+v\n%+v\n%s\n%s", got, devs, list, js, logs.String())
		return strings.ReplaceAll(out, root, "ROOT"), got
	}
	outA, evA := outputs(a)
	outB, _ := outputs(b)
	if outA != outB {
		t.Errorf("output depends on which keys were typed:\n--- %q\n%s\n--- %q\n%s", sentence, outA, other, outB)
	}
	if len(evA) != len(sentence) {
		t.Fatalf("%d strokes, want %d", len(evA), len(sentence))
	}
	for i, c := range sentence {
		want := keystroke.ClassLetter
		if c == ' ' {
			want = keystroke.ClassSpace
		}
		if evA[i].Class != want || evA[i].Repeats != 1 {
			t.Errorf("stroke %d (%q) = %+v, want class %v and 1 repeat", i, c, evA[i], want)
		}
	}
}

// TestErrorsCarryNoKeys: decoding errors for key events read the same
// whatever the key code.
func TestErrorsCarryNoKeys(t *testing.T) {
	for _, pair := range [][2]ev{
		{{typ: evKey, code: 0x300, value: 1}, {typ: evKey, code: 0xfffe, value: 1}},
		{{typ: evKey, code: keyT, value: 7}, {typ: evKey, code: keyH, value: 7}},
	} {
		_, err1 := native.decode(native.encode(pair[0]), 0)
		_, err2 := native.decode(native.encode(pair[1]), 0)
		if err1 == nil || err2 == nil || err1.Error() != err2.Error() {
			t.Errorf("errors for %+v and %+v: %v and %v, want the same error", pair[0], pair[1], err1, err2)
		}
	}
}
