package articles

import "strings"

// idiom is a fixed phrase with an article (or, for KindIdiom, another
// word) that learners often get wrong.
type idiom struct {
	words      []string // lower-case tokens; "*" matches one modifier
	next       byte     // 0: anything may follow; 'p': punctuation or the end; 'b': a phrase boundary; ',': a comma
	opens      bool     // the phrase must open the sentence or follow a comma or conjunction
	start, end int      // edit span, relative to the first word
	kind       string
	suggestion string
	name       string // rule id after "idiom-"
	message    string
}

// idiomList is the phrase table, written for lagwatch.
var idiomList = []idiom{
	{words: w("for an example"), next: ',', opens: true, start: 1, end: 2, kind: KindUnneeded, name: "for-example", message: `"for example" takes no article`},
	{words: w("in a conclusion"), next: ',', opens: true, start: 1, end: 2, kind: KindUnneeded, name: "in-conclusion", message: `"in conclusion" takes no article`},
	{words: w("in a summary"), next: ',', opens: true, start: 1, end: 2, kind: KindUnneeded, name: "in-summary", message: `"in summary" takes no article`},
	{words: w("in the addition"), next: ',', opens: true, start: 1, end: 2, kind: KindUnneeded, name: "in-addition", message: `"in addition" takes no article`},
	{words: w("in the contrast"), next: ',', opens: true, start: 1, end: 2, kind: KindUnneeded, name: "in-contrast", message: `"in contrast" takes no article`},
	{words: w("in the general"), next: ',', opens: true, start: 1, end: 2, kind: KindUnneeded, name: "in-general", message: `"in general" takes no article`},
	{words: w("in a general"), next: ',', opens: true, start: 1, end: 2, kind: KindUnneeded, name: "in-general", message: `"in general" takes no article`},
	{words: w("in the other words"), start: 1, end: 2, kind: KindUnneeded, name: "in-other-words", message: `"in other words" takes no article`},
	{words: w("at the present"), next: 'p', start: 1, end: 2, kind: KindUnneeded, name: "at-present", message: `"at present" takes no article`},
	{words: w("in the recent years"), start: 1, end: 2, kind: KindUnneeded, name: "in-recent-years", message: `"in recent years" takes no article`},
	{words: w("in the recent decades"), start: 1, end: 2, kind: KindUnneeded, name: "in-recent-years", message: `"in recent decades" takes no article`},
	{words: w("in the recent months"), start: 1, end: 2, kind: KindUnneeded, name: "in-recent-years", message: `"in recent months" takes no article`},
	{words: w("in the most cases"), start: 1, end: 2, kind: KindUnneeded, name: "in-most-cases", message: `"in most cases" takes no article`},
	{words: w("at the first glance"), start: 1, end: 2, kind: KindUnneeded, name: "at-first-glance", message: `"at first glance" takes no article`},
	{words: w("at the first sight"), start: 1, end: 2, kind: KindUnneeded, name: "at-first-glance", message: `"at first sight" takes no article`},
	{words: w("on the behalf of"), start: 1, end: 2, kind: KindUnneeded, name: "on-behalf-of", message: `"on behalf of" takes no article`},
	{words: w("as a matter of the fact"), start: 4, end: 5, kind: KindUnneeded, name: "matter-of-fact", message: `"as a matter of fact" has no "the" before "fact"`},
	{words: w("take a part in"), start: 1, end: 2, kind: KindUnneeded, name: "take-part", message: `"take part in" takes no article`},
	{words: w("took a part in"), start: 1, end: 2, kind: KindUnneeded, name: "take-part", message: `"take part in" takes no article`},
	{words: w("taking a part in"), start: 1, end: 2, kind: KindUnneeded, name: "take-part", message: `"take part in" takes no article`},
	{words: w("takes a part in"), start: 1, end: 2, kind: KindUnneeded, name: "take-part", message: `"take part in" takes no article`},
	{words: w("taken a part in"), start: 1, end: 2, kind: KindUnneeded, name: "take-part", message: `"take part in" takes no article`},
	{words: w("give a birth"), start: 1, end: 2, kind: KindUnneeded, name: "give-birth", message: `"give birth" takes no article`},
	{words: w("gave a birth"), start: 1, end: 2, kind: KindUnneeded, name: "give-birth", message: `"give birth" takes no article`},
	{words: w("giving a birth"), start: 1, end: 2, kind: KindUnneeded, name: "give-birth", message: `"give birth" takes no article`},
	{words: w("given a birth"), start: 1, end: 2, kind: KindUnneeded, name: "give-birth", message: `"give birth" takes no article`},
	{words: w("gives a birth"), start: 1, end: 2, kind: KindUnneeded, name: "give-birth", message: `"give birth" takes no article`},

	{words: w("in a long term"), next: 'b', start: 1, end: 2, kind: KindWrong, suggestion: "the", name: "in-the-long-run", message: `the phrase is "in the long term"`},
	{words: w("in a long run"), next: 'b', start: 1, end: 2, kind: KindWrong, suggestion: "the", name: "in-the-long-run", message: `the phrase is "in the long run"`},
	{words: w("in a short term"), next: 'b', start: 1, end: 2, kind: KindWrong, suggestion: "the", name: "in-the-long-run", message: `the phrase is "in the short term"`},
	{words: w("in a short run"), next: 'b', start: 1, end: 2, kind: KindWrong, suggestion: "the", name: "in-the-long-run", message: `the phrase is "in the short run"`},
	{words: w("as the result"), next: ',', opens: true, start: 1, end: 2, kind: KindWrong, suggestion: "a", name: "as-a-result", message: `the phrase is "as a result"`},
	{words: w("in the nutshell"), start: 1, end: 2, kind: KindWrong, suggestion: "a", name: "in-a-nutshell", message: `the phrase is "in a nutshell"`},
	{words: w("with a help of"), start: 1, end: 2, kind: KindWrong, suggestion: "the", name: "with-the-help-of", message: `the phrase is "with the help of"`},
	{words: w("in a meantime"), start: 1, end: 2, kind: KindWrong, suggestion: "the", name: "in-the-meantime", message: `the phrase is "in the meantime"`},

	{words: w("in long term"), next: 'b', start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "in-the-long-run", message: `the phrase is "in the long term"`},
	{words: w("in long run"), next: 'b', start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "in-the-long-run", message: `the phrase is "in the long run"`},
	{words: w("in short term"), next: 'b', start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "in-the-long-run", message: `the phrase is "in the short term"`},
	{words: w("in short run"), next: 'b', start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "in-the-long-run", message: `the phrase is "in the short run"`},
	{words: w("as result"), start: 1, end: 1, kind: KindMissing, suggestion: "a", name: "as-a-result", message: `the phrase is "as a result"`},
	{words: w("as matter of fact"), start: 1, end: 1, kind: KindMissing, suggestion: "a", name: "matter-of-fact", message: `the phrase is "as a matter of fact"`},
	{words: w("on other hand"), start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "on-the-other-hand", message: `the phrase is "on the other hand"`},
	{words: w("on contrary"), start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "on-the-contrary", message: `the phrase is "on the contrary"`},
	{words: w("all of sudden"), start: 2, end: 2, kind: KindMissing, suggestion: "a", name: "all-of-a-sudden", message: `the phrase is "all of a sudden"`},
	{words: w("with help of"), start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "with-the-help-of", message: `the phrase is "with the help of"`},
	{words: w("in form of"), start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "in-the-form-of", message: `the phrase is "in the form of"`},
	{words: w("in meantime"), start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "in-the-meantime", message: `the phrase is "in the meantime"`},
	{words: w("in near future"), start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "in-the-near-future", message: `the phrase is "in the near future"`},
	{words: w("for first time"), next: 'b', start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "for-the-first-time", message: `the phrase is "for the first time"`},
	{words: w("at beginning of"), start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "at-the-beginning", message: `the phrase is "at the beginning of"`},
	{words: w("at end of"), start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "at-the-end", message: `the phrase is "at the end of"`},
	{words: w("in beginning"), next: 'b', start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "at-the-beginning", message: `the phrase is "in the beginning"`},
	{words: w("in past"), next: 'p', start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "in-the-past", message: `the phrase is "in the past"`},
	{words: w("in morning"), next: 'b', start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "in-the-morning", message: `the phrase is "in the morning"`},
	{words: w("in afternoon"), next: 'b', start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "in-the-morning", message: `the phrase is "in the afternoon"`},
	{words: w("in evening"), next: 'b', start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "in-the-morning", message: `the phrase is "in the evening"`},
	{words: w("in old days"), start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "in-the-old-days", message: `the phrase is "in the old days"`},
	{words: w("make best use"), start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "the-best-use", message: `the phrase is "make the best use of"`},
	{words: w("makes best use"), start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "the-best-use", message: `the phrase is "make the best use of"`},
	{words: w("made best use"), start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "the-best-use", message: `the phrase is "make the best use of"`},
	{words: w("making best use"), start: 1, end: 1, kind: KindMissing, suggestion: "the", name: "the-best-use", message: `the phrase is "make the best use of"`},
	{words: w("on * basis"), start: 1, end: 1, kind: KindMissing, suggestion: "a", name: "on-a-basis", message: `the phrase is "on a ... basis"`},

	{words: w("in the same time"), start: 0, end: 1, kind: KindIdiom, suggestion: "at", name: "at-the-same-time", message: `the phrase is "at the same time"`},
	{words: w("in the other hand"), start: 0, end: 1, kind: KindIdiom, suggestion: "on", name: "on-the-other-hand", message: `the phrase is "on the other hand"`},
}

func w(s string) []string { return strings.Fields(s) }

// idiomIndex maps a phrase's first word to the phrases starting with it.
var idiomIndex = func() map[string][]idiom {
	m := map[string][]idiom{}
	for _, id := range idiomList {
		m[id.words[0]] = append(m[id.words[0]], id)
	}
	return m
}()

// idioms adds the finding of the first phrase that matches at i and
// reports whether one did.
func (c *checker) idioms(i int) bool {
	if c.t[i].class&cIdiomStart == 0 {
		return false
	}
	list := idiomIndex[c.t[i].low]
next:
	for k := range list {
		id := &list[k]
		if i+len(id.words) > len(c.t) {
			continue
		}
		for j, word := range id.words[1:] {
			t := &c.t[i+1+j]
			if word == "*" {
				if !isModifier(t) {
					continue next
				}
			} else if t.low != word {
				continue next
			}
		}
		if id.opens && i > 0 && c.t[i-1].shape&sPunct == 0 && c.t[i-1].class&cConj == 0 {
			continue
		}
		after := i + len(id.words)
		switch id.next {
		case ',':
			if c.low(after) != "," {
				continue
			}
		case 'p':
			if c.tok(after).shape&sPunct == 0 {
				continue
			}
		case 'b':
			if !c.isBoundary(after) {
				continue
			}
		}
		c.add(Finding{Start: i + id.start, End: i + id.end, Kind: id.kind, Suggestion: id.suggestion,
			Rule: ruleIdiomPrefix + id.name, Message: id.message})
		return true
	}
	return false
}
