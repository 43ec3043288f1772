package screen

import (
	"strconv"
	"strings"
)

// Thresholds of the language check.
const (
	langMinFlagged = 2    // flagged sentences
	langMinShare   = 0.10 // flagged share of the sentences
)

// languageCheck asks [Config.Language] about the résumé text. Its evidence
// is always weak: it is shown for context and never decides.
func (c *checker) languageCheck() {
	if c.s.language == nil {
		c.skip("language check not configured")
		return
	}
	if strings.TrimSpace(c.a.ResumeText) == "" {
		c.skip("no résumé text: language not checked")
		return
	}
	flagged, total, examples := c.s.language(c.a.ResumeText)
	if total <= 0 || flagged < langMinFlagged || float64(flagged) < langMinShare*float64(total) {
		return
	}
	flagged = min(flagged, total)
	ex := ""
	var quoted []string
	for _, e := range examples {
		if e = strings.TrimSpace(e); e != "" {
			quoted = append(quoted, strconv.Quote(clip(e, 100)))
		}
		if len(quoted) == 2 {
			break
		}
	}
	if len(quoted) > 0 {
		ex = ", e.g. " + strings.Join(quoted, " and ")
	}
	c.add("language.non-native", "resume_text", true,
		"%d of %d sentences in the résumé text have patterns the language check flags%s. Many honest applicants are non-native speakers; this is shown for context and never decides.",
		flagged, total, ex)
}
