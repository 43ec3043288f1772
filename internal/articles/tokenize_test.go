package articles

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		in, want string // want: tokens joined by single spaces
	}{
		{"I don't know.", "I do n't know ."},
		{"We can't, won't and shouldn't.", "We ca n't , wo n't and should n't ."},
		{"Singapore's people (and Malaysia's) agree!", "Singapore 's people ( and Malaysia 's ) agree !"},
		{"I'm sure they're right; we've seen it, I'll say, you'd agree?", "I 'm sure they 're right ; we 've seen it , I 'll say , you 'd agree ?"},
		{"It’s the parents’ choice.", "It ’s the parents ’ choice ."},
		{`He said "no" and 'real' things`, `He said " no " and ' real ' things`},
		{"Use e.g. Go, i.e. a language, etc. Then stop.", "Use e.g. Go , i.e. a language , etc. Then stop ."},
		{"Dr. Smith moved to the U.S. in 2019.", "Dr. Smith moved to the U.S. in 2019 ."},
		{"It costs 3.5 dollars... really.", "It costs 3.5 dollars ... really ."},
		{"face-to-face and his/her views", "face-to-face and his/her views"},
		{"Java,Python;Go", "Java , Python ; Go"},
		{"10,000 users", "10,000 users"},
		{"fast—very fast", "fast — very fast"},
		{"I cannot", "I cannot"},
		{"  spaces\tand\ttabs\n", "spaces and tabs"},
		{"- Led a team", "- Led a team"},
		{"(see [1].)", "( see [ 1 ] . )"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(Tokenize(tt.in), " "); got != tt.want {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"One. Two! Three? Four", 4},
		{"Use etc. and more. Next one.", 2},
		{"It is 3.5 kg. Then more.", 2},
		{"Line one\nLine two\n\nparagraph", 3},
		{"wrapped line\ncontinues here.", 1},
		{"- item one\n- item two\n* item three", 3},
		{"He said: \"Stop.\" Then left.", 2},
		{"", 0},
		{"...", 1},
	}
	for _, tt := range tests {
		if got := Check(tt.in).Sentences; got != tt.want {
			t.Errorf("Check(%q).Sentences = %d, want %d", tt.in, got, tt.want)
		}
	}
	long := strings.Repeat("word ", 3*MaxSentenceTokens)
	if got := Check(long).Sentences; got != 3 {
		t.Errorf("Check(%d words without a period).Sentences = %d, want 3", 3*MaxSentenceTokens, got)
	}
}

func TestASCIILower(t *testing.T) {
	for _, s := range []string{"Hello WORLD", "déjà VU", "İstanbul", "abc"} {
		got := asciiLower(s)
		if len(got) != len(s) {
			t.Errorf("asciiLower(%q) = %q: length changed", s, got)
		}
	}
	if got := asciiLower("Déjà VU"); got != "déjà vu" {
		t.Errorf("asciiLower(Déjà VU) = %q", got)
	}
}

// checkReport asserts the invariants of a Check result on text.
func checkReport(t *testing.T, text string, rep TextReport) {
	t.Helper()
	if len(rep.Flagged) > rep.Sentences {
		t.Fatalf("%d flagged of %d sentences", len(rep.Flagged), rep.Sentences)
	}
	last := 0
	for _, sf := range rep.Flagged {
		if sf.Start < last || sf.End <= sf.Start || sf.End > len(text) {
			t.Fatalf("sentence span [%d,%d) out of order or range (text %d bytes)", sf.Start, sf.End, len(text))
		}
		last = sf.End
		if len(sf.Tokens) == 0 || len(sf.Tokens) > MaxSentenceTokens || len(sf.Findings) == 0 {
			t.Fatalf("flagged sentence with %d tokens and %d findings", len(sf.Tokens), len(sf.Findings))
		}
		for _, tok := range sf.Tokens {
			if tok == "" || !strings.Contains(text[sf.Start:sf.End], tok) {
				t.Fatalf("token %q not in sentence %q", tok, text[sf.Start:sf.End])
			}
		}
		prev := -1
		for _, f := range sf.Findings {
			if f.Start < 0 || f.End < f.Start || f.End > len(sf.Tokens) || f.Start < prev {
				t.Fatalf("finding span [%d,%d) bad for %d tokens", f.Start, f.End, len(sf.Tokens))
			}
			prev = f.Start
			switch f.Kind {
			case KindMissing, KindUnneeded, KindWrong, KindIdiom:
			default:
				t.Fatalf("finding kind %q", f.Kind)
			}
			if f.Rule == "" || f.Message == "" || !utf8.ValidString(f.Message) && utf8.ValidString(text) {
				t.Fatalf("finding %+v lacks a rule or message", f)
			}
		}
	}
}

func FuzzCheck(f *testing.F) {
	f.Add(benchText)
	for _, s := range mustNotFire[:20] {
		f.Add(s)
	}
	f.Add("I am software engineer. For an example , a hour ... \n\n- Gave an advice\n• x")
	f.Add("’s n’t 'd ' \" ( ) [ ] … — – a an the A AN THE 8 11 18 1800 U.S. e.g.")
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1<<16 {
			return
		}
		rep := Check(text)
		checkReport(t, text, rep)
		// Checking the tokens of each flagged sentence again gives the same
		// findings, except that Check may read a sentence as telegraphic
		// because it started with a bullet.
		for _, sf := range rep.Flagged {
			again := CheckTokens(sf.Tokens)
			for _, g := range again {
				if g.Start > len(sf.Tokens) || g.End > len(sf.Tokens) {
					t.Fatalf("CheckTokens span [%d,%d) past %d tokens", g.Start, g.End, len(sf.Tokens))
				}
			}
		}
	})
}
