package resume

import (
	"strings"
	"unicode"
)

// findEmails returns the e-mail addresses in text, as written, first
// occurrence first, without case-insensitive duplicates.
func findEmails(text string) []string {
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(text); i++ {
		if text[i] != '@' {
			continue
		}
		l := i
		for l > 0 && isLocalChar(text[l-1]) {
			l--
		}
		r := i + 1
		for r < len(text) && isDomainChar(text[r]) {
			r++
		}
		local := strings.TrimLeft(text[l:i], ".")
		domain := strings.TrimRight(text[i+1:r], ".-")
		i = r - 1
		if local == "" || strings.HasSuffix(local, ".") || !validDomain(domain) {
			continue
		}
		addr := local + "@" + domain
		if k := strings.ToLower(addr); !seen[k] {
			seen[k] = true
			out = append(out, addr)
		}
	}
	return out
}

func isLocalChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || strings.IndexByte("._%+-'", c) >= 0
}

func isDomainChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '.' || c == '-'
}

// validDomain reports whether d has at least two labels and a top-level
// label of two or more letters.
func validDomain(d string) bool {
	dot := strings.LastIndexByte(d, '.')
	if dot <= 0 || strings.Contains(d, "..") || strings.HasPrefix(d, "-") {
		return false
	}
	tld := d[dot+1:]
	if len(tld) < 2 {
		return false
	}
	for i := range len(tld) {
		if !(tld[i] >= 'a' && tld[i] <= 'z' || tld[i] >= 'A' && tld[i] <= 'Z') {
			return false
		}
	}
	return true
}

// profileHosts are sites whose addresses are taken as profile links even
// without a scheme ("linkedin.com/in/jane-doe").
var profileHosts = []string{
	"linkedin.com", "github.com", "gitlab.com", "bitbucket.org", "stackoverflow.com",
	"behance.net", "dribbble.com", "medium.com", "dev.to", "kaggle.com", "leetcode.com",
	"hackerrank.com", "upwork.com", "freelancer.com", "toptal.com", "twitter.com", "x.com",
	"t.me", "telegram.me", "facebook.com", "instagram.com", "youtube.com", "about.me",
	"angel.co", "wellfound.com", "codepen.io", "huggingface.co", "researchgate.net",
	"scholar.google.com", "orcid.org",
}

// findLinks returns the URLs in text: anything starting with http:// or
// https:// or www., and addresses on the profile sites above, as written
// less trailing punctuation, without case-insensitive duplicates. Bare
// domains ("janedoe.dev") are not taken: too many tool names look like
// them ("Node.js", "ASP.NET").
func findLinks(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, tok := range strings.FieldsFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("<>()[]{}\"|,;·•", r)
	}) {
		if strings.IndexByte(tok, '.') < 0 {
			continue
		}
		tok = strings.TrimRight(tok, ".:;!?'*_")
		tok = strings.TrimLeft(tok, "'*_")
		lower := strings.ToLower(tok)
		if strings.HasPrefix(lower, "mailto:") || strings.HasPrefix(lower, "tel:") {
			continue
		}
		rest := lower
		scheme := false
		for _, p := range []string{"https://", "http://"} {
			if strings.HasPrefix(rest, p) {
				rest, scheme = rest[len(p):], true
			}
		}
		host, _, _ := strings.Cut(rest, "/")
		if host == "" || strings.Contains(host, "@") || !strings.Contains(host, ".") {
			continue
		}
		ok := scheme || strings.HasPrefix(host, "www.")
		for _, h := range profileHosts {
			if host == h || strings.HasSuffix(host, "."+h) {
				ok = true
			}
		}
		if ok && !seen[lower] {
			seen[lower] = true
			out = append(out, tok)
		}
	}
	return out
}

// phoneLabels mark a line that gives a phone number.
var phoneLabels = []string{"phone", "tel", "mobile", "cell", "whatsapp", "ph.", "telephone", "contact"}

// findPhones returns the phone numbers in lines, as written, without
// duplicates by digits. A number is a run of digits, spaces, hyphens, dots
// and parentheses, optionally after "+", with 10–15 digits in at least two
// groups of at most five (or 8–15 digits after "+"). A single unbroken run
// of 10–15 digits counts only on a line with a phone label. Runs that are
// all years ("2016 2020 2021") or look like IPv4 addresses are not phones.
func findPhones(lines []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, line := range lines {
		labelled := false
		lower := strings.ToLower(line)
		for _, l := range phoneLabels {
			if strings.Contains(lower, l) {
				labelled = true
			}
		}
		for i := 0; i < len(line); i++ {
			switch c := line[i]; {
			case c == '+' || c == '(':
				if i+1 >= len(line) || !isDigit(line[i+1]) {
					continue
				}
			case isDigit(c):
				if !wordBoundaryBefore(line, i) {
					continue
				}
			default:
				continue
			}
			if i > 0 && strings.IndexByte("/$.#-+", line[i-1]) >= 0 {
				continue
			}
			j := i + 1
			for j < len(line) && (isDigit(line[j]) || strings.IndexByte(" -.()", line[j]) >= 0) {
				j++
			}
			cand := strings.TrimRight(line[i:j], " -.(")
			// A closing parenthesis that opened before the number is not part of it.
			if strings.HasSuffix(cand, ")") && strings.Count(cand, "(") < strings.Count(cand, ")") {
				cand = strings.TrimRight(cand[:len(cand)-1], " -.")
			}
			end := i + len(cand)
			if end < len(line) && (unicode.IsLetter(rune(line[end])) || line[end] == '/' || line[end] == '%') {
				i = j - 1
				continue
			}
			if isPhone(cand, labelled) {
				digits := digitsOf(cand)
				if !seen[digits] {
					seen[digits] = true
					out = append(out, cand)
				}
			}
			i = j - 1
		}
	}
	return out
}

// isPhone applies the rules of findPhones to one candidate.
func isPhone(cand string, labelled bool) bool {
	var groups []string
	cur := ""
	dots := 0
	for i := range len(cand) {
		switch c := cand[i]; {
		case isDigit(c):
			cur += string(c)
		default:
			if c == '.' {
				dots++
			}
			if cur != "" {
				groups = append(groups, cur)
				cur = ""
			}
		}
	}
	if cur != "" {
		groups = append(groups, cur)
	}
	n := 0
	longest := 0
	years := 0
	for _, g := range groups {
		n += len(g)
		longest = max(longest, len(g))
		if len(g) == 4 && (g[:2] == "19" || g[:2] == "20") {
			years++
		}
	}
	if n > 15 || years == len(groups) {
		return false
	}
	if dots == 3 && len(groups) == 4 && longest <= 3 {
		return false // 192.168.10.200
	}
	switch {
	case strings.HasPrefix(cand, "+"):
		return n >= 8
	case len(groups) == 1:
		return labelled && n >= 10
	default:
		return n >= 10 && longest <= 5
	}
}

func digitsOf(s string) string {
	var b strings.Builder
	for i := range len(s) {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
