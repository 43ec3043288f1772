// Package aalto reads the keystroke files of the Aalto "136M keystrokes"
// dataset (Dhakal, Feit, Kristensson and Oulasvirta, "Observations on
// Typing from 136 Million Keystrokes", CHI 2018): one tab-separated file
// per participant, a row per key stroke with press and release times in
// browser milliseconds and the JavaScript key code.
//
// It is for the evaluation lab only. The dataset carries the typed text;
// this package keeps only the timing, the section (sentence) number and
// the key code, which the lab needs for its full-key comparison, and
// never the text. The dataset is not shipped with lagwatch: its licence
// allows non-commercial research use; get it from
// https://userinterfaces.aalto.fi/136Mkeystrokes/.
package aalto

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

// Limits of the decoder.
const (
	// MaxLineLen is the longest row accepted, in bytes.
	MaxLineLen = 64 << 10
	// MaxStrokes is the most rows accepted from one file.
	MaxStrokes = 1_000_000
)

// columns are the header the files start with.
var columns = []string{"PARTICIPANT_ID", "TEST_SECTION_ID", "SENTENCE", "USER_INPUT",
	"KEYSTROKE_ID", "PRESS_TIME", "RELEASE_TIME", "LETTER", "KEYCODE"}

// Stroke is one row without its text.
type Stroke struct {
	Section int           // TEST_SECTION_ID: one sentence typed
	Press   time.Duration // since the Unix epoch, browser clock, 1 ms resolution
	Release time.Duration // Release >= Press is not guaranteed by the data
	KeyCode int           // JavaScript keyCode
}

// Participant is one file: one typist's strokes in file order.
type Participant struct {
	ID      int
	Strokes []Stroke
}

// Decode reads one participant's file; name is used in errors.
func Decode(r io.Reader, name string) (Participant, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxLineLen)
	var p Participant
	line := 0
	for sc.Scan() {
		line++
		row := sc.Bytes()
		if line == 1 {
			if got := strings.Split(string(bytes.TrimRight(row, "\r")), "\t"); !slices.Equal(got, columns) {
				return Participant{}, fmt.Errorf("%s:1: header is %q, want %q", name, got, columns)
			}
			continue
		}
		if len(bytes.TrimSpace(row)) == 0 {
			continue
		}
		f := bytes.Split(bytes.TrimRight(row, "\r"), []byte{'\t'})
		if len(f) != len(columns) {
			return Participant{}, fmt.Errorf("%s:%d: %d columns, want %d", name, line, len(f), len(columns))
		}
		var s Stroke
		var id int
		var err error
		num := func(col int, bits int) int64 {
			if err != nil {
				return 0
			}
			var v int64
			v, err = strconv.ParseInt(string(f[col]), 10, bits)
			if err != nil {
				err = fmt.Errorf("%s:%d: column %s: not an integer of %d bits", name, line, columns[col], bits)
			}
			return v
		}
		id = int(num(0, 32))
		s.Section = int(num(1, 32))
		press := num(5, 64)
		release := num(6, 64)
		s.KeyCode = int(num(8, 16))
		if err != nil {
			return Participant{}, err
		}
		const maxMs = int64(1<<63-1) / int64(time.Millisecond)
		if press < 0 || release < 0 || press > maxMs || release > maxMs {
			return Participant{}, fmt.Errorf("%s:%d: times must be 0 to %d ms", name, line, maxMs)
		}
		if s.KeyCode < 0 || s.KeyCode > 255 {
			return Participant{}, fmt.Errorf("%s:%d: column KEYCODE: must be 0 to 255", name, line)
		}
		if len(p.Strokes) == 0 {
			p.ID = id
		} else if id != p.ID {
			return Participant{}, fmt.Errorf("%s:%d: participant %d in the file of participant %d", name, line, id, p.ID)
		}
		if len(p.Strokes) == MaxStrokes {
			return Participant{}, fmt.Errorf("%s:%d: more than %d strokes", name, line, MaxStrokes)
		}
		s.Press, s.Release = time.Duration(press)*time.Millisecond, time.Duration(release)*time.Millisecond
		p.Strokes = append(p.Strokes, s)
	}
	if err := sc.Err(); err != nil {
		return Participant{}, fmt.Errorf("%s:%d: %w (rows are limited to %d bytes)", name, line+1, err, MaxLineLen)
	}
	if line == 0 {
		return Participant{}, fmt.Errorf("%s: empty file", name)
	}
	return p, nil
}

// ReadDir reads every *_keystrokes.txt file in dir (the dataset's
// keystrokes/ folder, or the folder above it), sorted by participant ID.
func ReadDir(dir string) ([]Participant, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*_keystrokes.txt"))
	if err == nil && len(files) == 0 {
		files, err = filepath.Glob(filepath.Join(dir, "keystrokes", "*_keystrokes.txt"))
	}
	if err != nil {
		return nil, fmt.Errorf("list Aalto files in %s: %w", dir, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *_keystrokes.txt files in %s or %s/keystrokes", dir, dir)
	}
	out := make([]Participant, 0, len(files))
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, fmt.Errorf("read Aalto file: %w", err)
		}
		p, err := Decode(fh, f)
		fh.Close()
		if err != nil {
			return nil, err
		}
		if len(p.Strokes) > 0 {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Participant) int { return a.ID - b.ID })
	return out, nil
}

// Events returns the participant's strokes as timing-only events of a
// physical keyboard, sorted by press time, with times relative to the
// first press. Strokes whose release precedes their press (the browser's
// clock is not monotonic) get a zero hold.
func (p Participant) Events() []keystroke.Event {
	out := make([]keystroke.Event, 0, len(p.Strokes))
	if len(p.Strokes) == 0 {
		return out
	}
	origin := p.Strokes[0].Press
	for _, s := range p.Strokes {
		origin = min(origin, s.Press)
	}
	for _, s := range p.Strokes {
		e := keystroke.Event{Press: s.Press - origin, Release: s.Release - origin, Class: ClassOfJS(s.KeyCode), Prov: keystroke.ProvPhysical}
		e.Release = max(e.Release, e.Press)
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b keystroke.Event) int { return int(a.Press - b.Press) })
	return out
}

// ClassOfJS returns the coarse class of a JavaScript keyCode.
func ClassOfJS(code int) keystroke.Class {
	switch {
	case code >= 65 && code <= 90:
		return keystroke.ClassLetter
	case code >= 48 && code <= 57, code >= 96 && code <= 105:
		return keystroke.ClassDigit
	case code == 32:
		return keystroke.ClassSpace
	case code == 13:
		return keystroke.ClassEnter
	case code == 8, code == 46:
		return keystroke.ClassBackspace
	case code == 16, code == 17, code == 18, code == 20, code == 91, code == 92, code == 93, code == 225:
		return keystroke.ClassModifier
	case code == 9, code == 27, code >= 33 && code <= 40, code == 45:
		return keystroke.ClassNavigation
	case code >= 106 && code <= 111, code >= 186 && code <= 192, code >= 219 && code <= 222, code == 173, code == 59, code == 61:
		return keystroke.ClassPunctuation
	case code >= 112 && code <= 135:
		return keystroke.ClassFunction
	}
	return keystroke.ClassOther
}
