package articles

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
)

// DefaultEditType is the gold edit type Evaluate scores unless told
// otherwise: the NUCLE article-or-determiner category.
const DefaultEditType = "ArtOrDet"

// SplitBlock is the number of consecutive sentences Split keeps together.
// M2 files carry no essay ids; the CoNLL-2014 test set has 50 essays in
// 1,312 sentences (about 26 each), in order, so blocks of 100 sentences
// keep most of an essay on one side and put at most one essay across each
// block boundary.
const SplitBlock = 100

// Split divides sentences into a development half and a held-out half by
// blocks of SplitBlock consecutive sentences: with fold 0 the even blocks
// (sentences 0-99, 200-299, ...) are dev and the odd ones held out; fold 1
// swaps the halves. Rules are tuned on fold 0's dev half only.
func Split(sentences []Sentence, fold int) (dev, heldOut []Sentence) {
	for i, s := range sentences {
		if (i/SplitBlock)%2 == fold&1 {
			dev = append(dev, s)
		} else {
			heldOut = append(heldOut, s)
		}
	}
	return dev, heldOut
}

// EvalOptions tunes Evaluate.
type EvalOptions struct {
	// EditType is the gold edit type scored; "" means DefaultEditType.
	EditType string
	// ScoreIdioms scores findings of kind "idiom" too. They change a
	// word that is not an article ("in the same time" -> "at ..."), so by
	// default they are left out of precision and recall (counted in
	// Result.Unscored) but still count for the flag rate.
	ScoreIdioms bool
}

// RuleCount is how one rule fared.
type RuleCount struct {
	Findings int `json:"findings"`
	// TP and FP split the scored findings by the lenient match.
	TP int `json:"tp"`
	FP int `json:"fp"`
	// StrictTP counts findings with the same span and correction as a gold edit.
	StrictTP int `json:"strict_tp"`
	// OnClean counts findings in sentences with no gold edit of the type.
	OnClean int `json:"on_clean"`
}

// Result is the score of a checker on a set of M2 sentences.
//
// Matching. A gold error is an edit of the scored type (noop edits are
// ignored); edits of different annotators that overlap are one error.
// Lenient: a finding is a true positive when its span overlaps the span of
// a gold edit of any annotator (an insertion point p meets a span [s, e)
// when s <= p <= e; two insertions must be at the same point); the
// suggested text does not matter. Strict: the span must be the same and
// the suggestion equal to the correction, ignoring case. Precision counts
// findings (TP / (TP + FP)); recall counts gold errors (Matched /
// GoldErrors, a gold error being matched when a finding matches one of its
// edits); F0.5 weighs precision twice as much as recall.
//
// Flag rate. A sentence is clean when no annotator marked an edit of the
// scored type in it; FlagRate is the share of clean sentences with at
// least one finding of any kind, and FlagRateUpper95 its 95 % Wilson
// upper bound. ScoredFlagRate and ScoredFlagRateUpper95 are the same for
// the findings that are scored: the article checker's own flag rate,
// without the idiom findings, which change words that are not articles.
type Result struct {
	EditType  string `json:"edit_type"`
	Sentences int    `json:"sentences"`

	SentencesWithoutArtErr int     `json:"sentences_without_art_err"`
	FlaggedWithoutArtErr   int     `json:"flagged_without_art_err"`
	FlagRate               float64 `json:"flag_rate"`
	FlagRateUpper95        float64 `json:"flag_rate_upper95"`
	FlaggedWithArtErr      int     `json:"flagged_with_art_err"`

	ScoredFlaggedWithoutArtErr int     `json:"scored_flagged_without_art_err"`
	ScoredFlagRate             float64 `json:"scored_flag_rate"`
	ScoredFlagRateUpper95      float64 `json:"scored_flag_rate_upper95"`

	GoldErrors int `json:"gold_errors"`
	Findings   int `json:"findings"`
	Unscored   int `json:"unscored"`

	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
	Matched   int     `json:"matched"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F05       float64 `json:"f05"`

	StrictTP        int     `json:"strict_tp"`
	StrictFP        int     `json:"strict_fp"`
	StrictFN        int     `json:"strict_fn"`
	StrictMatched   int     `json:"strict_matched"`
	StrictPrecision float64 `json:"strict_precision"`
	StrictRecall    float64 `json:"strict_recall"`
	StrictF05       float64 `json:"strict_f05"`

	Rules map[string]RuleCount `json:"rules"`
}

// Evaluate runs check on every sentence and scores its findings against
// the gold edits (see Result for how).
func Evaluate(sentences []Sentence, check func([]string) []Finding, opts EvalOptions) Result {
	typ := opts.EditType
	if typ == "" {
		typ = DefaultEditType
	}
	r := Result{EditType: typ, Sentences: len(sentences), Rules: map[string]RuleCount{}}
	var gold []Edit
	for _, s := range sentences {
		gold = gold[:0]
		for _, e := range s.Edits {
			if e.Type == typ && e.Start >= 0 {
				gold = append(gold, e)
			}
		}
		clean := len(gold) == 0
		if clean {
			r.SentencesWithoutArtErr++
		}
		findings := check(s.Tokens)
		if len(findings) > 0 {
			if clean {
				r.FlaggedWithoutArtErr++
			} else {
				r.FlaggedWithArtErr++
			}
		}
		cluster := clusters(gold)
		nclusters := 0
		for _, c := range cluster {
			nclusters = max(nclusters, c+1)
		}
		r.GoldErrors += nclusters
		matched := make([]bool, nclusters)
		strictMatched := make([]bool, nclusters)
		scoredFlag := false
		for _, f := range findings {
			rc := r.Rules[f.Rule]
			rc.Findings++
			if clean {
				rc.OnClean++
			}
			if f.Kind == KindIdiom && !opts.ScoreIdioms {
				r.Unscored++
				r.Rules[f.Rule] = rc
				continue
			}
			r.Findings++
			scoredFlag = true
			tp, strict := false, false
			for k, g := range gold {
				if overlaps(f.Start, f.End, g.Start, g.End) {
					tp = true
					matched[cluster[k]] = true
					if f.Start == g.Start && f.End == g.End && sameText(f.Suggestion, g.Correction) {
						strict = true
						strictMatched[cluster[k]] = true
					}
				}
			}
			if tp {
				r.TP++
				rc.TP++
			} else {
				r.FP++
				rc.FP++
			}
			if strict {
				r.StrictTP++
				rc.StrictTP++
			} else {
				r.StrictFP++
			}
			r.Rules[f.Rule] = rc
		}
		if scoredFlag && clean {
			r.ScoredFlaggedWithoutArtErr++
		}
		for k := range matched {
			if matched[k] {
				r.Matched++
			}
			if strictMatched[k] {
				r.StrictMatched++
			}
		}
	}
	r.FN = r.GoldErrors - r.Matched
	r.StrictFN = r.GoldErrors - r.StrictMatched
	r.Precision, r.Recall, r.F05 = prf(r.TP, r.FP, r.Matched, r.GoldErrors)
	r.StrictPrecision, r.StrictRecall, r.StrictF05 = prf(r.StrictTP, r.StrictFP, r.StrictMatched, r.GoldErrors)
	if r.SentencesWithoutArtErr > 0 {
		r.FlagRate = float64(r.FlaggedWithoutArtErr) / float64(r.SentencesWithoutArtErr)
	}
	r.FlagRateUpper95 = WilsonUpper(r.FlaggedWithoutArtErr, r.SentencesWithoutArtErr)
	if r.SentencesWithoutArtErr > 0 {
		r.ScoredFlagRate = float64(r.ScoredFlaggedWithoutArtErr) / float64(r.SentencesWithoutArtErr)
	}
	r.ScoredFlagRateUpper95 = WilsonUpper(r.ScoredFlaggedWithoutArtErr, r.SentencesWithoutArtErr)
	return r
}

// clusters groups gold edits into errors: edits of different annotators
// that overlap are the same error. It returns each edit's error number.
func clusters(gold []Edit) []int {
	parent := make([]int, len(gold))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := range gold {
		for j := i + 1; j < len(gold); j++ {
			if gold[i].Annotator != gold[j].Annotator &&
				overlaps(gold[i].Start, gold[i].End, gold[j].Start, gold[j].End) {
				parent[find(j)] = find(i)
			}
		}
	}
	ids := map[int]int{}
	out := make([]int, len(gold))
	for i := range gold {
		root := find(i)
		id, ok := ids[root]
		if !ok {
			id = len(ids)
			ids[root] = id
		}
		out[i] = id
	}
	return out
}

// sameText compares a suggestion with a gold correction, ignoring case
// and surrounding white space.
func sameText(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// prf returns precision, recall and F0.5; an empty denominator gives 0.
func prf(tp, fp, matched, gold int) (p, r, f float64) {
	if tp+fp > 0 {
		p = float64(tp) / float64(tp+fp)
	}
	if gold > 0 {
		r = float64(matched) / float64(gold)
	}
	if p+r > 0 {
		f = 1.25 * p * r / (0.25*p + r)
	}
	return p, r, f
}

// WilsonUpper returns the upper end of the 95 % Wilson score interval for
// k successes in n trials (0 when n is 0).
func WilsonUpper(k, n int) float64 {
	if n <= 0 {
		return 0
	}
	const z = 1.959963984540054
	p := float64(k) / float64(n)
	nn := float64(n)
	centre := p + z*z/(2*nn)
	half := z * math.Sqrt(p*(1-p)/nn+z*z/(4*nn*nn))
	return math.Min(1, (centre+half)/(1+z*z/nn))
}

// Report is the lab evaluation: the tuning half, the held-out half and
// the whole set.
type Report struct {
	// SplitBlock and Fold describe the split (see Split).
	SplitBlock int    `json:"split_block"`
	Fold       int    `json:"fold"`
	Dev        Result `json:"dev"`
	HeldOut    Result `json:"held_out"`
	All        Result `json:"all"`
}

// EvaluateSplit scores check on fold 0's dev half, its held-out half and
// all sentences. Only the held-out and whole-set figures are meant for
// reporting; the rules were tuned on the dev half.
func EvaluateSplit(sentences []Sentence, check func([]string) []Finding, opts EvalOptions) Report {
	dev, held := Split(sentences, 0)
	return Report{
		SplitBlock: SplitBlock,
		Dev:        Evaluate(dev, check, opts),
		HeldOut:    Evaluate(held, check, opts),
		All:        Evaluate(sentences, check, opts),
	}
}

// WriteTable writes r as a plain-text table: the totals, then one row per
// rule.
func WriteTable(w io.Writer, r Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "sentences\t%d\n", r.Sentences)
	fmt.Fprintf(tw, "gold %s errors\t%d\n", r.EditType, r.GoldErrors)
	fmt.Fprintf(tw, "findings scored\t%d\t(+%d idiom findings not scored)\n", r.Findings, r.Unscored)
	fmt.Fprintf(tw, "lenient\tP %.3f\tR %.3f\tF0.5 %.3f\t(TP %d, FP %d, errors found %d, missed %d)\n",
		r.Precision, r.Recall, r.F05, r.TP, r.FP, r.Matched, r.FN)
	fmt.Fprintf(tw, "strict\tP %.3f\tR %.3f\tF0.5 %.3f\t(TP %d, FP %d, errors found %d, missed %d)\n",
		r.StrictPrecision, r.StrictRecall, r.StrictF05, r.StrictTP, r.StrictFP, r.StrictMatched, r.StrictFN)
	fmt.Fprintf(tw, "flag rate on sentences without %s errors, scored findings\t%.2f %%\t(%d of %d; 95 %% upper bound %.2f %%)\n",
		r.EditType, 100*r.ScoredFlagRate, r.ScoredFlaggedWithoutArtErr, r.SentencesWithoutArtErr, 100*r.ScoredFlagRateUpper95)
	fmt.Fprintf(tw, "flag rate on sentences without %s errors, any finding\t%.2f %%\t(%d of %d; 95 %% upper bound %.2f %%)\n",
		r.EditType, 100*r.FlagRate, r.FlaggedWithoutArtErr, r.SentencesWithoutArtErr, 100*r.FlagRateUpper95)
	fmt.Fprintf(tw, "sentences with %s errors flagged\t%d\n", r.EditType, r.FlaggedWithArtErr)
	fmt.Fprintln(tw, "\nrule\tfindings\tTP\tFP\tstrict TP\ton clean sentences")
	names := make([]string, 0, len(r.Rules))
	for n := range r.Rules {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := r.Rules[n]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\n", n, c.Findings, c.TP, c.FP, c.StrictTP, c.OnClean)
	}
	return tw.Flush()
}

// WriteReport writes the three tables of rep, held-out half first.
func WriteReport(w io.Writer, rep Report) error {
	parts := []struct {
		title string
		r     Result
	}{
		{"held-out half (not used for tuning)", rep.HeldOut},
		{"all sentences", rep.All},
		{"dev half (rules tuned here)", rep.Dev},
	}
	for i, p := range parts {
		if i > 0 {
			if _, err := fmt.Fprintln(w); err != nil {
				return err
			}
		}
		if _, err := fmt.Fprintf(w, "== %s, blocks of %d sentences, fold %d ==\n", p.title, rep.SplitBlock, rep.Fold); err != nil {
			return err
		}
		if err := WriteTable(w, p.r); err != nil {
			return err
		}
	}
	return nil
}
