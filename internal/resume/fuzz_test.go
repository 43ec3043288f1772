package resume

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// FuzzText feeds mutated PDF, DOCX and text files to Text under a name
// chosen by kind (.pdf, .docx, .txt, or none so the content decides): it
// must not panic, must return text within MaxTextSize that is valid UTF-8
// without control characters other than tab and newline, and errors must
// name the file. A PDF may take at most PDFTimeout.
func FuzzText(f *testing.F) {
	for kind := range uint8(4) {
		f.Add(pdfResume(), kind)
		f.Add(docxResume(), kind)
		f.Add(markdownResume(), kind)
	}
	f.Add(buildPDFWithFont("BT /F9 12 Tf 72 700 Td <00010010> Tj ET\n",
		"1 begincodespacerange <0000> <FFFF> endcodespacerange 1 beginbfchar <0001> <004A> endbfchar 1 beginbfrange <0010> <0013> <0061> endbfrange"), uint8(0))
	f.Add([]byte("%PDF-1.4\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 >>\nstartxref\n9\n%%EOF\n"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		name := [...]string{"f.pdf", "f.docx", "f.txt", "f"}[kind%4]
		start := time.Now()
		text, err := Text(name, data)
		if d := time.Since(start); d > PDFTimeout+2*time.Second {
			t.Fatalf("Text(%s) took %v", name, d)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), name+": ") {
				t.Fatalf("Text(%s) error %q does not name the file", name, err)
			}
			return
		}
		if len(text) > MaxTextSize || !utf8.ValidString(text) || strings.TrimSpace(text) == "" {
			t.Fatalf("Text(%s) = %d bytes, valid UTF-8 %v", name, len(text), utf8.ValidString(text))
		}
		for _, r := range text {
			if r < 0x20 && r != '\n' && r != '\t' {
				t.Fatalf("Text(%s) has control character %U", name, r)
			}
		}
	})
}

// FuzzFromText checks that field scanning never panics, keeps the text,
// and only returns fields that occur in the text (nothing invented).
func FuzzFromText(f *testing.F) {
	f.Add(string(markdownResume()))
	f.Add("Experience\nAcme Corp | Engineer | Jan 2019 – Present\nEducation\nMIT, BS, 2010\n")
	f.Add("Jane Doe\n+1 (602) 555-0134\njane@example.com\nlinkedin.com/in/jane\nPhoenix, AZ\n")
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1<<16 {
			return
		}
		a := FromText("id", text)
		if a.ID != "id" || a.ResumeText != text {
			t.Fatalf("ID or ResumeText changed")
		}
		// Markdown emphasis marks are dropped before scanning.
		plain := strings.NewReplacer("**", "", "__", "").Replace(text)
		in := func(field, v string) {
			if v != "" && !strings.Contains(text, v) && !strings.Contains(plain, v) {
				t.Fatalf("%s %q does not occur in the text", field, v)
			}
		}
		in("name", a.Name)
		in("claimed_location", a.ClaimedLocation)
		for _, list := range [][]string{a.Emails, a.Phones, a.Links} {
			for _, v := range list {
				if strings.TrimSpace(v) == "" {
					t.Fatalf("empty contact in %q", list)
				}
				in("contact", v)
			}
		}
		for _, e := range a.Employment {
			if e.Employer == "" {
				t.Fatalf("employment without employer: %+v", e)
			}
			in("employer", e.Employer)
			in("title", e.Title)
			checkDate(t, e.Start)
			checkDate(t, e.End)
		}
		for _, e := range a.Education {
			if e.Institution == "" {
				t.Fatalf("education without institution: %+v", e)
			}
			checkDate(t, e.Start)
			checkDate(t, e.End)
		}
	})
}

func checkDate(t *testing.T, d hiring.YearMonth) {
	t.Helper()
	if !d.IsZero() && (d.Year < minYear || d.Year > maxYear || d.Month < 0 || d.Month > 12) {
		t.Fatalf("date %+v out of range", d)
	}
}
