package articles

import "strings"

// Rule ids, as reported in Finding.Rule and in the per-rule counts of
// Evaluate.
const (
	RuleAAn          = "a-an"              // a/an against the next word's first sound
	RuleUncountable  = "uncountable"       // a/an before a noun that is not counted
	RulePlural       = "a-plural"          // a/an before a plural noun
	RuleDoubleDet    = "double-determiner" // two determiners in a row ("the their")
	RuleName         = "name-no-the"       // "the" before a name that takes none
	RuleGeneric      = "generic-no-the"    // "the" before mankind, social media ...
	RuleTheMostOf    = "the-most-of"       // "the most of" for "most of"
	RuleOneOf        = "one-of-the"        // "one of" + bare noun phrase
	RuleQuantOf      = "quantifier-of-the" // "most of" + bare noun phrase
	RuleSuch         = "such-a"            // "such" + bare singular countable noun
	RuleCertain      = "a-certain"         // "certain" + singular countable noun
	RuleLot          = "a-lot-of"          // "lot of" without "a"
	RuleSame         = "the-same"          // "same" without "the"
	RuleInternet     = "the-internet"      // "on internet"
	RuleLongTime     = "a-long-time"       // "long time" without "a"
	RuleRole         = "role"              // "I am software engineer", "worked as developer"
	RuleCountable    = "countable"         // "there is/have/make" + bare singular countable noun
	RuleMajority     = "the-majority"      // "majority of" without "the"
	RuleStart        = "subject"           // "Carrier is responsible", "if person has": bare singular subject
	RuleWorld        = "the-world"         // "in corporate world"
	RuleNext         = "the-next"          // "to next generation"
	RuleQuantity     = "a-number-of"       // "large number of"
	RuleHundred      = "a-hundred"         // "over thousand miles"
	RuleRightWay     = "the-right"         // "make a right decision"
	RulePlayRole     = "play-a-role"       // "play the important role"
	RuleIdiom        = "idiom"             // prefix of the fixed-phrase rules
	ruleIdiomPrefix  = RuleIdiom + "-"
	maxModifiers     = 3 // adjectives allowed between a determiner slot and its head
	maxRoleModifiers = 3 // words allowed before a role noun ("senior software engineer")
)

// run applies every rule to the sentence.
func (c *checker) run() {
	for i := range c.t {
		if len(c.out) >= MaxFindings {
			return
		}
		t := &c.t[i]
		if t.class&cTrigger == 0 && i != 0 {
			continue
		}
		if c.idioms(i) {
			continue
		}
		switch t.low {
		case "a", "an":
			c.indefinite(i)
		case "the":
			c.definite(i)
		case "one":
			c.oneOf(i)
		case "most", "many", "some", "all", "none", "several", "both":
			c.quantOf(i)
		case "such":
			c.such(i)
		case "certain":
			c.certain(i)
		case "lot":
			c.lotOf(i)
		case "same":
			c.same(i)
		case "internet":
			c.internet(i)
		case "long":
			c.longTime(i)
		case "majority", "minority":
			c.majority(i)
		case "number", "amount", "proportion", "percentage", "variety", "range", "handful":
			c.quantityNoun(i)
		case "hundred", "thousand", "million", "billion", "dozen":
			c.aHundred(i)
		case "world":
			c.theWorld(i)
		case "next":
			c.theNext(i)
		}
		if i == 0 || t.class&cClauseOpener != 0 || t.low == "," && i == 1 && discourse[c.low(0)] {
			c.subject(i)
		}
		if t.class&cFramePrep != 0 {
			c.prepFrame(i)
		}
		if t.class&(cBe|cHave|cMake|cObjectVerb) != 0 || t.low == "'s" || t.low == "as" {
			c.frames(i)
		}
		if t.class&cPossessive != 0 && t.low != "his" {
			// "their the": a possessive directly before an article.
			if n := c.tok(i + 1); n.class&cArticle != 0 && c.tok(i+2).shape&sAlpha != 0 {
				c.add(Finding{Start: i + 1, End: i + 2, Kind: KindUnneeded, Rule: RuleDoubleDet,
					Message: `"` + t.text + `" already determines the noun, so "` + n.text + `" is not needed`})
			}
		}
	}
}

// isArticleUse reports whether token i (a, an) is used as an article: not
// a capital "A" inside a sentence ("Type A", "grade A"), not a bracketed
// list letter, and followed by a word.
func (c *checker) isArticleUse(i int) bool {
	t := c.tok(i)
	if t.text == "A" && i > 0 {
		p := c.tok(i - 1)
		if p.shape&sPunct == 0 || p.low == "," {
			return false
		}
	}
	if c.low(i-1) == "(" && c.low(i+1) == ")" {
		return false
	}
	n := c.tok(i + 1)
	return n.shape&(sAlpha|sDigit) != 0 || n.shape&sPunct == 0 && n.low != ""
}

// indefinite runs the rules that start at "a" or "an".
func (c *checker) indefinite(i int) {
	if !c.isArticleUse(i) {
		return
	}
	a := c.tok(i)
	n := c.tok(i + 1)
	// Two determiners.
	if n.class&cArticle != 0 && n.text != "A" || n.class&cPossessive != 0 || inSet(n.low, "another", "each", "every", "both", "some", "any",
		"several", "many", "this", "these", "those", "my", "your", "their", "our", "its") {
		c.add(Finding{Start: i, End: i + 1, Kind: KindUnneeded, Rule: RuleDoubleDet,
			Message: `"` + a.text + `" cannot stand before "` + n.text + `"`})
		return
	}
	if n.low == "same" {
		c.add(Finding{Start: i, End: i + 1, Kind: KindWrong, Suggestion: "the", Rule: RuleDoubleDet,
			Message: `"same" takes "the", not "` + a.text + `"`})
		return
	}
	if n.low == "right" && inSet(c.low(i+2), "decision", "decisions", "choice", "answer", "way", "direction", "path") {
		c.add(Finding{Start: i, End: i + 1, Kind: KindWrong, Suggestion: "the", Rule: RuleRightWay,
			Message: `"right ` + c.tok(i+2).text + `" takes "the", not "` + a.text + `"`})
		return
	}
	if n.low == "lots" && c.low(i+2) == "of" {
		c.add(Finding{Start: i, End: i + 1, Kind: KindUnneeded, Rule: RuleLot,
			Message: `"lots of" takes no "` + a.text + `"`})
		return
	}
	// The noun the article belongs to.
	h := c.modRun(i+1, maxModifiers)
	head := c.tok(h)
	if h < len(c.t) && head.shape&sCapital == 0 && c.isBoundary(h+1) &&
		!inSet(c.low(h+1), "and", "or", "&", "/", "-") {
		if head.class&cUncountable != 0 && head.class&cCountable == 0 &&
			!(head.class&cOfMass != 0 && c.low(h+1) == "of") {
			c.add(Finding{Start: i, End: i + 1, Kind: KindUnneeded, Rule: RuleUncountable,
				Message: `"` + head.text + `" is uncountable, so it takes no "` + a.text + `"`})
			return
		}
		if isCountablePlural(head.low) && c.low(h+1) != "'" {
			c.add(Finding{Start: i, End: i + 1, Kind: KindUnneeded, Rule: RulePlural,
				Message: `"` + a.text + `" cannot go with the plural "` + head.text + `"`})
			return
		}
	}
	// a or an, by the first sound of the next word. A function word next
	// means "a" is not an article here ("if a is nil", "a and b").
	if n.class&(cBe|cAux|cPrep|cConj|cRel|cPronoun|cArticle) != 0 {
		return
	}
	want := ""
	switch initialSound(n) {
	case soundVowel:
		if a.low == "a" {
			want = "an"
		}
	case soundConsonant:
		if a.low == "an" {
			want = "a"
		}
	}
	if want != "" {
		if a.shape&sCapital != 0 {
			want = strings.ToUpper(want[:1]) + want[1:]
		}
		why := "a consonant"
		if want == "an" || want == "An" {
			why = "a vowel"
		}
		c.add(Finding{Start: i, End: i + 1, Kind: KindWrong, Suggestion: want, Rule: RuleAAn,
			Message: `use "` + strings.ToLower(want) + `" before "` + n.text + `", which starts with ` + why + ` sound`})
	}
}

// definite runs the rules that start at "the".
func (c *checker) definite(i int) {
	t := c.tok(i)
	n := c.tok(i + 1)
	if n.class&cArticle != 0 && n.text != "A" && c.tok(i+2).shape&sAlpha != 0 ||
		n.class&cPossessive != 0 ||
		inSet(n.low, "another", "each", "every", "both", "some", "any", "this", "these", "those",
			"my", "your", "their", "our") {
		c.add(Finding{Start: i, End: i + 1, Kind: KindUnneeded, Rule: RuleDoubleDet,
			Message: `"` + t.text + `" cannot stand before "` + n.text + `"`})
		return
	}
	next := c.low(i + 2)
	if n.class&cNoArticleName != 0 && n.shape&sCapital != 0 && next != "of" && next != "'s" && c.isBoundary(i+2) {
		c.add(Finding{Start: i, End: i + 1, Kind: KindUnneeded, Rule: RuleName,
			Message: `"` + n.text + `" is a name and takes no "the"`})
		return
	}
	if n.class&cGenericMass != 0 && n.shape&sCapital == 0 && c.isBoundary(i+2) &&
		!inSet(next, "of", "that", "which", "who", "where", "we", "they", "in", "as", "-") {
		c.add(Finding{Start: i, End: i + 1, Kind: KindUnneeded, Rule: RuleGeneric,
			Message: `"` + n.text + `" means everyone and takes no "the"`})
		return
	}
	if n.low == "social" && next == "media" && c.low(i+3) != "of" && c.isBoundary(i+3) {
		c.add(Finding{Start: i, End: i + 1, Kind: KindUnneeded, Rule: RuleGeneric,
			Message: `"social media" in general takes no "the"`})
		return
	}
	if n.low == "most" && next == "of" {
		p := c.low(i - 1)
		if !inSet(p, "make", "makes", "made", "making", "get", "gets", "got", "getting") &&
			!inSet(c.low(i+3), "all", "any", "anyone", "anything", "everyone") {
			c.add(Finding{Start: i, End: i + 1, Kind: KindUnneeded, Rule: RuleTheMostOf,
				Message: `"most of" takes no "the"`})
		}
		return
	}
	if inSet(c.low(i-1), "play", "plays", "played", "playing") && inSet(n.low, "important", "vital", "significant") &&
		next == "role" && c.low(i+3) != "of" {
		a := c.article(i + 1)
		c.add(Finding{Start: i, End: i + 1, Kind: KindWrong, Suggestion: a, Rule: RulePlayRole,
			Message: `the phrase is "play ` + a + " " + n.text + ` role"`})
		return
	}
	if n.low == "today" && next == "'s" || n.low == "nowadays" {
		c.add(Finding{Start: i, End: i + 1, Kind: KindUnneeded, Rule: RuleDoubleDet,
			Message: `"` + n.text + `" takes no "the"`})
	}
}

// bareStart reports whether token j can start a noun phrase that has no
// determiner: a lower-case word that is not a determiner, pronoun,
// preposition, conjunction or verb form the lexicon knows, and not a
// possessive name ("people 's").
func (c *checker) bareStart(j int) bool {
	t := c.tok(j)
	if j >= len(c.t) || t.shape&sAlpha == 0 || t.shape&sCapital != 0 {
		return false
	}
	if t.class&(cArticle|cPossessive|cDeterminer|cPronoun|cRel|cPrep|cConj|cBe|cAux|cHave) != 0 &&
		t.low != "most" && t.low != "least" {
		return false
	}
	if inSet(t.low, "mine", "yours", "ours", "theirs", "hers", "countless", "myriad", "whom", "today",
		"tomorrow", "yesterday", "everything", "everyone", "everybody", "anyone", "anything",
		"someone", "something", "nothing", "nobody", "sudden", "course", "late") {
		return false
	}
	if c.low(j+1) == "'s" || c.low(j+1) == "'" {
		return false
	}
	// A word the lexicon knows as a noun or adjective, a plural, a
	// superlative, or "people"; not an unknown word such as a code name.
	return t.class&nounClasses != 0 || t.low == "most" || t.low == "least" || t.low == "people" ||
		strings.HasSuffix(t.low, "est") || len(t.low) > 3 && strings.HasSuffix(t.low, "s") && !strings.HasSuffix(t.low, "ss")
}

// oneOf: "one of most important factors" -> "one of the most ...".
func (c *checker) oneOf(i int) {
	if c.low(i+1) != "of" || !c.bareStart(i+2) || inSet(c.low(i-1), "no", "any", "every", "each") {
		return
	}
	c.add(Finding{Start: i + 2, End: i + 2, Kind: KindMissing, Suggestion: "the", Rule: RuleOneOf,
		Message: `"one of" needs "the" before "` + c.tok(i+2).text + `"`})
}

// quantOf: "most of people" -> "most of the people".
func (c *checker) quantOf(i int) {
	if c.low(i+1) != "of" || !c.bareStart(i+2) {
		return
	}
	if c.tok(i-1).class&(cArticle|cPossessive) != 0 { // make the most of opportunities
		return
	}
	c.add(Finding{Start: i + 2, End: i + 2, Kind: KindMissing, Suggestion: "the", Rule: RuleQuantOf,
		Message: `"` + c.tok(i).text + ` of" needs "the" before "` + c.tok(i+2).text + `"`})
}

// singularHead returns the index of the head noun after modifiers starting
// at j, when it is a lower-case singular noun of one of the classes and the
// phrase ends right after it; otherwise -1.
func (c *checker) singularHead(j, maxMods int, classes uint32) int {
	h := c.modRun(j, maxMods)
	t := c.tok(h)
	if h >= len(c.t) || t.shape&sAlpha == 0 || t.shape&sCapital != 0 {
		return -1
	}
	if t.class&classes == 0 || t.class&cUncountable != 0 || !c.isBoundary(h+1) || c.low(h+1) == "-" {
		return -1
	}
	return h
}

// article returns "a" or "an" for the word at j.
func (c *checker) article(j int) string {
	if initialSound(c.tok(j)) == soundVowel {
		return "an"
	}
	return "a"
}

// such: "such health issue" -> "such a health issue".
func (c *checker) such(i int) {
	if c.tok(i-1).class&(cArticle|cPossessive|cDeterminer) != 0 || c.low(i-1) == "as" {
		return
	}
	h := c.nounHead(i+1, maxModifiers, cCountable|cCountish)
	if h < 0 || c.low(h) == "time" {
		return
	}
	a := c.article(i + 1)
	c.add(Finding{Start: i + 1, End: i + 1, Kind: KindMissing, Suggestion: a, Rule: RuleSuch,
		Message: `"such" needs "` + a + `" before the singular "` + c.tok(h).text + `"`})
}

// certain: "carry certain disease" -> "carry a certain disease".
func (c *checker) certain(i int) {
	p := c.tok(i - 1)
	if i > 0 && (p.class&(cArticle|cPossessive|cDeterminer|cBe|cIntensifier) != 0 ||
		inSet(p.low, "for", "make", "makes", "made", "making", "feel", "felt", "seem", "seems", "seemed",
			"almost", "nearly", "virtually", "not", "quite", "fairly")) {
		return
	}
	h := c.singularHead(i+1, maxModifiers, cCountable|cCountish)
	if h < 0 {
		return
	}
	c.add(Finding{Start: i, End: i, Kind: KindMissing, Suggestion: "a", Rule: RuleCertain,
		Message: `"certain" before the singular "` + c.tok(h).text + `" needs "a"`})
}

// lotOf: "have lot of experience" -> "a lot of".
func (c *checker) lotOf(i int) {
	if c.low(i+1) != "of" || i == 0 {
		return
	}
	p := c.tok(i - 1)
	if p.class&(cArticle|cPossessive|cDeterminer|cAdjective|cIntensifier) != 0 || isModifier(p) ||
		p.shape&(sAlpha) == 0 || p.shape&sCapital != 0 || inSet(p.low, "parking", "whole", "car") {
		return
	}
	c.add(Finding{Start: i, End: i, Kind: KindMissing, Suggestion: "a", Rule: RuleLot,
		Message: `"lot of" needs "a"`})
}

// same: "at same time", "is same as" -> "the same".
func (c *checker) same(i int) {
	p := c.tok(i - 1)
	if i == 0 || p.class&(cPrep|cBe) == 0 || p.low == "as" || p.low == "than" {
		return
	}
	c.add(Finding{Start: i, End: i, Kind: KindMissing, Suggestion: "the", Rule: RuleSame,
		Message: `"same" needs "the"`})
}

// internet: "on internet" -> "on the internet".
func (c *checker) internet(i int) {
	if !inSet(c.low(i-1), "on", "through", "via", "from", "in", "into", "over", "across", "to", "use", "uses",
		"used", "using", "surf", "surfing", "browse", "browsing") || !c.isBoundary(i+1) {
		return
	}
	c.add(Finding{Start: i, End: i, Kind: KindMissing, Suggestion: "the", Rule: RuleInternet,
		Message: `"internet" needs "the"`})
}

// longTime: "take long time" -> "take a long time".
func (c *checker) longTime(i int) {
	if c.low(i+1) != "time" || i == 0 {
		return
	}
	next := c.low(i + 2)
	if !(c.isBoundary(i+2) || inSet(next, "ago", "now")) || next == "-" {
		return
	}
	p := c.tok(i - 1)
	if p.class&(cArticle|cPossessive|cDeterminer|cIntensifier|cAdjective) != 0 || isModifier(p) ||
		p.shape&sAlpha == 0 || inSet(p.low, "how", "so", "too", "quite", "rather") {
		return
	}
	c.add(Finding{Start: i, End: i, Kind: KindMissing, Suggestion: "a", Rule: RuleLongTime,
		Message: `"long time" needs "a"`})
}

// majority: "majority of people" -> "the majority of people".
func (c *checker) majority(i int) {
	if c.low(i+1) != "of" {
		return
	}
	if i > 0 {
		p := c.tok(i - 1)
		if p.class&(cArticle|cPossessive|cDeterminer) != 0 || isModifier(p) || p.shape&sAlpha == 0 {
			return
		}
	}
	c.add(Finding{Start: i, End: i, Kind: KindMissing, Suggestion: "the", Rule: RuleMajority,
		Message: `"` + strings.ToLower(c.tok(i).text) + ` of" needs "the"`})
}

// Verbs that introduce a role with "as".
var roleVerbs = map[string]bool{
	"work": true, "works": true, "worked": true, "working": true, "serve": true, "serves": true,
	"served": true, "serving": true, "hired": true, "employed": true, "joined": true, "join": true,
	"act": true, "acted": true, "acting": true, "volunteered": true, "promoted": true, "started": true,
	"contracted": true, "engaged": true, "appointed": true, "interned": true,
}

// Verbs whose object, when a bare singular countable noun, lacks its
// article: "use computer", "find job".
var objectVerbs = map[string]bool{
	"use": true, "uses": true, "used": true, "using": true, "get": true, "gets": true, "got": true,
	"find": true, "finds": true, "found": true, "need": true, "needs": true, "needed": true,
	"buy": true, "bought": true, "build": true, "built": true, "create": true, "created": true,
	"write": true, "wrote": true, "face": true, "faces": true, "faced": true, "solve": true,
	"solved": true, "start": true, "started": true, "develop": true, "developed": true,
}

// frames looks for a bare singular countable noun after a verb frame:
// "I am software engineer", "worked as developer", "there is possibility",
// "have problem", "make decision".
func (c *checker) frames(i int) {
	t := c.tok(i)
	p := c.low(i - 1)
	switch {
	case t.low == "as":
		if p == "such" {
			c.countable(i+1, `"such as"`)
		} else if roleVerbs[p] {
			c.role(i + 1)
		}
	case t.class&cBe != 0 || t.low == "'s":
		if p == "there" && t.low != "'re" && t.low != "are" && t.low != "were" && t.low != "be" {
			c.countable(i+1, `"there `+t.low+`"`)
			return
		}
		if t.low == "'s" && p != "there" {
			return // possessive or "it's"
		}
		if inSet(p, "i", "he", "she") {
			c.role(i + 1)
		}
		if inSet(p, "it", "this", "that") && (t.low == "is" || t.low == "was") && i >= 1 &&
			(i == 1 || c.tok(i-2).shape&sPunct != 0 || c.tok(i-2).class&cConj != 0) {
			c.countable(i+1, `"`+p+" "+t.low+`"`)
		}
	case t.class&cHave != 0:
		if t.low == "having" {
			return
		}
		c.countable(i+1, `"`+t.low+`"`)
	case t.class&cObjectVerb != 0:
		// Only where the word is a verb: after a pronoun, an auxiliary,
		// "to", a conjunction or an adverb, or opening the sentence.
		pt := c.tok(i - 1)
		if i == 0 || pt.class&(cPronoun|cAux|cConj) != 0 || p == "to" || p == "also" ||
			pt.class == 0 && pt.shape&sAlpha != 0 && strings.HasSuffix(p, "ly") {
			c.countable(i+1, `"`+t.low+`"`)
		}
	case t.class&cMake != 0:
		h := c.singularHead(i+1, maxModifiers, cCountable)
		if h >= 0 && inSet(c.low(h), "decision", "mistake", "choice", "plan", "difference", "step") {
			c.missingBefore(i+1, h, RuleCountable, `after "`+t.low+`"`)
		}
	}
}

// Words that make a role a single post, which may go without an article
// ("worked as lead engineer").
var uniqueRoleWords = map[string]bool{
	"lead": true, "chief": true, "head": true, "sole": true, "principal": true, "acting": true,
	"interim": true, "founding": true, "deputy": true,
}

// Roles one person often holds alone; they are reported only when the
// phrase ends there ("I am manager .") or goes on with "with", "who", "that".
var uniqueRoles = map[string]bool{
	"manager": true, "leader": true, "director": true, "supervisor": true, "coordinator": true,
	"owner": true, "founder": true, "co-founder": true, "editor": true, "secretary": true,
	"executive": true, "representative": true, "administrator": true, "architect": true,
	"maintainer": true, "officer": true,
}

// role reports a role noun at j (after modifiers and noun modifiers) that
// has no article: "am software engineer".
func (c *checker) role(j int) {
	h := j
	for k := 0; k < maxRoleModifiers && h < len(c.t); k++ {
		t := c.tok(h)
		if t.class&cRole != 0 && c.isBoundary(h+1) {
			break
		}
		if t.shape&sAlpha == 0 || t.shape&sCapital != 0 || uniqueRoleWords[t.low] ||
			t.class&^(cAdjective|cIntensifier|cUncountable|cCountable|cCountish) != 0 {
			return
		}
		h++
	}
	t := c.tok(h)
	next := c.tok(h + 1)
	if h >= len(c.t) || t.class&cRole == 0 || t.shape&sCapital != 0 || !c.isBoundary(h+1) || next.low == "-" {
		return
	}
	// A post one person holds may go bare: "was project manager for the
	// rollout", "am owner of the company".
	if uniqueRoles[t.low] && next.shape&sPunct == 0 && !inSet(next.low, "with", "who", "that") {
		return
	}
	c.missingBefore(j, h, RuleRole, "before a job or role")
}

// countable reports a bare singular countable noun at j (after
// modifiers) that ends its phrase.
func (c *checker) countable(j int, after string) {
	h := c.singularHead(j, maxModifiers, cCountable)
	if h < 0 || c.tok(h).class&cRole != 0 && h == j && c.low(h+1) == "of" {
		return
	}
	c.missingBefore(j, h, RuleCountable, "after "+after)
}

// missingBefore adds a missing "a"/"an" at j for the head noun at h.
func (c *checker) missingBefore(j, h int, rule, where string) {
	a := c.article(j)
	c.add(Finding{Start: j, End: j, Kind: KindMissing, Suggestion: a, Rule: rule,
		Message: `the singular "` + c.tok(h).text + `" needs "` + a + `" ` + where})
}

// inSet reports whether s is one of set.
func inSet(s string, set ...string) bool {
	for _, w := range set {
		if s == w {
			return true
		}
	}
	return false
}

// nounClasses are the classes a word inside a noun phrase may have.
const nounClasses = cAdjective | cIntensifier | cUncountable | cCountable | cCountish | cRole

// isNounish reports whether t may be a modifier or a noun inside a noun
// phrase: a lower-case word the lexicon knows only as an adjective or
// noun, or an unknown lower-case word that does not look like an adverb,
// a verb form or a plural.
func isNounish(t *token) bool {
	if t.shape&sAlpha == 0 || t.shape&sCapital != 0 || t.class&^nounClasses != 0 {
		return false
	}
	if t.class != 0 {
		return true
	}
	if isModifier(t) {
		return true
	}
	l := t.low
	return !strings.HasSuffix(l, "ly") && !strings.HasSuffix(l, "ed") && !strings.HasSuffix(l, "ing") &&
		!strings.HasSuffix(l, "s") && len(l) > 2
}

// nounHead is singularHead for phrases that may contain nouns used as
// modifiers ("such health issue"): the head is the last word of a run of
// at most max+1 noun-like words, and the phrase must end after it.
func (c *checker) nounHead(j, max int, classes uint32) int {
	h := j
	for k := 0; k < max && h+1 < len(c.t) && isNounish(&c.t[h]) && isNounish(&c.t[h+1]); k++ {
		h++
	}
	t := c.tok(h)
	if h >= len(c.t) || !isNounish(t) || t.class&classes == 0 || t.class&cUncountable != 0 ||
		!c.isBoundary(h+1) || c.low(h+1) == "-" {
		return -1
	}
	return h
}

// Words after which a clause, and so a subject, begins.
var clauseOpeners = map[string]bool{
	"if": true, "when": true, "because": true, "although": true, "though": true, "while": true,
	"unless": true, "whereas": true,
}

// Sentence adverbs that may open a sentence before a comma.
var discourse = map[string]bool{
	"however": true, "therefore": true, "thus": true, "firstly": true, "secondly": true,
	"thirdly": true, "moreover": true, "furthermore": true, "also": true, "besides": true,
	"hence": true, "nowadays": true, "today": true, "finally": true, "lastly": true,
	"additionally": true, "consequently": true, "meanwhile": true, "indeed": true, "currently": true,
}

// subject: a bare singular countable noun as the subject of a clause:
// "Carrier is responsible ...", "if person has ...", "However , social
// media site is ...". At i == 0 the subject starts at token 0; otherwise
// right after token i (a clause opener or the comma after a sentence
// adverb).
func (c *checker) subject(i int) {
	j := i + 1
	if i == 0 && c.t[0].class&cClauseOpener == 0 && !discourse[c.t[0].low] {
		j = 0
	}
	h := j
	for k := 0; k < maxModifiers && h+1 < len(c.t) && c.subjectWord(h) && c.subjectWord(h+1); k++ {
		h++
	}
	t := c.tok(h)
	if h >= len(c.t) || !c.subjectWord(h) || t.class&cCountable == 0 || t.class&cUncountable != 0 ||
		inSet(t.low, "mother", "father", "page") ||
		c.tok(h+1).class&(cBe|cAux) == 0 || c.low(h+1) == "'s" {
		return
	}
	a := "a"
	if initialSound(c.tok(j)) == soundVowel {
		a = "an"
	}
	if j == 0 {
		a = "A" + a[1:]
	}
	c.add(Finding{Start: j, End: j, Kind: KindMissing, Suggestion: a, Rule: RuleStart,
		Message: `the singular "` + t.text + `" needs an article`})
}

// subjectWord reports whether token k may be part of a bare subject noun
// phrase; a capital is allowed only on the sentence's first word.
func (c *checker) subjectWord(k int) bool {
	t := c.tok(k)
	if k == 0 && t.shape&sCapital != 0 && t.shape&sAllCaps == 0 && t.shape&sAlpha != 0 {
		return t.class&^nounClasses == 0 && (t.class != 0 || isModifier(&token{low: t.low, shape: t.shape &^ sCapital}))
	}
	return isNounish(t)
}

// theWorld: "in corporate world" -> "in the corporate world".
func (c *checker) theWorld(i int) {
	if !c.isBoundary(i+1) || c.low(i+1) == "-" {
		return
	}
	j := i
	for k := 0; k < 3 && j > 0; k++ {
		p := c.tok(j - 1)
		if !isNounish(p) && !(p.class == 0 && p.shape&sAlpha != 0 && p.shape&sCapital == 0 && strings.HasSuffix(p.low, "ed")) {
			break
		}
		j--
	}
	if !inSet(c.low(j-1), "in", "around", "across", "throughout", "over", "into", "to") {
		return
	}
	c.add(Finding{Start: j, End: j, Kind: KindMissing, Suggestion: "the", Rule: RuleWorld,
		Message: `"world" needs "the"`})
}

// Time nouns that "next" takes without "the" ("next year").
var timeNouns = map[string]bool{
	"year": true, "week": true, "month": true, "day": true, "time": true, "semester": true, "term": true,
	"quarter": true, "summer": true, "winter": true, "spring": true, "autumn": true, "fall": true,
	"weekend": true, "morning": true, "evening": true, "night": true, "decade": true, "century": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "season": true, "session": true,
}

// theNext: "pass to next generation" -> "to the next generation".
func (c *checker) theNext(i int) {
	p := c.tok(i - 1)
	if i == 0 || p.class&cPrep == 0 || inSet(p.low, "by", "until", "till", "as", "than") {
		return
	}
	h := c.modRun(i+1, 2)
	t := c.tok(h)
	if h >= len(c.t) || t.shape&sAlpha == 0 || t.shape&sCapital != 0 || timeNouns[t.low] ||
		timeNouns[strings.TrimSuffix(t.low, "s")] || t.class&^nounClasses != 0 || !c.isBoundary(h+1) {
		return
	}
	if t.class == 0 && !isCountablePlural(t.low) && isModifier(t) {
		return
	}
	c.add(Finding{Start: i, End: i, Kind: KindMissing, Suggestion: "the", Rule: RuleNext,
		Message: `"next ` + t.text + `" needs "the"`})
}

// quantityNoun: "large number of people" -> "a large number of people".
func (c *checker) quantityNoun(i int) {
	if c.low(i+1) != "of" {
		return
	}
	j := i
	for k := 0; k < 2 && j > 0 && isModifier(c.tok(j-1)); k++ {
		j--
	}
	if j == i || j == 0 {
		return // "number of" alone may be "the number of" or "a number of"; leave it
	}
	p := c.tok(j - 1)
	if p.class&(cArticle|cPossessive|cDeterminer) != 0 || p.shape&sAlpha == 0 || p.shape&sCapital != 0 ||
		isNounish(p) && p.class&cPrep == 0 {
		return
	}
	a := c.article(j)
	c.add(Finding{Start: j, End: j, Kind: KindMissing, Suggestion: a, Rule: RuleQuantity,
		Message: `"` + c.tok(j).text + ` ... ` + c.tok(i).text + ` of" needs "` + a + `"`})
}

// aHundred: "over thousand miles" -> "over a thousand miles".
func (c *checker) aHundred(i int) {
	if i == 0 || c.tok(i).shape&sCapital != 0 {
		return
	}
	p := c.tok(i - 1)
	if p.class&(cArticle|cPossessive|cDeterminer) != 0 || p.shape&sAlpha == 0 || p.shape&sCapital != 0 ||
		inSet(p.low, "per", "few", "and", "or", "to", "hundred", "thousand", "million", "of") {
		return
	}
	n := c.tok(i + 1)
	if !(isCountablePlural(n.low) || n.low == "of" || n.class == 0 && n.shape&sAlpha != 0 && strings.HasSuffix(n.low, "s")) {
		return
	}
	c.add(Finding{Start: i, End: i, Kind: KindMissing, Suggestion: "a", Rule: RuleHundred,
		Message: `"` + c.tok(i).text + `" needs "a" (or a number) before it`})
}

// Heads a preposition takes without an article ("in person", "by car").
var prepIdioms = map[string]bool{
	"in person": true, "in school": true, "in class": true, "in college": true, "in hospital": true,
	"in prison": true, "in bed": true, "in office": true, "in town": true, "in case": true,
	"in place": true, "in question": true, "in order": true, "in line": true, "in turn": true,
	"in time": true, "in use": true, "in practice": true, "in theory": true, "in court": true,
	"in jail": true, "in university": true, "in session": true, "in detail": true, "in charge": true,
	"in effect": true, "in fact": true, "in return": true, "in response": true, "in addition": true,
	"in contrast": true, "in comparison": true, "in part": true, "in touch": true, "in common": true,
	"of course": true, "in advance": true, "in future": true, "in conclusion": true, "in relation": true, "in decision": true,
	"on time": true, "on purpose": true, "on foot": true, "on board": true, "on line": true,
	"on stage": true, "on campus": true, "on site": true, "on call": true, "on duty": true,
	"on demand": true, "on average": true, "on track": true, "on schedule": true, "on paper": true,
	"on record": true, "on top": true, "on display": true, "on sale": true, "on leave": true,
	"on screen": true, "on trial": true, "on behalf": true, "on topic": true, "on hand": true,
	"for example": true, "for instance": true, "for sale": true, "for rent": true, "for hire": true,
	"for life": true, "for good": true, "for free": true, "for reference": true, "for fun": true,
	"for certain": true, "for sure": true, "for real": true, "for breakfast": true, "for lunch": true,
	"for dinner": true, "for work": true, "for school": true, "for college": true,
	"with reference": true, "with regard": true, "with respect": true,
	"from home": true, "from school": true, "from work": true, "from scratch": true, "from time": true,
	"from day": true, "from person": true, "from generation": true, "from country": true,
	"from place": true, "from company": true, "from project": true, "from job": true,
	"from birth": true, "from memory": true, "from experience": true, "from college": true,
	"from university": true,
	"into account":    true, "into consideration": true, "into question": true, "into practice": true,
	"into effect": true, "into play": true, "into force": true, "into service": true,
	"by car": true, "by bus": true, "by train": true, "by phone": true, "by email": true, "by mail": true,
	"by letter": true, "by message": true, "by hand": true, "by choice": true, "by mistake": true,
	"by example": true, "by design": true, "by definition": true, "by chance": true, "by plane": true,
	"by boat": true, "by ship": true, "by taxi": true, "by computer": true, "by machine": true,
	"by way": true, "by post": true, "by video": true, "by profession": true, "by default": true,
	"through school": true, "through email": true, "through mail": true, "through post": true,
	"with email": true, "like email": true, "for email": true, "through college": true, "through university": true, "without question": true,
	"without doubt": true, "without exception": true, "without warning": true, "without permission": true,
	"without notice": true, "without fail": true, "without end": true,
}

// Prepositions whose bare-noun frames are checked.
var framePreps = map[string]bool{
	"with": true, "for": true, "through": true, "into": true, "without": true, "like": true,
	"of": true, "about": true, "regarding": true, "concerning": true,
}

// Nouns after which "of" + a bare singular countable noun is wrong:
// "the consent of patient", "a skill of person who ...". "of" is checked
// only after these; after most nouns a bare noun is fine ("kind of
// person", "point of view", "of course").
var ofBareWrong = map[string]bool{
	"skill": true, "agreement": true, "consent": true, "life": true, "health": true, "privacy": true,
	"rights": true, "right": true, "responsibility": true, "duty": true, "decision": true,
	"choice": true, "help": true, "support": true, "opinion": true, "permission": true,
	"approval": true, "wish": true, "wishes": true, "interest": true, "interests": true,
	"needs": true, "safety": true, "identity": true, "name": true, "death": true, "birth": true,
}

// prepFrame: "caused by gene ." -> "by a gene", "talk through phone".
func (c *checker) prepFrame(i int) {
	p := c.low(i)
	h := c.singularHead(i+1, maxModifiers, cCountable)
	if h < 0 || c.tok(h).class&cRole != 0 {
		return
	}
	head := c.low(h)
	if h == i+1 && prepIdioms[p+" "+head] {
		return
	}
	// "from person to person", "step by step", "face to face".
	if n := c.low(h + 1); (n == "to" || n == "by" || n == "after") && c.low(h+2) == head || c.low(i-1) == head {
		return
	}
	if p == "of" && !ofBareWrong[c.low(i-1)] {
		return
	}
	c.missingBefore(i+1, h, RuleCountable+"-"+p, `after "`+c.tok(i).text+`"`)
}
