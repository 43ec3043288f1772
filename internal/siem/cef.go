package siem

import (
	"strconv"
	"strings"

	"github.com/lagwatch/lagwatch/internal/risk"
)

// CEFSeverity maps a lagwatch level to a CEF severity (0 to 10): high is
// 8, watch 5, clear 2 and anything else 0.
func CEFSeverity(level string) int {
	switch level {
	case risk.LevelHigh:
		return 8
	case risk.LevelWatch:
		return 5
	case risk.LevelClear:
		return 2
	default:
		return 0
	}
}

// CEF renders a as one Common Event Format line, without a syslog
// header and without a trailing newline:
//
//	CEF:0|lagwatch|lagwatch|VERSION|RULE|SUMMARY|SEVERITY|extensions
//
// Header fields escape "\" and "|" and have CR and LF replaced by spaces;
// extension values escape "\", "=", CR and LF. Empty extension values are
// left out. The extension keys are listed in docs/siem-export.md.
func CEF(a risk.Alert, opts Options) string {
	var b strings.Builder
	b.WriteString("CEF:0|")
	for _, h := range []string{VendorName, ProductName, opts.ProductVersion, a.Rule, a.Summary} {
		writeCEFHeader(&b, h)
		b.WriteByte('|')
	}
	b.WriteString(strconv.Itoa(CEFSeverity(a.Level)))
	b.WriteByte('|')
	n := 0
	ext := func(k, v string) {
		if v == "" {
			return
		}
		if n > 0 {
			b.WriteByte(' ')
		}
		n++
		b.WriteString(k)
		b.WriteByte('=')
		writeCEFValue(&b, v)
	}
	ext("rt", strconv.FormatInt(ms(a.At), 10))
	ext("externalId", a.ID)
	if a.Subject.Kind == risk.KindDevice {
		ext("cs2", a.Subject.ID)
		ext("cs2Label", "deviceId")
	} else {
		ext("suid", a.Subject.ID)
	}
	ext("cs1", a.Subject.Kind)
	ext("cs1Label", "subjectKind")
	ext("cs3", a.Level)
	ext("cs3Label", "level")
	if len(a.Cites) > 0 {
		ds := make([]string, 0, len(a.Cites))
		for _, c := range a.Cites {
			ds = append(ds, c.Evidence.Detector)
		}
		ext("cs4", strings.Join(ds, ","))
		ext("cs4Label", "detectors")
	}
	ext("cfp1", strconv.FormatFloat(a.LogOdds, 'f', -1, 64))
	ext("cfp1Label", "logOdds")
	ext("cn1", strconv.Itoa(riskScore(a.LogOdds)))
	ext("cn1Label", "riskScore")
	ext("dvchost", opts.Host)
	ext("msg", a.Summary)
	return b.String()
}

func writeCEFHeader(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '|':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r', '\n':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
}

func writeCEFValue(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '=':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			b.WriteString(`\r`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
}
