package siem

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lagwatch/lagwatch/internal/risk"
)

// parseCEF splits a CEF line into its seven header fields (unescaped) and
// its extensions (unescaped). It is the receiver's side of [CEF].
func parseCEF(line string) ([7]string, map[string]string, error) {
	var hdr [7]string
	rest, ok := strings.CutPrefix(line, "CEF:")
	if !ok {
		return hdr, nil, errors.New("no CEF: prefix")
	}
	var cur strings.Builder
	n := 0
	i := 0
	for ; i < len(rest) && n < 7; i++ {
		switch c := rest[i]; c {
		case '\\':
			if i+1 >= len(rest) || (rest[i+1] != '\\' && rest[i+1] != '|') {
				return hdr, nil, fmt.Errorf("bad header escape at %d", i)
			}
			i++
			cur.WriteByte(rest[i])
		case '|':
			hdr[n] = cur.String()
			cur.Reset()
			n++
		case '\r', '\n':
			return hdr, nil, fmt.Errorf("raw newline in header at %d", i)
		default:
			cur.WriteByte(c)
		}
	}
	if n != 7 {
		return hdr, nil, fmt.Errorf("%d header fields, want 7", n)
	}
	ext := rest[i:]
	m := map[string]string{}
	if ext == "" {
		return hdr, m, nil
	}
	// Find unescaped '=': each ends a key, which starts after the last
	// space before it.
	type kv struct{ keyStart, eq int }
	var keys []kv
	for j := 0; j < len(ext); j++ {
		switch ext[j] {
		case '\\':
			j++
		case '=':
			ks := strings.LastIndexByte(ext[:j], ' ') + 1
			if len(keys) > 0 && ks <= keys[len(keys)-1].eq {
				return hdr, nil, fmt.Errorf("key at %d has no space before it", j)
			}
			keys = append(keys, kv{ks, j})
		case '\r', '\n':
			return hdr, nil, fmt.Errorf("raw newline in extension at %d", j)
		}
	}
	if len(keys) == 0 || keys[0].keyStart != 0 {
		return hdr, nil, errors.New("extension does not start with a key")
	}
	for k, e := range keys {
		end := len(ext)
		if k+1 < len(keys) {
			end = keys[k+1].keyStart - 1
		}
		key := ext[e.keyStart:e.eq]
		v, err := unescapeCEFValue(ext[e.eq+1 : end])
		if err != nil {
			return hdr, nil, fmt.Errorf("extension %s: %w", key, err)
		}
		if _, dup := m[key]; dup {
			return hdr, nil, fmt.Errorf("extension %s twice", key)
		}
		m[key] = v
	}
	return hdr, m, nil
}

func unescapeCEFValue(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) {
			return "", errors.New("trailing backslash")
		}
		i++
		switch s[i] {
		case '\\', '=':
			b.WriteByte(s[i])
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		default:
			return "", fmt.Errorf("bad escape \\%c", s[i])
		}
	}
	return b.String(), nil
}

func TestCEF(t *testing.T) {
	a := testAlert()
	got := CEF(a, Options{ProductVersion: "0.9.1", Host: "lw-1.example.com"})
	wantPrefix := "CEF:0|lagwatch|lagwatch|0.9.1|high-risk|" + a.Summary + "|8|rt=" + strconv.FormatInt(testAt.UnixMilli(), 10) + " externalId=risk-7 suid=w-42 cs1=worker cs1Label=subjectKind"
	if !strings.HasPrefix(got, wantPrefix) {
		t.Fatalf("CEF =\n%s\nwant prefix\n%s", got, wantPrefix)
	}
	_, ext, err := parseCEF(got)
	if err != nil {
		t.Fatalf("parseCEF(%q): %v", got, err)
	}
	want := map[string]string{
		"cfp1": "3", "cfp1Label": "logOdds", "cn1": "89", "cn1Label": "riskScore",
		"cs3": "high", "cs4": "endpoint.ip-kvm,latency.too-slow", "dvchost": "lw-1.example.com",
		"msg": a.Summary,
	}
	for k, w := range want {
		if ext[k] != w {
			t.Errorf("CEF extension %s = %q, want %q", k, ext[k], w)
		}
	}
}

func TestCEFEscaping(t *testing.T) {
	tests := []struct {
		rule, summary, subject string
		wantHeader, wantExt    string
	}{
		{`a|b`, `x\y`, `w=1`, `|a\|b|x\\y|`, `suid=w\=1`},
		{`r`, "two\nlines\r", `back\slash`, "|r|two lines |", `suid=back\\slash`},
		{`r`, `s`, "line\nbreak\r", "|r|s|", `suid=line\nbreak\r`},
		{`r`, "trail\\", "=", `|trail\\|`, `suid=\=`},
	}
	for _, tt := range tests {
		a := testAlert()
		a.Rule, a.Summary, a.Subject.ID = tt.rule, tt.summary, tt.subject
		got := CEF(a, Options{})
		if !strings.Contains(got, tt.wantHeader) || !strings.Contains(got, tt.wantExt) {
			t.Errorf("CEF(rule %q, summary %q, subject %q) = %q, want it to contain %q and %q", tt.rule, tt.summary, tt.subject, got, tt.wantHeader, tt.wantExt)
		}
	}
	a := testAlert()
	a.Level = risk.LevelWatch
	if _, _, sev := cefSeverityField(t, CEF(a, Options{})); sev != "5" {
		t.Errorf("CEF severity of watch = %s, want 5", sev)
	}
}

func cefSeverityField(t *testing.T, line string) (string, string, string) {
	t.Helper()
	hdr, _, err := parseCEF(line)
	if err != nil {
		t.Fatalf("parseCEF(%q): %v", line, err)
	}
	return hdr[4], hdr[5], hdr[6]
}

func headerWant(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// FuzzCEF renders alerts with arbitrary text and checks that a parser
// recovers every field.
func FuzzCEF(f *testing.F) {
	f.Add("high-risk", "worker:w-1 is high risk.", "w-1", "risk-1", "0.9.1", "host", "latency.too-slow", 3.5)
	f.Add(`a|b\`, "x=y\\|z\n", `=\`, `\n`, "|", " = ", "a b=c", -2.0)
	f.Add("", "", "", "", "", "", "", 0.0)
	f.Add(" ", "  ", " k=v ", "msg=x", "\\", "\r\n", "=", 1e300)
	f.Fuzz(func(t *testing.T, rule, summary, subject, id, version, host, detector string, lo float64) {
		if len(rule)+len(summary)+len(subject)+len(id)+len(version)+len(host)+len(detector) > 4096 {
			t.Skip("input over 4 KiB")
		}
		a := risk.Alert{
			ID: id, Subject: risk.Worker(subject), Rule: rule, At: testAt,
			LogOdds: lo, Level: risk.LevelWatch, Summary: summary,
			Cites: []risk.Contribution{{Evidence: risk.Evidence{Detector: detector}}},
		}
		opts := Options{ProductVersion: version, Host: host}
		line := CEF(a, opts)
		hdr, ext, err := parseCEF(line)
		if err != nil {
			t.Fatalf("parseCEF(%q): %v", line, err)
		}
		wantHdr := [7]string{"0", "lagwatch", "lagwatch", headerWant(version), headerWant(rule), headerWant(summary), "5"}
		if hdr != wantHdr {
			t.Fatalf("CEF header round trip = %q, want %q", hdr, wantHdr)
		}
		wantExt := map[string]string{
			"rt": strconv.FormatInt(testAt.UnixMilli(), 10), "externalId": id, "suid": subject,
			"cs1": "worker", "cs3": "watch", "cs4": detector, "cfp1": strconv.FormatFloat(lo, 'f', -1, 64),
			"cn1": strconv.Itoa(riskScore(lo)), "dvchost": host, "msg": summary,
		}
		for k, w := range wantExt {
			if got, ok := ext[k]; got != w || (w != "" && !ok) {
				t.Fatalf("CEF extension %s round trip = %q, want %q\nline %q", k, got, w, line)
			}
		}
		allValid := true
		for _, s := range []string{rule, summary, subject, id, version, host, detector} {
			allValid = allValid && utf8.ValidString(s)
		}
		if allValid && !utf8.ValidString(line) {
			t.Fatalf("CEF of valid UTF-8 is not valid UTF-8: %q", line)
		}
	})
}
