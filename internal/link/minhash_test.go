package link

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"
)

// vocab returns n distinct letter-only words.
func vocab(n int) []string {
	w := make([]string, n)
	for i := range w {
		var b strings.Builder
		for x := i + 1; x > 0; x /= 26 {
			b.WriteByte(byte('a' + x%26))
		}
		w[i] = "w" + b.String()
	}
	return w
}

// exactJaccard computes the Jaccard similarity of the shingle sets the
// signatures are built from.
func exactJaccard(a, b, name string) float64 {
	set := func(text string) map[uint64]bool {
		w := resumeWords(nil, text, name)
		m := map[uint64]bool{}
		for i := 0; i+ShingleWords <= len(w); i++ {
			x := w[i] ^ bits.RotateLeft64(w[i+1], 13) ^ bits.RotateLeft64(w[i+2], 26) ^
				bits.RotateLeft64(w[i+3], 39) ^ bits.RotateLeft64(w[i+4], 52)
			m[x] = true
		}
		return m
	}
	x, y := set(a), set(b)
	inter := 0
	for k := range x {
		if y[k] {
			inter++
		}
	}
	return float64(inter) / float64(len(x)+len(y)-inter)
}

func TestSimilarityTracksJaccard(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	words := vocab(5000)
	var m minhasher
	var sa, sb signature
	sumErr, sumAbs, n := 0.0, 0.0, 0
	for i := range 300 {
		length := 60 + rng.IntN(400)
		a := make([]string, length)
		for j := range a {
			a[j] = words[rng.IntN(len(words))]
		}
		b := append([]string(nil), a...)
		frac := float64(i%30) / 30 // 0 … 0.97 of the words replaced
		for j := range b {
			if rng.Float64() < frac {
				b[j] = words[rng.IntN(len(words))]
			}
		}
		ta, tb := strings.Join(a, " "), strings.Join(b, " ")
		want := exactJaccard(ta, tb, "")
		if !m.sign(ta, "", &sa) || !m.sign(tb, "", &sb) {
			t.Fatal("sign refused a long text")
		}
		got := similarity(&sa, &sb)
		if math.Abs(got-want) > 0.2 {
			t.Errorf("pair %d (%d words): estimate %.3f, exact Jaccard %.3f", i, length, got, want)
		}
		sumErr += got - want
		sumAbs += math.Abs(got - want)
		n++
	}
	if mean := sumErr / float64(n); math.Abs(mean) > 0.02 {
		t.Errorf("mean error %.4f: estimate is biased", mean)
	}
	if mae := sumAbs / float64(n); mae > 0.04 {
		t.Errorf("mean absolute error %.4f, want ≤ 0.04 (128 bins: standard error ≤ 0.044)", mae)
	}
}

func TestResumeWordsIgnoreContactsNamesNumbers(t *testing.T) {
	body := strings.Repeat("Built the payments reconciliation service using Go and Kafka, cutting page load time by a third. ", 6)
	a := "Jane Doe\njane.doe@gmail.com | (602) 555-0134 | https://www.linkedin.com/in/jane-doe\n" +
		"Software Engineer, Acme (Jan 2019 – Mar 2021)\n" + body + "Jane led 12 people."
	b := "John Roe\nJOHN.R+jobs@outlook.com | +1 480 555 0199 | linkedin.com/in/jroe | github.com/jroe\n" +
		"Software Engineer, Acme (May 2017 – Present)\n" + body + "Roe led 7 people."
	var m minhasher
	var sa, sb signature
	if !m.sign(a, "Jane Doe", &sa) || !m.sign(b, "John Roe", &sb) {
		t.Fatal("sign refused a long text")
	}
	if s := similarity(&sa, &sb); s != 1 {
		t.Errorf("similarity = %.3f, want 1: names, contacts and dates must not count", s)
	}
	wa := resumeWords(nil, a, "Jane Doe")
	for _, w := range []string{"jane", "doe", "gmail", "linkedin", "janedoe"} {
		for _, h := range wa {
			if h == wordHash(w) {
				t.Errorf("word %q kept", w)
			}
		}
	}
	if got := len(resumeWords(nil, "Node.js, C++; cross-functional (React)!", "")); got != 4 {
		t.Errorf("resumeWords kept %d words, want 4", got)
	}
}

func TestShortResumeNotSigned(t *testing.T) {
	var m minhasher
	var s signature
	short := "Experienced software engineer with a passion for building scalable systems and mentoring teams."
	if m.sign(short, "", &s) {
		t.Errorf("signed a %d-word text; want at least %d words", len(strings.Fields(short)), MinResumeWords)
	}
	long := strings.Repeat(short+" ", 4)
	if !m.sign(long, "", &s) {
		t.Error("refused a text of more than MinResumeWords words")
	}
}

func TestCandidateProbability(t *testing.T) {
	tests := []struct {
		s           float64
		bands, rows int
		want        float64
	}{
		{0.5, 32, 4, 1 - math.Pow(1-0.0625, 32)},
		{0.5, DefaultBands, DefaultRows, 1 - math.Pow(1-0.125, float64(DefaultBands))},
		{0, 32, 4, 0},
		{1, 32, 4, 1},
	}
	for _, tt := range tests {
		if got := CandidateProbability(tt.s, tt.bands, tt.rows); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("CandidateProbability(%v, %d, %d) = %v, want %v", tt.s, tt.bands, tt.rows, got, tt.want)
		}
	}
}

// TestResumePairsFindsCopies checks banding and verification end to end:
// copies with a few words changed are found, unrelated texts are not.
func TestResumePairsFindsCopies(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	words := vocab(3000)
	o, err := Options{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	var ex []extracted
	var m minhasher
	text := func() []string {
		w := make([]string, 200)
		for i := range w {
			w[i] = words[rng.IntN(len(words))]
		}
		return w
	}
	add := func(w []string) {
		var s signature
		if !m.sign(strings.Join(w, " "), "", &s) {
			t.Fatal("sign refused")
		}
		ex = append(ex, extracted{sig: &s})
	}
	for range 50 {
		base := text()
		add(base)
		c := append([]string(nil), base...)
		for range 5 {
			c[rng.IntN(len(c))] = words[rng.IntN(len(words))]
		}
		add(c)
	}
	for range 200 {
		add(text())
	}
	pairs := resumePairs(ex, o)
	found := map[string]bool{}
	for _, p := range pairs {
		found[fmt.Sprint(p.a, p.b)] = true
		if p.b != p.a+1 || p.a%2 != 0 || p.a >= 100 {
			t.Errorf("unrelated pair %d–%d (%.2f)", p.a, p.b, p.score)
		}
	}
	for i := 0; i < 100; i += 2 {
		if !found[fmt.Sprint(i, i+1)] {
			t.Errorf("copy pair %d–%d not found", i, i+1)
		}
	}
}
