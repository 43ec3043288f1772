package articles

import "sync"

// Finding is one suspected article or determiner error in a sentence.
type Finding struct {
	// Start and End are the token span the suggested edit replaces,
	// [Start, End), as in CoNLL M2 files: Start == End means "insert
	// Suggestion before token Start".
	Start int `json:"start"`
	End   int `json:"end"`
	// Kind is "missing" (an article should be inserted), "unneeded" (the
	// article or determiner should go), "wrong" (a/an, or a for the) or
	// "idiom" (a fixed phrase is wrong in a word that is not an article,
	// such as "in the same time" for "at the same time").
	Kind string `json:"kind"`
	// Suggestion is the replacement text for the span; "" means delete.
	Suggestion string `json:"suggestion"`
	// Rule names the rule that fired (see docs/lab-articles.md).
	Rule string `json:"rule"`
	// Message is one plain sentence for a reviewer.
	Message string `json:"message"`
}

// Finding kinds.
const (
	KindMissing  = "missing"
	KindUnneeded = "unneeded"
	KindWrong    = "wrong"
	KindIdiom    = "idiom"
)

// SentenceFindings is one sentence of a text that has at least one finding.
type SentenceFindings struct {
	// Start and End are the sentence's byte offsets in the checked text.
	Start int `json:"start"`
	End   int `json:"end"`
	// Tokens are the sentence's tokens; Finding spans index into them.
	Tokens []string `json:"tokens"`
	// Findings are in token order.
	Findings []Finding `json:"findings"`
}

// TextReport is what [Check] found in one text.
type TextReport struct {
	// Sentences is how many sentences were checked.
	Sentences int `json:"sentences"`
	// Flagged lists the sentences with findings, in text order.
	Flagged []SentenceFindings `json:"flagged,omitempty"`
	// Truncated is set when the text was longer than MaxTextBytes and
	// only its first MaxTextBytes were checked.
	Truncated bool `json:"truncated,omitempty"`
}

// MaxFindings is the most findings reported for one sentence; a sentence
// with more is not prose (a list of "a a a ..."), and the cap bounds the
// work on hostile input.
const MaxFindings = 8

// MaxTextBytes is the most [Check] reads of one text; the rest is left
// unchecked and TextReport.Truncated says so. It matches the largest
// résumé the hiring package accepts.
const MaxTextBytes = 1 << 20

// Check splits text into sentences and tokens and checks each sentence.
//
// Sentences end at ".", "!", "?" or "..." followed by a word that does not
// start in lower case, at a blank line, and at a line break followed by a
// capital, a digit or a list bullet. A sentence that starts with a bullet
// or does not end in ".", "!" or "?" (a list item, a heading) is read as
// telegraphic: résumé style drops articles there on purpose, so the rules
// that report a missing article are not run on it.
func Check(text string) TextReport {
	var rep TextReport
	if len(text) > MaxTextBytes {
		text = text[:MaxTextBytes]
		rep.Truncated = true
	}
	lower := asciiLower(text)
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	spans := tokenSpans(text, sc.spans[:0])
	sc.spans = spans[:0]
	c := &sc.c
	for i := 0; i < len(spans); {
		j, bullet := sentenceEnd(text, spans, i)
		start := i
		if bullet {
			start++ // the bullet is not part of the sentence
		}
		if start < j {
			toks := sc.toks[:0]
			for _, sp := range spans[start:j] {
				toks = append(toks, makeToken(text[sp.start:sp.end], lower[sp.start:sp.end]))
			}
			sc.toks = toks[:0]
			c.reset(toks, sc.out[:0], bullet || !endsSentence(toks))
			c.run()
			sc.out = c.out[:0]
			rep.Sentences++
			if len(c.out) > 0 {
				sf := SentenceFindings{
					Start:    int(spans[start].start),
					End:      int(spans[j-1].end),
					Tokens:   make([]string, len(toks)),
					Findings: append([]Finding(nil), c.out...),
				}
				for k := range toks {
					sf.Tokens[k] = toks[k].text
				}
				rep.Flagged = append(rep.Flagged, sf)
			}
		}
		i = j
	}
	c.reset(nil, nil, false) // drop references to text before pooling
	if cap(sc.spans) > 4*defaultSpans {
		sc.spans = make([]span, 0, defaultSpans) // do not keep a huge buffer alive
	}
	return rep
}

// scratch holds the buffers of one Check call, reused through scratchPool.
type scratch struct {
	spans []span
	toks  []token
	out   []Finding
	c     checker
}

// defaultSpans is the token capacity a scratch starts with: enough for a
// résumé of about 5 KB.
const defaultSpans = 1024

var scratchPool = sync.Pool{New: func() any {
	return &scratch{
		spans: make([]span, 0, defaultSpans),
		toks:  make([]token, 0, MaxSentenceTokens),
		out:   make([]Finding, 0, 16),
	}
}}

// sentenceEnd returns the index after the last token of the sentence that
// starts at spans[i], and whether that sentence starts with a bullet.
func sentenceEnd(text string, spans []span, i int) (int, bool) {
	bullet := spans[i].bullet
	limit := i + MaxSentenceTokens
	if bullet {
		limit++
	}
	for j := i + 1; j < len(spans); j++ {
		if j >= limit {
			return j, bullet
		}
		sp := spans[j]
		if sp.newlines >= 2 || sp.bullet {
			return j, bullet
		}
		first := text[sp.start]
		startsUpper := first >= 'A' && first <= 'Z' || first >= '0' && first <= '9' ||
			first == '"' || first == '(' || first == '\'' || first >= 0x80
		if sp.newlines == 1 && startsUpper {
			return j, bullet
		}
		prev := text[spans[j-1].start:spans[j-1].end]
		if (prev == "." || prev == "!" || prev == "?" || prev == "..." || prev == "…") && startsUpper {
			return j, bullet
		}
	}
	return len(spans), bullet
}

// endsSentence reports whether the last token is a sentence-final mark,
// possibly followed by closing quotes or brackets.
func endsSentence(toks []token) bool {
	for k := len(toks) - 1; k >= 0; k-- {
		switch toks[k].text {
		case ".", "!", "?", "...", "…":
			return true
		case "\"", "'", ")", "”", "’", "»":
			continue
		}
		return false
	}
	return false
}

// CheckTokens checks one tokenised sentence (CoNLL tokenisation: "do n't",
// "Singapore 's") and returns its findings in token order. A sentence that
// does not end in ".", "!" or "?" is read as telegraphic, as in [Check].
func CheckTokens(tokens []string) []Finding {
	toks := make([]token, len(tokens))
	for i, w := range tokens {
		toks[i] = makeToken(w, asciiLower(w))
	}
	var c checker
	c.reset(toks, nil, !endsSentence(toks))
	c.run()
	return c.out
}

// checker runs the rules over one sentence.
type checker struct {
	t           []token
	out         []Finding
	telegraphic bool
}

func (c *checker) reset(toks []token, out []Finding, telegraphic bool) {
	c.t, c.out, c.telegraphic = toks, out, telegraphic
}

// end is what lies past either end of the sentence: it behaves as
// punctuation.
var end = token{shape: sPunct}

// tok returns token i, or end outside the sentence.
func (c *checker) tok(i int) *token {
	if i < 0 || i >= len(c.t) {
		return &end
	}
	return &c.t[i]
}

func (c *checker) low(i int) string { return c.tok(i).low }

// boundaryClasses end a noun phrase when they follow its head.
const boundaryClasses = cPrep | cConj | cBe | cAux | cRel

// isBoundary reports whether token i ends the noun phrase before it:
// punctuation, the end of the sentence, or a preposition, conjunction,
// verb "be", auxiliary or relative word.
func (c *checker) isBoundary(i int) bool {
	t := c.tok(i)
	if t.shape&sPunct != 0 {
		return t.low != "-" // "a software - based" is still one phrase
	}
	return t.class&boundaryClasses != 0
}

// modRun returns the first index at or after i that is not a modifier,
// looking at most max tokens ahead.
func (c *checker) modRun(i, max int) int {
	for k := 0; k < max && i < len(c.t) && isModifier(&c.t[i]); k++ {
		i++
	}
	return i
}

// overlaps reports whether two edit spans touch the same place, the
// matching rule also used by Evaluate: non-empty spans must share a token;
// an insertion point p meets a span [s, e) when s <= p <= e.
func overlaps(s1, e1, s2, e2 int) bool {
	switch {
	case s1 == e1 && s2 == e2:
		return s1 == s2
	case s1 == e1:
		return s2 <= s1 && s1 <= e2
	case s2 == e2:
		return s1 <= s2 && s2 <= e1
	}
	return s1 < e2 && s2 < e1
}

// add records f unless an earlier finding already covers the same place,
// or f reports a missing article in a telegraphic sentence.
func (c *checker) add(f Finding) {
	if c.telegraphic && f.Kind == KindMissing || len(c.out) >= MaxFindings {
		return
	}
	for _, g := range c.out {
		if overlaps(f.Start, f.End, g.Start, g.End) {
			return
		}
	}
	// Keep token order; findings arrive almost sorted.
	c.out = append(c.out, f)
	for k := len(c.out) - 1; k > 0 && c.out[k].Start < c.out[k-1].Start; k-- {
		c.out[k], c.out[k-1] = c.out[k-1], c.out[k]
	}
}

// Language judges text for applicant screening: how many of its sentences
// have a finding, how many sentences it has, and up to three findings as
// examples a reviewer can check ("…: "informations" takes no article").
func Language(text string) (flagged, sentences int, examples []string) {
	r := Check(text)
	for _, s := range r.Flagged {
		if len(examples) < 3 && len(s.Findings) > 0 {
			examples = append(examples, s.Findings[0].Message)
		}
	}
	return len(r.Flagged), r.Sentences, examples
}
