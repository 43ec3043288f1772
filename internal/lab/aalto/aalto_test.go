package aalto

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/keystroke"
)

const header = "PARTICIPANT_ID\tTEST_SECTION_ID\tSENTENCE\tUSER_INPUT\tKEYSTROKE_ID\tPRESS_TIME\tRELEASE_TIME\tLETTER\tKEYCODE\n"

func TestDecode(t *testing.T) {
	in := header +
		"5\t7\tThe cat.\tThe cat\t204\t1471934383592\t1471934383760\tSHIFT\t16\n" +
		"5\t7\tThe cat.\tThe cat\t203\t1471934383701\t1471934383760\tT\t84\n" +
		"5\t7\tThe cat.\tThe cat\t205\t1471934383838\t1471934383830\th\t72\n"
	p, err := Decode(strings.NewReader(in), "5_keystrokes.txt")
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != 5 || len(p.Strokes) != 3 || p.Strokes[1].KeyCode != 84 || p.Strokes[0].Section != 7 {
		t.Fatalf("Decode = %+v", p)
	}
	ev := p.Events()
	if ev[0].Press != 0 || ev[0].Class != keystroke.ClassModifier || ev[1].Class != keystroke.ClassLetter {
		t.Errorf("events %+v", ev)
	}
	if ev[2].Hold() != 0 {
		t.Errorf("release before press gave hold %v, want 0", ev[2].Hold())
	}
	if got := ev[1].Press.Milliseconds(); got != 109 {
		t.Errorf("second press at %d ms, want 109", got)
	}
}

func TestDecodeErrors(t *testing.T) {
	row := "5\t7\ts\tu\t1\t100\t200\tx\t88\n"
	cases := map[string]string{
		"":                   "empty file",
		"A\tB\n":             "header",
		header + "5\t7\ts\n": "3 columns",
		header + "5\t7\ts\tu\t1\tx\t200\tx\t88\n":        "column PRESS_TIME",
		header + "5\t7\ts\tu\t1\t100\t200\tx\t999\n":     "KEYCODE: must be 0 to 255",
		header + row + strings.Replace(row, "5", "6", 1): "participant 6 in the file of participant 5",
		header + "5\t7\ts\tu\t1\t-1\t200\tx\t88\n":       "times must be",
	}
	for in, want := range cases {
		if _, err := Decode(strings.NewReader(in), "f"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Decode(%q) = %v, want an error containing %q", in, err, want)
		}
	}
}

// TestReadDirShared reads the real dataset when it is beside the
// repository (../shared/data), as the lab does.
func TestReadDirShared(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "..", "shared", "data", "aalto-136m-keystrokes")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("Aalto dataset not found beside the repository")
	}
	ps, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range ps {
		n += len(p.Strokes)
	}
	if len(ps) != 300 || n < 200_000 {
		t.Errorf("%d participants, %d strokes; want 300 and about 220k", len(ps), n)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(header + "5\t7\ts\tu\t1\t100\t200\tx\t88\n"))
	f.Add([]byte(header))
	f.Add([]byte("x"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Decode(strings.NewReader(string(b)), "f")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		for _, e := range p.Events() {
			if e.Release < e.Press || e.Press < 0 {
				t.Errorf("bad event %+v", e)
			}
		}
	})
}
