package articles

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// conllPath is where the CoNLL-2014 test data sits next to the repository
// (docs/lab-articles.md says where to get it); ARTICLES_CONLL14 overrides it.
func conllPath() string {
	if p := os.Getenv("ARTICLES_CONLL14"); p != "" {
		return p
	}
	return filepath.Join("..", "..", "..", "shared", "data", "conll14-gec", "official-2014.combined.m2")
}

func TestCoNLL2014(t *testing.T) {
	data, err := os.ReadFile(conllPath())
	if err != nil {
		t.Skipf("CoNLL-2014 test data not found (%v); see docs/lab-articles.md", err)
	}
	ss, err := ReadM2(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1312 {
		t.Fatalf("ReadM2(%s) = %d sentences, want 1312", conllPath(), len(ss))
	}
	rep := EvaluateSplit(ss, CheckTokens, EvalOptions{})
	for _, part := range []struct {
		name string
		r    Result
	}{{"held-out", rep.HeldOut}, {"all", rep.All}, {"dev", rep.Dev}} {
		r := part.r
		checkResult(t, r)
		t.Logf("%-8s P %.3f R %.3f F0.5 %.3f | strict P %.3f R %.3f F0.5 %.3f | flag rate, article findings %.2f %% (%d/%d, 95%% upper %.2f %%), any finding %.2f %% (%d/%d, 95%% upper %.2f %%)",
			part.name, r.Precision, r.Recall, r.F05, r.StrictPrecision, r.StrictRecall, r.StrictF05,
			100*r.ScoredFlagRate, r.ScoredFlaggedWithoutArtErr, r.SentencesWithoutArtErr, 100*r.ScoredFlagRateUpper95,
			100*r.FlagRate, r.FlaggedWithoutArtErr, r.SentencesWithoutArtErr, 100*r.FlagRateUpper95)
	}
	// The bar: the article checker flags at most 1 % of the sentences
	// without an article error. Its article findings do, on the held-out
	// half (4 of 427 when the rules were frozen) and on the whole set.
	// Counting the preposition-idiom findings too (not article edits) the
	// whole set stays inside (8 of 874) and the held-out half is one
	// sentence over (5 of 427, 1.17 %); the rules were not changed after
	// that was seen (docs/lab-articles.md), so that check is a regression
	// ceiling at the frozen figure.
	for _, part := range []struct {
		name string
		r    Result
	}{{"held-out", rep.HeldOut}, {"whole-set", rep.All}} {
		if r := part.r; r.ScoredFlagRate > 0.01 {
			t.Errorf("%s flag rate of article findings = %.2f %% (%d of %d), want <= 1 %%",
				part.name, 100*r.ScoredFlagRate, r.ScoredFlaggedWithoutArtErr, r.SentencesWithoutArtErr)
		}
	}
	if rep.All.FlagRate > 0.01 {
		t.Errorf("whole-set flag rate = %.2f %% (%d of %d), want <= 1 %%",
			100*rep.All.FlagRate, rep.All.FlaggedWithoutArtErr, rep.All.SentencesWithoutArtErr)
	}
	const heldOutCeiling = 5
	if rep.HeldOut.FlaggedWithoutArtErr > heldOutCeiling {
		t.Errorf("held-out: %d of %d sentences without article errors flagged (%.2f %%), want <= %d as when the rules were frozen",
			rep.HeldOut.FlaggedWithoutArtErr, rep.HeldOut.SentencesWithoutArtErr, 100*rep.HeldOut.FlagRate, heldOutCeiling)
	}
	if rep.HeldOut.FlagRate > 0.01 {
		t.Logf("held-out flag rate with idiom findings %.2f %% is above 1 %% (known, see docs/lab-articles.md)", 100*rep.HeldOut.FlagRate)
	}
	if rep.HeldOut.Precision < 0.5 {
		t.Errorf("held-out precision = %.3f, want >= 0.5", rep.HeldOut.Precision)
	}
}
