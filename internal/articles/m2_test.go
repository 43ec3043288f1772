package articles

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func readFixture(t testing.TB, name string) []Sentence {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := ReadM2(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("ReadM2(%s): %v", name, err)
	}
	return ss
}

func TestReadM2(t *testing.T) {
	ss := readFixture(t, "small.m2")
	if len(ss) != 6 {
		t.Fatalf("ReadM2(small.m2) = %d sentences, want 6", len(ss))
	}
	s := ss[1]
	if strings.Join(s.Tokens, " ") != "She gave me an useful advices ." || s.Line != 5 {
		t.Errorf("sentence 1 = %q at line %d", s.Tokens, s.Line)
	}
	wantEdits := []Edit{
		{Start: 3, End: 4, Type: "ArtOrDet", Correction: "a", Annotator: 0},
		{Start: 5, End: 6, Type: "Nn", Correction: "advice", Annotator: 0},
		{Start: 3, End: 4, Type: "ArtOrDet", Correction: "", Annotator: 1},
	}
	if len(s.Edits) != len(wantEdits) {
		t.Fatalf("sentence 1 edits = %+v, want %+v", s.Edits, wantEdits)
	}
	for i := range wantEdits {
		if s.Edits[i] != wantEdits[i] {
			t.Errorf("sentence 1 edit %d = %+v, want %+v", i, s.Edits[i], wantEdits[i])
		}
	}
	noop := ss[2].Edits
	if len(noop) != 1 || noop[0] != (Edit{Start: -1, End: -1, Type: NoopType, Correction: "-NONE-", Annotator: 0}) {
		t.Errorf("noop sentence edits = %+v", noop)
	}
}

func TestReadM2CRLF(t *testing.T) {
	ss := readFixture(t, "crlf.m2")
	if len(ss) != 2 || len(ss[0].Edits) != 1 || ss[1].Tokens[0] != "second" || ss[0].Edits[0].Annotator != 0 {
		t.Errorf("ReadM2(crlf.m2) = %+v", ss)
	}
}

func TestReadM2Errors(t *testing.T) {
	long := "S " + strings.Repeat("x", MaxM2LineBytes)
	many := "S " + strings.Repeat("w ", MaxM2Tokens+1)
	tests := []struct {
		name, in, want string
	}{
		{"edit first", "A 0 1|||ArtOrDet|||a|||REQUIRED|||-NONE-|||0\n", "m2 line 1: edit line outside a sentence"},
		{"edit after blank", "S a b\n\nA 0 1|||ArtOrDet|||a|||REQUIRED|||-NONE-|||0\n", "m2 line 3: edit line outside a sentence"},
		{"unknown prefix", "S a b\nX junk\n", `m2 line 2: line starts with "X junk"`},
		{"span past end", "S a b\nA 0 3|||ArtOrDet|||a|||REQUIRED|||-NONE-|||0\n", "m2 line 2: edit span 0 3: want 0 <= start <= end <= 2"},
		{"span reversed", "S a b\nA 2 1|||ArtOrDet|||a|||REQUIRED|||-NONE-|||0\n", "edit span 2 1"},
		{"five fields", "S a b\nA 0 1|||ArtOrDet|||a|||REQUIRED|||0\n", "m2 line 2: edit has 5 fields"},
		{"span not numbers", "S a b\nA x 1|||ArtOrDet|||a|||REQUIRED|||-NONE-|||0\n", `edit span "x 1": want two integers`},
		{"span one number", "S a b\nA 1|||ArtOrDet|||a|||REQUIRED|||-NONE-|||0\n", `edit span "1": want two numbers`},
		{"bad annotator", "S a b\nA 0 1|||ArtOrDet|||a|||REQUIRED|||-NONE-|||x\n", `annotator "x": want an integer from 0 to 63`},
		{"annotator too big", "S a b\nA 0 1|||ArtOrDet|||a|||REQUIRED|||-NONE-|||64\n", `annotator "64"`},
		{"noop span", "S a b\nA 0 0|||noop|||-NONE-|||REQUIRED|||-NONE-|||0\n", "noop edit has span 0 0, want -1 -1"},
		{"minus one not noop", "S a b\nA -1 -1|||ArtOrDet|||a|||REQUIRED|||-NONE-|||0\n", `edit span -1 -1 is only for type "noop"`},
		{"empty type", "S a b\nA 0 1||||||a|||REQUIRED|||-NONE-|||0\n", "m2 line 2: edit type is empty"},
		{"long line", "S a\n" + long + "\n", "m2 line 2: longer than the limit of 65536 bytes (MaxM2LineBytes)"},
		{"many tokens", many + "\n", "m2 line 1: 1025 tokens, more than the limit of 1024 (MaxM2Tokens)"},
	}
	for _, tt := range tests {
		_, err := ReadM2(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ReadM2 error = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func TestReadM2Edges(t *testing.T) {
	// An S line with no tokens, and a sentence straight after another
	// without a blank line, are accepted.
	ss, err := ReadM2(strings.NewReader("S\nA 0 0|||ArtOrDet|||The|||REQUIRED|||-NONE-|||0\nS a\n"))
	if err != nil || len(ss) != 2 || len(ss[0].Tokens) != 0 || len(ss[0].Edits) != 1 {
		t.Errorf("ReadM2(empty sentence) = %+v, %v", ss, err)
	}
	ss, err = ReadM2(strings.NewReader(""))
	if err != nil || len(ss) != 0 {
		t.Errorf("ReadM2(\"\") = %+v, %v", ss, err)
	}
}

// checkSentences asserts the invariants of ReadM2's output.
func checkSentences(t *testing.T, ss []Sentence) {
	for _, s := range ss {
		if len(s.Tokens) > MaxM2Tokens || len(s.Edits) > MaxM2Edits {
			t.Fatalf("sentence at line %d: %d tokens, %d edits", s.Line, len(s.Tokens), len(s.Edits))
		}
		for _, e := range s.Edits {
			if e.Type == NoopType {
				if e.Start != -1 || e.End != -1 {
					t.Fatalf("noop edit %+v", e)
				}
				continue
			}
			if e.Start < 0 || e.End < e.Start || e.End > len(s.Tokens) || e.Annotator < 0 || e.Annotator > MaxM2Annotator {
				t.Fatalf("edit %+v out of range for %d tokens", e, len(s.Tokens))
			}
		}
	}
}

func FuzzReadM2(f *testing.F) {
	for _, name := range []string{"small.m2", "crlf.m2"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("S a\nA -1 -1|||noop|||-NONE-|||REQUIRED|||-NONE-|||0\n"))
	f.Add([]byte("S the the a an\nA 0 4|||ArtOrDet||||||REQUIRED|||-NONE-|||1\nA 4 4|||ArtOrDet|||a|||REQUIRED|||-NONE-|||0\n"))
	f.Add([]byte("S\n\n\nS x\nA 1 1|||X|||y|||R|||c|||63\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		ss, err := ReadM2(bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "m2 line ") && !strings.HasPrefix(err.Error(), "read m2 ") {
				t.Fatalf("error without a line number: %v", err)
			}
			return
		}
		checkSentences(t, ss)
		r := Evaluate(ss, CheckTokens, EvalOptions{})
		checkResult(t, r)
	})
}
