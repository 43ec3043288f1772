package articles

import (
	"fmt"
	"strings"
	"testing"
)

// want is one expected finding: the rule, the span and the suggestion.
type want struct {
	rule       string
	start, end int
	suggestion string
}

func (w want) String() string {
	return fmt.Sprintf("%s[%d,%d)%q", w.rule, w.start, w.end, w.suggestion)
}

func got(fs []Finding) []want {
	var out []want
	for _, f := range fs {
		out = append(out, want{f.Rule, f.Start, f.End, f.Suggestion})
	}
	return out
}

func TestRulesFire(t *testing.T) {
	tests := []struct {
		in   string
		want []want
	}{
		// a/an
		{"He waited for a hour .", []want{{RuleAAn, 3, 4, "an"}}},
		{"It was a honest mistake .", []want{{RuleAAn, 2, 3, "an"}}},
		{"She studied at an university .", []want{{RuleAAn, 3, 4, "a"}}},
		{"It is an unique chance .", []want{{RuleAAn, 2, 3, "a"}}},
		{"We signed an one-time contract .", []want{{RuleAAn, 2, 3, "a"}}},
		{"He joined an European bank .", []want{{RuleAAn, 2, 3, "a"}}},
		{"She met a FBI agent .", []want{{RuleAAn, 2, 3, "an"}}},
		{"Paste an URL here .", []want{{RuleAAn, 1, 2, "a"}}},
		{"I hold a MBA .", []want{{RuleAAn, 2, 3, "an"}}},
		{"I hold a MSc in physics .", []want{{RuleAAn, 2, 3, "an"}}},
		{"It was a 8-hour shift .", []want{{RuleAAn, 2, 3, "an"}}},
		{"She has a 11-year-old son .", []want{{RuleAAn, 2, 3, "an"}}},
		{"I bought a Xbox .", []want{{RuleAAn, 2, 3, "an"}}},
		{"A engineer called .", []want{{RuleAAn, 0, 1, "An"}}},
		{"They need a upgrade .", []want{{RuleAAn, 2, 3, "an"}}},
		{"It was an huge success .", []want{{RuleAAn, 2, 3, "a"}}},
		// uncountable
		{"I need an information about the role .", []want{{RuleUncountable, 2, 3, ""}}},
		{"She gave me a useful advice .", []want{{RuleUncountable, 3, 4, ""}}},
		{"We bought a new software for billing .", []want{{RuleUncountable, 2, 3, ""}}},
		{"He has a knowledge about networks .", []want{{RuleUncountable, 2, 3, ""}}},
		{"According to a research , it works .", []want{{RuleUncountable, 2, 3, ""}}},
		{"Thanks for a valuable feedback .", []want{{RuleUncountable, 2, 3, ""}}},
		// plural
		{"It is caused by a genetic diseases .", []want{{RulePlural, 4, 5, ""}}},
		{"I met a friends at school .", []want{{RulePlural, 2, 3, ""}}},
		// double determiners
		{"I keep in contact with the their friends .", []want{{RuleDoubleDet, 5, 6, ""}}},
		{"I met an another engineer .", []want{{RuleDoubleDet, 2, 3, ""}}},
		{"We thanked our the team .", []want{{RuleDoubleDet, 3, 4, ""}}},
		{"Both of them took a same course .", []want{{RuleDoubleDet, 4, 5, "the"}}},
		{"In the today 's world , speed matters .", []want{{RuleDoubleDet, 1, 2, ""}}},
		// names and generic nouns
		{"Users feel sad after using the Facebook .", []want{{RuleName, 5, 6, ""}}},
		{"I moved to the Singapore in 2019 .", []want{{RuleName, 3, 4, ""}}},
		{"It is the common law in the society .", []want{{RuleGeneric, 6, 7, ""}}},
		{"People rely on the social media to talk .", []want{{RuleGeneric, 3, 4, ""}}},
		{"The mankind has always explored .", []want{{RuleGeneric, 0, 1, ""}}},
		{"The most of people agree .", []want{{RuleTheMostOf, 0, 1, ""}}},
		// missing the
		{"It is one of most common diseases .", []want{{RuleOneOf, 4, 4, "the"}}},
		{"Most of people agree .", []want{{RuleQuantOf, 2, 2, "the"}}},
		{"They meet at same time .", []want{{RuleSame, 3, 3, "the"}}},
		{"The results are same .", []want{{RuleSame, 3, 3, "the"}}},
		{"Young people spend hours on internet .", []want{{RuleInternet, 5, 5, "the"}}},
		{"We spend majority of our time online .", []want{{RuleMajority, 2, 2, "the"}}},
		{"Majority of users agree .", []want{{RuleMajority, 0, 0, "the"}}},
		{"I have worked in corporate world .", []want{{RuleWorld, 4, 4, "the"}}},
		{"The risk passes to next generation .", []want{{RuleNext, 4, 4, "the"}}},
		// missing a
		{"Some will take long time .", []want{{RuleLongTime, 3, 3, "a"}}},
		{"I have lot of experience .", []want{{RuleLot, 2, 2, "a"}}},
		{"I was hired by a lots of teams .", []want{{RuleLot, 4, 5, ""}}},
		{"We must protect such health issue .", []want{{RuleSuch, 4, 4, "a"}}},
		{"They may carry certain disease .", []want{{RuleCertain, 3, 3, "a"}}},
		{"We processed huge amount of data .", []want{{RuleQuantity, 2, 2, "a"}}},
		{"It is over thousand miles away .", []want{{RuleHundred, 3, 3, "a"}}},
		{"I am software engineer .", []want{{RuleRole, 2, 2, "a"}}},
		{"I 'm senior developer with ten years of experience .", []want{{RuleRole, 2, 2, "a"}}},
		{"She worked as data analyst at a bank .", []want{{RuleRole, 3, 3, "a"}}},
		{"I started as intern in 2019 .", []want{{RuleRole, 3, 3, "an"}}},
		{"I am manager .", []want{{RuleRole, 2, 2, "a"}}},
		{"There is great possibility that it fails .", []want{{RuleCountable, 2, 2, "a"}}},
		{"I do think there is difference in it .", []want{{RuleCountable, 5, 5, "a"}}},
		{"We have problem with the build .", []want{{RuleCountable, 2, 2, "a"}}},
		{"They decide whether to have child or not .", []want{{RuleCountable, 5, 5, "a"}}},
		{"It is time to make decision .", []want{{RuleCountable, 5, 5, "a"}}},
		{"They need to find job .", []want{{RuleCountable, 4, 4, "a"}}},
		{"This is big problem .", []want{{RuleCountable, 2, 2, "a"}}},
		{"Bring tools such as computer , phone .", []want{{RuleCountable, 4, 4, "a"}}},
		{"We talk through phone .", []want{{RuleCountable + "-through", 3, 3, "a"}}},
		{"It is a skill of person who writes well .", []want{{RuleCountable + "-of", 5, 5, "a"}}},
		{"Carrier is responsible for it .", []want{{RuleStart, 0, 0, "A"}}},
		{"If person has a disease , tell them .", []want{{RuleStart, 1, 1, "a"}}},
		{"However , social media platform is a tool .", []want{{RuleStart, 2, 2, "a"}}},
		{"They made a right decision .", []want{{RuleRightWay, 2, 3, "the"}}},
		{"It plays the important role in life .", []want{{RulePlayRole, 2, 3, "an"}}},
		// idioms
		{"For an example , we use Go .", []want{{"idiom-for-example", 1, 2, ""}}},
		{"In a conclusion , it works .", []want{{"idiom-in-conclusion", 1, 2, ""}}},
		{"It is bad for us in a long term .", []want{{"idiom-in-the-long-run", 6, 7, "the"}}},
		{"It pays off in long run .", []want{{"idiom-in-the-long-run", 4, 4, "the"}}},
		{"As the result , costs fell .", []want{{"idiom-as-a-result", 1, 2, "a"}}},
		{"As result , costs fell .", []want{{"idiom-as-a-result", 1, 1, "a"}}},
		{"On other hand , it is slow .", []want{{"idiom-on-the-other-hand", 1, 1, "the"}}},
		{"I took a part in the hackathon .", []want{{"idiom-take-part", 2, 3, ""}}},
		{"She will give a birth to a baby .", []want{{"idiom-give-birth", 3, 4, ""}}},
		{"We meet on weekly basis .", []want{{"idiom-on-a-basis", 3, 3, "a"}}},
		{"In old days , people wrote letters .", []want{{"idiom-in-the-old-days", 1, 1, "the"}}},
		{"We should make best use of it .", []want{{"idiom-the-best-use", 3, 3, "the"}}},
		{"In the same time , costs rose .", []want{{"idiom-at-the-same-time", 0, 1, "at"}}},
		{"It happened all of sudden .", []want{{"idiom-all-of-a-sudden", 4, 4, "a"}}},
		// several in one sentence
		{"I am software engineer and I have a knowledge of Go and an information .",
			[]want{{RuleRole, 2, 2, "a"}, {RuleUncountable, 12, 13, ""}}},
	}
	for _, tt := range tests {
		toks := strings.Fields(tt.in)
		g := got(CheckTokens(toks))
		if fmt.Sprint(g) != fmt.Sprint(tt.want) {
			t.Errorf("CheckTokens(%q) = %v, want %v", tt.in, g, tt.want)
		}
	}
}

// Sentences that must not fire: correct English, much of it in résumé
// style, chosen to sit next to each rule's trigger.
var mustNotFire = []string{
	// a/an
	"I am a software engineer with ten years of experience.",
	"An hour later, the build finished.",
	"It was an honest mistake.",
	"She has a one-year contract with a European company.",
	"An FBI agent interviewed a URL shortener's founder.",
	"I have an MBA from a US university and an MSc from an EU school.",
	"It is a unique opportunity for a user to test a UI.",
	"He is an SQL expert and a SQL fan.",
	"We stayed at a hotel with an herb garden and a historic view.",
	"It was an 8-hour shift in an 11-storey building, a 10-minute walk away.",
	"I bought an Xbox and an X-ray machine.",
	"We built an iOS app and a LinkedIn page.",
	"She earned an A in maths and a B in physics.",
	"Plan A failed, so we used Type B.",
	"Item (a) covers salaries.",
	"It is an umbrella term for a union of states.",
	"She was an undergraduate at a university in Ohio.",
	"We need an update to a used laptop.",
	"They hired an HR manager and a NASA engineer.",
	"He paid a NEW fee.",
	// uncountable
	"She is a software engineer at an information security firm.",
	"We published a research paper and a news article.",
	"He has a good knowledge of Spanish.",
	"I had a little information and a bit of advice.",
	"We run a research and development team.",
	"It is a data-driven approach with a knowledge base.",
	"They sell a weather app and a traffic report.",
	"We signed an employment contract.",
	"It was a privacy issue.",
	// plural and double determiners
	"It is a series of talks at a business school on a campus.",
	"We ran an analysis of a process in a crisis.",
	"I met a few friends and a couple of colleagues.",
	"A number of people attended a sales meeting.",
	"It is a children's book for a friends and family audience.",
	"The several states agreed.",
	"The many people who helped deserve thanks.",
	"Is this a problem?",
	"So that a user can log in, we gave her the key.",
	// the + names, generic nouns
	"We use Facebook and Twitter for marketing.",
	"The Facebook page and the Google search results were updated.",
	"I moved to the United States in 2015.",
	"The China office opened in 2019.",
	"Society benefits from open source.",
	"The society we live in is changing.",
	"The Royal Society published the report.",
	"The humanity of the decision moved everyone.",
	"The social media team grew.",
	"We make the most of every sprint.",
	"She liked that city the most of all.",
	// missing "the"
	"Most of the time, we worked remotely.",
	"Most of them were engineers, and some of our clients are in Europe.",
	"One of our engineers wrote one of many posts.",
	"He is one of us and one of those people.",
	"Each of them owns one of two keys.",
	"We make the most of opportunities.",
	"At the same time, the same problem occurred twice.",
	"The results are the same as last year.",
	"I read it on the internet.",
	"Internet access is available in every room.",
	"The majority of users are in Asia, and a vast majority agree.",
	"I worked in the corporate world for five years.",
	"The world is changing, and world history is long.",
	"See you next week; we meet next year.",
	"Move on to the next step.",
	"We will decide by next week.",
	// missing "a"
	"It has been a long time since then.",
	"She spends a long time on code review.",
	"A lot of people use the parking lot of the mall.",
	"Such a problem is rare, and no such thing exists.",
	"Such information is confidential.",
	"Such things happen.",
	"As such, the plan changed.",
	"I am certain that it works.",
	"A certain amount of risk is acceptable.",
	"The outcome is almost certain death for the project.",
	"A large number of users complained.",
	"Over a thousand people attended; thousands of users signed up.",
	"Per thousand people, the rate is low.",
	"I am a student at a university in Ohio.",
	"I worked as lead engineer on the payments team.",
	"She was project manager for the migration.",
	"He is head of sales.",
	"I am responsible for the build.",
	"She became manager of the team.",
	"I was promoted to senior engineer.",
	"There is a problem, there is no problem, and there is little chance.",
	"There is hope, there is room for improvement and there is evidence.",
	"We have time, we have access and we have experience.",
	"We had fun and had lunch.",
	"You had better leave.",
	"They make money and make sure the tests pass.",
	"This is the main use case.",
	"Use case analysis was done.",
	"I used Python to build the tool.",
	"We need help.",
	"It is time to go.",
	"It is part of the plan.",
	"This is because the server failed.",
	"It is worth noting that costs fell.",
	"That is way too slow.",
	"I work with team members in three countries.",
	"It is sorted by project and by country.",
	"We talked by phone and by email.",
	"We communicated through email.",
	"For example, we moved to Go.",
	"From person to person, the story changed.",
	"It is a kind of person who likes order.",
	"He did it on purpose, in person and in time.",
	"Of course, we agreed.",
	"If time permits, we will add tests.",
	"When software is updated, the cache is cleared.",
	"Because data is sensitive, we encrypt it.",
	"Mother is ill.",
	"Project X is on track.",
	// fixed phrases
	"For an example of this, see the appendix.",
	"In the conclusion, the author argues otherwise.",
	"As the result of years of work, it shipped.",
	"On the other hand, costs rose.",
	"In conclusion, the results were positive.",
	"He took part in the project.",
	"She gave birth to a son.",
	"We meet on a weekly basis.",
	"In the long run, it pays off.",
	"She has worked in long term care facilities.",
	"It was a long term relationship.",
	"We help first time buyers.",
	"In the old days, people wrote letters.",
	"All of a sudden, it stopped.",
}

func TestMustNotFire(t *testing.T) {
	for _, s := range mustNotFire {
		rep := Check(s)
		for _, sf := range rep.Flagged {
			for _, f := range sf.Findings {
				t.Errorf("Check(%q): %s at %v (%q): %s", s, f.Rule, sf.Tokens[f.Start:max(f.End, f.Start)], f.Suggestion, f.Message)
			}
		}
	}
}

func TestCheckTelegraphic(t *testing.T) {
	// Bullets and headings drop articles on purpose: no "missing" findings.
	text := "Experience\n- Worked as software engineer at Acme\n- Built tool for team\n\nI am software engineer.\n"
	rep := Check(text)
	if rep.Sentences != 4 {
		t.Errorf("Check(%q).Sentences = %d, want 4", text, rep.Sentences)
	}
	if len(rep.Flagged) != 1 || rep.Flagged[0].Findings[0].Rule != RuleRole {
		t.Fatalf("Check(%q).Flagged = %+v, want one role finding in the last sentence", text, rep.Flagged)
	}
	sf := rep.Flagged[0]
	if got := text[sf.Start:sf.End]; got != "I am software engineer." {
		t.Errorf("flagged sentence text = %q, want %q", got, "I am software engineer.")
	}
	// "unneeded" and "wrong" findings are reported in bullets too.
	rep = Check("- Gave an advice to a interns\n")
	if len(rep.Flagged) != 1 || len(rep.Flagged[0].Findings) != 2 {
		t.Errorf("Check(bullet with an advice, a interns) = %+v, want 2 findings", rep.Flagged)
	}
}

func TestCheckMessages(t *testing.T) {
	rep := Check("I gave him an information.")
	if len(rep.Flagged) != 1 {
		t.Fatalf("Check = %+v, want one flagged sentence", rep)
	}
	f := rep.Flagged[0].Findings[0]
	if f.Kind != KindUnneeded || f.Message != `"information" is uncountable, so it takes no "an"` {
		t.Errorf("finding = %+v", f)
	}
}

func TestCheckTruncates(t *testing.T) {
	big := strings.Repeat("I am software engineer. ", MaxTextBytes/24+10)
	rep := Check(big)
	if !rep.Truncated {
		t.Errorf("Check(%d bytes).Truncated = false, want true", len(big))
	}
	// The last sentence is cut in the middle and may not be flagged.
	if rep.Sentences < 1000 || len(rep.Flagged) < rep.Sentences-1 {
		t.Errorf("Check(big): %d sentences, %d flagged; want all flagged", rep.Sentences, len(rep.Flagged))
	}
}

func TestInitialSound(t *testing.T) {
	tests := []struct {
		word string
		want sound
	}{
		{"apple", soundVowel}, {"hour", soundVowel}, {"hourly", soundVowel}, {"heir", soundVowel},
		{"house", soundConsonant}, {"hotel", soundUnknown}, {"historic", soundUnknown},
		{"university", soundConsonant}, {"unable", soundVowel}, {"uninstall", soundVowel},
		{"unanimous", soundConsonant}, {"usual", soundConsonant}, {"utmost", soundVowel},
		{"uber", soundUnknown}, {"one", soundConsonant}, {"one-off", soundConsonant},
		{"onerous", soundVowel}, {"euro", soundConsonant}, {"e-mail", soundVowel},
		{"FBI", soundVowel}, {"URL", soundConsonant}, {"NASA", soundUnknown}, {"HTML", soundVowel},
		{"CEO", soundConsonant}, {"API", soundVowel}, {"NEW", soundUnknown}, {"MSc", soundVowel},
		{"SaaS", soundConsonant}, {"8", soundVowel}, {"11", soundVowel}, {"18th", soundVowel},
		{"1800", soundUnknown}, {"11000", soundVowel}, {"100", soundConsonant}, {"1", soundConsonant},
		{"xylophone", soundConsonant}, {"Xbox", soundVowel}, {"x", soundUnknown}, {"A", soundVowel},
		{"U", soundConsonant}, {"\"", soundUnknown},
	}
	for _, tt := range tests {
		tok := makeToken(tt.word, asciiLower(tt.word))
		if got := initialSound(&tok); got != tt.want {
			t.Errorf("initialSound(%q) = %d, want %d", tt.word, got, tt.want)
		}
	}
}

func TestOverlaps(t *testing.T) {
	tests := []struct {
		s1, e1, s2, e2 int
		want           bool
	}{
		{3, 4, 3, 4, true}, {3, 4, 4, 5, false}, {3, 5, 4, 6, true},
		{3, 3, 3, 4, true}, {4, 4, 3, 4, true}, {5, 5, 3, 4, false},
		{3, 3, 3, 3, true}, {3, 3, 4, 4, false},
	}
	for _, tt := range tests {
		if got := overlaps(tt.s1, tt.e1, tt.s2, tt.e2); got != tt.want {
			t.Errorf("overlaps([%d,%d), [%d,%d)) = %v, want %v", tt.s1, tt.e1, tt.s2, tt.e2, got, tt.want)
		}
		if got := overlaps(tt.s2, tt.e2, tt.s1, tt.e1); got != tt.want {
			t.Errorf("overlaps([%d,%d), [%d,%d)) = %v, want %v", tt.s2, tt.e2, tt.s1, tt.e1, got, tt.want)
		}
	}
}
