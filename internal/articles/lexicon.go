package articles

import "strings"

// Word classes. A token's lexicon entry is a set of these bits; one map
// lookup per token gives every class the rules need.
const (
	cArticle       uint32 = 1 << iota // a, an, the
	cPossessive                       // my, your, his, our, their (not her, its: ambiguous)
	cDeterminer                       // any other determiner, quantifier or number word
	cPrep                             // preposition
	cConj                             // conjunction
	cBe                               // form of "be"
	cAux                              // auxiliary or modal verb, "not"
	cRel                              // relative or complementiser: that, which, who
	cPronoun                          // personal pronoun
	cIntensifier                      // very, really ...: may sit between a determiner and an adjective
	cAdjective                        // a common adjective
	cUncountable                      // a noun that is not counted: no a/an when it heads the phrase
	cCountable                        // a singular noun that is counted and rarely bare
	cCountish                         // a singular noun that is counted after "such"/"certain" but has mass uses
	cRole                             // a job or role noun (also cCountable)
	cOfMass                           // mass noun that takes "a" before "of" (a good knowledge of)
	cNoArticleName                    // proper name that takes no "the" (countries, platforms)
	cGenericMass                      // generic noun phrase head that takes no "the" (mankind)
	cHave                             // a form of "have"
	cMake                             // a form of "make"
	cTrigger                          // starts a rule: run looks at the word more closely
	cIdiomStart                       // first word of a phrase in idiomList
	cObjectVerb                       // in objectVerbs
	cClauseOpener                     // in clauseOpeners
	cFramePrep                        // in framePreps
)

// lexicon maps an ASCII-lower-cased word to its classes.
var lexicon = buildLexicon()

// wordLists are the lists behind lexicon, written for lagwatch (not taken
// from any corpus). Each string is space-separated words.
var wordLists = []struct {
	class uint32
	words string
}{
	{cArticle, "a an the"},
	{cPossessive, "my your his our their"},
	{cDeterminer, `this that these those its her whose which what each every either neither no
		some any another all both many much more most few fewer little less several enough
		such various numerous certain one two three four five six seven eight nine ten eleven
		twelve twenty thirty forty fifty hundred thousand million billion dozens hundreds
		thousands millions half own same other whatever whichever`},
	{cPrep, `in on at with for from by about into onto through without within across under over
		between among amongst against during before after since until till toward towards via
		like as than of to per despite throughout upon beside besides beyond behind near inside
		outside around along amid regarding concerning including excluding except unlike`},
	{cConj, `and or but nor yet so because although though if when while whereas unless whether
		once where whenever wherever`},
	{cBe, `am is are was were be been being 're 'm`},
	{cAux, `do does did have has had will would can could should may might must shall 'll 'd 've
		n't not ca wo`},
	{cRel, "that which who whom whose"},
	{cPronoun, `i you he she it we they me him us them myself yourself himself herself itself
		ourselves themselves there`},
	{cIntensifier, `very really extremely highly fairly relatively truly particularly especially
		increasingly incredibly completely totally entirely absolutely`},
	{cAdjective, `good great important useful valuable new old big small large high low long short
		strong weak bad better best worse worst genetic social personal medical professional
		technical practical basic simple complex main major minor relevant proper real true false
		full whole entire right wrong hard easy difficult clear common general specific
		particular special serious severe free open positive negative significant huge enormous
		vast extra additional further accurate reliable detailed deep solid broad wide narrow
		recent current modern latest early late final initial excellent poor rich fast quick
		slow sensitive private public confidential precious sufficient adequate tiny
		fine nice healthy unhealthy hereditary inherited rare unique ethical moral legal
		financial emotional mental physical human natural global local international national
		online digital virtual daily weekly monthly annual useless helpful harmful powerful
		meaningful successful careful thoughtful beautiful wonderful awful terrible horrible
		interesting exciting boring amazing challenging demanding rewarding`},
	{cUncountable, `information advice equipment furniture luggage baggage homework housework
		feedback knowledge news software hardware firmware malware spyware research evidence
		progress traffic weather machinery scenery garbage rubbish jewelry jewellery clothing
		luck health welfare wellbeing well-being pollution privacy transportation employment
		unemployment access teamwork slang mankind humankind healthcare childcare stuff
		personnel music poetry wildlife merchandise electricity gasoline petrol oxygen
		applause laughter violence nutrition obesity vandalism expertise know-how guidance
		assistance damage harm data advertising marketing shopping sunshine leisure
		documentation legislation wastage transport attention`},
	{cCountable, `problem issue question idea solution decision choice step method tool reason
		example factor threat benefit advantage disadvantage challenge mistake task job
		project goal aim purpose thing person friend member child parent
		company organisation organization firm startup website platform phone smartphone
		computer laptop application app device program programme course degree diploma
		certificate position opportunity possibility tendency trend habit strategy phenomenon
		situation dilemma burden obligation difference relationship topic story book
		article essay report survey consequence mother father son daughter brother sister
		husband wife baby teenager adult victim carrier gene mutation symptom country nation
		city town village house car bus train machine camera picture photo image video message
		email letter meeting interview conference event trip journey plan schedule deadline
		budget account profile page post comment group team career lifestyle role
		tablet smartwatch keyboard chance option`},
	{cCountish, `individual relative disease illness disorder risk world type kind sort form extent degree level amount
		point age condition society community family network system language culture
		environment field area region period moment time day year era generation`},
	{cRole | cCountable, `engineer developer programmer manager designer analyst architect
		consultant administrator tester intern scientist specialist officer director
		coordinator assistant technician freelancer contractor doctor nurse lawyer accountant
		teacher lecturer professor researcher student graduate undergraduate volunteer leader
		supervisor executive founder co-founder owner employee worker representative
		trainee apprentice clerk secretary editor writer journalist translator tutor mentor
		instructor trainer advisor adviser operator pilot driver mechanic electrician
		cashier chef cook waiter receptionist salesperson salesman marketer recruiter coder
		contributor maintainer candidate fresher citizen resident`},
	{cOfMass, "knowledge"},
	{cNoArticleName, `facebook twitter instagram linkedin youtube google whatsapp tiktok snapchat
		skype wechat weibo reddit pinterest github gitlab microsoft singapore china japan india
		malaysia indonesia thailand vietnam korea taiwan america canada australia germany france
		italy spain britain england russia brazil mexico europe asia africa`},
	{cGenericMass, "mankind humankind humanity society"},
	{cHave, "have has had having"},
	{cMake, "make makes made making"},
}

func buildLexicon() map[string]uint32 {
	m := make(map[string]uint32, 1024)
	for _, l := range wordLists {
		for _, w := range strings.Fields(l.words) {
			m[w] |= l.class
		}
	}
	// Words that start a rule or a fixed phrase are marked, so that the
	// rules do one map lookup per token (this one) in the common case.
	for _, w := range strings.Fields(triggerWords) {
		m[w] |= cTrigger
	}
	for _, id := range idiomList {
		m[id.words[0]] |= cTrigger | cIdiomStart
	}
	for _, set := range []struct {
		words map[string]bool
		class uint32
	}{{objectVerbs, cObjectVerb}, {roleVerbs, 0}, {framePreps, cFramePrep}, {clauseOpeners, cClauseOpener}} {
		for w := range set.words {
			m[w] |= cTrigger | set.class
		}
	}
	return m
}

// triggerWords start the rules in checker.run.
const triggerWords = `a an the one most many some all none several both such certain lot same internet
	long majority minority number amount proportion percentage variety range handful hundred
	thousand million billion dozen world next 's as , my your our their am is are was were be been
	being 're 'm have has had having make makes made making`

// Irregular plurals of countable nouns, for the "a" + plural rule.
var irregularPlural = map[string]bool{
	"children": true, "men": true, "women": true, "feet": true,
	"teeth": true, "mice": true, "persons": true,
}

// pluralStem returns the singular a regular plural would come from, or ""
// when low does not look like a regular plural.
func pluralStem(low string) string {
	n := len(low)
	if n < 4 || low[n-1] != 's' || low[n-2] == 's' || low[n-2] == 'u' || low[n-2] == 'i' {
		return ""
	}
	if strings.HasSuffix(low, "ies") {
		return low[:n-3] + "y"
	}
	if strings.HasSuffix(low, "ches") || strings.HasSuffix(low, "shes") ||
		strings.HasSuffix(low, "sses") || strings.HasSuffix(low, "xes") {
		return low[:n-2]
	}
	return low[:n-1]
}

// isCountablePlural reports whether low is the plural of a countable noun
// in the lexicon.
func isCountablePlural(low string) bool {
	if irregularPlural[low] {
		return true
	}
	if lexicon[low] != 0 { // a word in its own right (news, access, series ...)
		return false
	}
	stem := pluralStem(low)
	if stem == "" {
		return false
	}
	c := lexicon[stem]
	if c&(cCountable|cCountish) != 0 && c&cUncountable == 0 {
		return true
	}
	// "-es" plurals of words ending in e: "diseases" -> "disease".
	if strings.HasSuffix(low, "es") {
		c = lexicon[low[:len(low)-1]]
		return c&(cCountable|cCountish) != 0 && c&cUncountable == 0
	}
	return false
}

// Adjective endings trusted when a word is not in the lexicon. Endings that
// also make many nouns (-al, -ant, -ent, -ary, -ing, -ed) are left out.
var adjectiveSuffixes = []string{"ful", "ous", "ive", "ic", "ical", "able", "ible", "less", "ish"}

// Nouns with an adjective ending; they end a modifier run rather than
// extend it.
var suffixNouns = map[string]bool{
	"clinic": true, "topic": true, "music": true, "logic": true, "republic": true,
	"public": true, "traffic": true, "mechanic": true, "critic": true, "relative": true,
	"objective": true, "executive": true, "representative": true, "alternative": true,
	"initiative": true, "incentive": true, "motive": true, "detective": true,
	"native": true, "table": true, "cable": true, "variable": true, "vegetable": true,
	"fish": true, "dish": true, "wish": true, "english": true, "polish": true,
	"spanish": true, "turkish": true, "danish": true, "bible": true, "epic": true,
	"graphic": true, "arithmetic": true, "panic": true, "picnic": true, "rhetoric": true,
	"electric": true, "fabric": true, "metric": true, "tactic": true, "heuristic": true,
	"statistic": true, "characteristic": true,
}

// isModifier reports whether t may sit between a determiner slot and the
// head noun: an adjective, an intensifier or a hyphenated compound.
func isModifier(t *token) bool {
	if t.class&(cAdjective|cIntensifier) != 0 {
		return true
	}
	if t.shape&(sAlpha) == 0 || t.shape&sCapital != 0 {
		return false
	}
	if t.class != 0 || suffixNouns[t.low] {
		return false
	}
	if t.shape&sHyphen != 0 {
		return true
	}
	for _, s := range adjectiveSuffixes {
		if strings.HasSuffix(t.low, s) && len(t.low) > len(s)+2 {
			return true
		}
	}
	return false
}
