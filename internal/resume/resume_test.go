package resume

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// wantResume is what every format of the test résumé must yield.
var wantResume = hiring.Applicant{
	Name:            "Dana K. Whitfield",
	Emails:          []string{"dana.whitfield@example.com", "alex.moreno@example.org"},
	Phones:          []string{"+1 (602) 555-0134", "(480) 555-0199"},
	Links:           []string{"linkedin.com/in/dana-whitfield-example", "https://github.com/dwhitfield-example"},
	ClaimedLocation: "Phoenix, AZ",
	Education: []hiring.Education{
		{Institution: "Arizona State University", Degree: "Bachelor of Science", Area: "Computer Science",
			Start: hiring.YearMonth{Year: 2010}, End: hiring.YearMonth{Year: 2014}},
		{Institution: "Maricopa Community College", Degree: "Associate of Science", End: hiring.YearMonth{Year: 2010}},
	},
	Employment: []hiring.Employment{
		{Employer: "Saguaro Cloud Systems, Inc.", Title: "Senior Site Reliability Engineer", Location: "Phoenix, AZ",
			Start: hiring.YearMonth{Year: 2019, Month: 1}, Current: true},
		{Employer: "Desert Mesa Health Network", Title: "Systems Administrator",
			Start: hiring.YearMonth{Year: 2016, Month: 5}, End: hiring.YearMonth{Year: 2018, Month: 12}},
		{Employer: "Copperline Telecom", Title: "Junior Linux Administrator",
			Start: hiring.YearMonth{Year: 2014}, End: hiring.YearMonth{Year: 2016}},
	},
}

func TestParseFormats(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"Dana Whitfield (2024).pdf", pdfResume()},
		{"uploads/Dana_Whitfield.DOCX", docxResume()},
		{`C:\cv\dana-whitfield.md`, markdownResume()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Parse(tc.name, tc.data)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tc.name, err)
			}
			if a.ID != IDFromName(tc.name) || a.Source != baseName(tc.name) {
				t.Errorf("ID, Source = %q, %q; want %q, %q", a.ID, a.Source, IDFromName(tc.name), baseName(tc.name))
			}
			for _, s := range []string{"Dana K. Whitfield", "Led the migration of 1,200 hosts", "Jan 2019 – Present",
				"Certified Kubernetes Administrator (CKA), 2020", "alex.moreno@example.org"} {
				if !strings.Contains(a.ResumeText, s) {
					t.Errorf("ResumeText lacks %q", s)
				}
			}
			got := a
			got.ID, got.Source, got.ResumeText = "", "", ""
			if !reflect.DeepEqual(got, wantResume) {
				t.Errorf("Parse(%q) =\n%+v\nwant\n%+v", tc.name, got, wantResume)
			}
		})
	}
}

// TestPDFLines checks the line building on the PDF: both pages, the date
// column after a tab, words split by TJ kerning joined with spaces, and
// WinAnsi characters (bullet, en dash, em dash) decoded.
func TestPDFLines(t *testing.T) {
	text, err := Text("r.pdf", pdfResume())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Dana K. Whitfield\nSite Reliability Engineer\n",
		"Saguaro Cloud Systems, Inc., Phoenix, AZ\tJan 2019 – Present\n",
		"• Led the migration of 1,200 hosts to Kubernetes across three regions.\n",
		"Arizona State University\t2010 – 2014\nBachelor of Science in Computer Science\n",
		"Maricopa Community College — Associate of Science, 2010\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Text(pdf) lacks %q; got\n%s", want, text)
		}
	}
}

// TestDOCXParts checks the DOCX reader: header before body, tracked
// deletions, field codes and the text box fallback copy left out, table
// cells joined by a tab.
func TestDOCXParts(t *testing.T) {
	text, err := Text("r.docx", docxResume())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text, "Dana K. Whitfield\n") {
		t.Errorf("Text(docx) does not start with the header's name line:\n%s", text)
	}
	for _, bad := range []string{"Staff", "PAGE"} {
		if strings.Contains(text, bad) {
			t.Errorf("Text(docx) contains %q from a deletion or field code", bad)
		}
	}
	if n := strings.Count(text, "Open to relocation"); n != 1 {
		t.Errorf("text box text appears %d times, want 1", n)
	}
	if !strings.Contains(text, "Arizona State University\t2010 – 2014\n") {
		t.Errorf("table row not joined by a tab:\n%s", text)
	}
}

func TestPlainEncodings(t *testing.T) {
	utf16le := []byte{0xFF, 0xFE}
	for _, r := range "Jane Doe\nZoë\n" {
		utf16le = append(utf16le, byte(r), byte(r>>8))
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"a.txt", []byte("\xEF\xBB\xBFJane Doe\r\nZoë\r\n"), "Jane Doe\nZoë\n"},
		{"a.txt", utf16le, "Jane Doe\nZoë\n"},
		{"a.txt", []byte("Jane   Doe\u00a0\tx\x07y\n\n\n\nz"), "Jane\tDoe\txy\n\nz\n"},
		{"noext", []byte("Jane Doe"), "Jane Doe\n"},
	} {
		got, err := Text(tc.name, tc.data)
		if err != nil || got != tc.want {
			t.Errorf("Text(%q, %q) = %q, %v; want %q", tc.name, tc.data, got, err, tc.want)
		}
	}
}

func TestTextErrors(t *testing.T) {
	bigDoc := func(n int, unit string) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, _ := zw.Create("word/document.xml")
		if unit == "a" {
			w.Write([]byte(`<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>`))
		} else { // character data outside w:t: read and dropped
			w.Write([]byte(`<w:document xmlns:w="w"><w:body><w:p><w:r>`))
		}
		chunk := bytes.Repeat([]byte(unit), (1<<20)/len(unit))
		for range n {
			w.Write(chunk)
		}
		w.Write([]byte(`</w:t></w:r></w:p></w:body></w:document>`))
		zw.Close()
		return b.Bytes()
	}
	deep := func() []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, _ := zw.Create("word/document.xml")
		w.Write([]byte(strings.Repeat("<a>", 10000)))
		zw.Close()
		return b.Bytes()
	}
	emptyPDF := buildPDF([]string{"0 0 m 100 100 l S\n"}, nil)
	var pages []string
	for range MaxPages + 1 {
		pages = append(pages, "BT /F1 10 Tf 72 700 Td (page) Tj ET\n")
	}
	manyPages := buildPDF(pages, nil)
	for _, tc := range []struct {
		name string
		data []byte
		want string // in the error
		is   error
	}{
		{"big.txt", make([]byte, MaxFileSize+1), "MaxFileSize", nil},
		{"x.pdf", []byte("hello"), "no %PDF- header", ErrFormat},
		{"x.docx", []byte("hello"), "not one", ErrFormat},
		{"x.doc", []byte("\xD0\xCF\x11\xE0"), "legacy Word", ErrFormat},
		{"x.rtf", []byte("{\\rtf1}"), ".rtf", ErrFormat},
		{"x", []byte("{\\rtf1}"), "RTF", ErrFormat},
		{"x.txt", []byte("caf\xe9"), "not UTF-8", ErrFormat},
		{"x.txt", []byte("a\x00b"), "NUL byte", ErrFormat},
		{"x.txt", []byte(" \n\t\n"), "no text", ErrNoText},
		{"scan.pdf", emptyPDF, "no text", ErrNoText},
		{"long.pdf", manyPages, "MaxPages", nil},
		{"bomb.docx", bigDoc(17, "b"), "MaxDOCXPartSize", nil},
		{"long.docx", bigDoc(2, "a"), "MaxTextSize", nil},
		{"deep.docx", deep(), "nested deeper", nil},
		{"zip.docx", func() []byte {
			var b bytes.Buffer
			zw := zip.NewWriter(&b)
			zw.Create("other.xml")
			zw.Close()
			return b.Bytes()
		}(), "without word/document.xml", ErrFormat},
		{"broken.pdf", []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), "open PDF", nil},
		{"enc.pdf", []byte("%PDF-1.4\ntrailer\n<< /Encrypt 5 0 R >>\n%%EOF\n"), "encrypted PDF", nil},
		{"size.pdf", []byte("%PDF-1.4\ntrailer\n<< /Size 999999999999 >>\nstartxref\n9\n%%EOF\n"), "MaxPDFObjects", nil},
		{"xref.pdf", []byte("%PDF-1.4\nxref\n2000000000 1\n0000000000 00000 n \ntrailer\n<< /Size 3 >>\nstartxref\n9\n%%EOF\n"), "MaxPDFObjects", nil},
		{"hex.pdf", buildPDF([]string{"BT /F1 12 Tf 72 700 Td <0001"}, nil), "hex string is not closed", nil},
		{"bomb.pdf", zlibPDF(bytes.Repeat([]byte("0 "), MaxPDFStreamSize/2+1)), "MaxPDFStreamSize", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Text(tc.name, tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), tc.name+": ") {
				t.Fatalf("Text(%q) error = %v; want one starting with the name and containing %q", tc.name, err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("Text(%q) error = %v; want errors.Is %v", tc.name, err, tc.is)
			}
		})
	}
}

// zlibPDF is a one-page PDF whose content stream is the compressed data.
func zlibPDF(content []byte) []byte {
	return buildPDF([]string{string(content)}, []bool{true})
}

// TestParseLimits checks that a field over an applicant limit is an error
// naming the field, not a truncation.
func TestParseLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("Jane Doe\n")
	for i := range hiring.MaxContacts + 1 {
		fmt.Fprintf(&b, "j%d@example.com\n", i)
	}
	_, err := Parse("many.txt", []byte(b.String()))
	var fe *hiring.FieldError
	var re *hiring.RecordError
	if !errors.As(err, &re) || re.Source != "many.txt" || !errors.As(err, &fe) || fe.Field != "emails" {
		t.Errorf("Parse with %d e-mails: error %v; want a RecordError for many.txt with a FieldError on emails", hiring.MaxContacts+1, err)
	}
	_, err = Parse("rev.txt", []byte("Jane Doe\nExperience\nAcme Corp | Engineer | 2020 – 2018\n"))
	if !errors.As(err, &fe) || fe.Field != "employment[0].end" {
		t.Errorf("Parse with an end before the start: error %v; want a FieldError on employment[0].end", err)
	}
}

func TestIDFromName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Dana Whitfield (2024).pdf", "dana-whitfield-2024"},
		{"/tmp/uploads/José_Pérez.CV.docx", "jose_perez.cv"},
		{`C:\Users\x\résumé final!!.PDF`, "resume-final"},
		{"...pdf", "resume-" + fmt.Sprintf("%016x", fnv64a(".."))},
		{"履歴書.pdf", "resume-" + fmt.Sprintf("%016x", fnv64a("履歴書"))},
		{strings.Repeat("a", 300) + ".txt", strings.Repeat("a", hiring.MaxIDLen)},
	} {
		if got := IDFromName(tc.in); got != tc.want {
			t.Errorf("IDFromName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func fnv64a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := range len(s) {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		want Format
	}{
		{"a.pdf", "%PDF-1.7\n", FormatPDF},
		{"a.bin", "junk\n%PDF-1.4\n", FormatPDF},
		{"a", "PK\x03\x04", FormatDOCX},
		{"a.md", "# Jane", FormatText},
		{"a", "Jane", FormatText},
	} {
		if got, err := Detect(tc.name, []byte(tc.data)); got != tc.want || err != nil {
			t.Errorf("Detect(%q, %q) = %q, %v; want %q", tc.name, tc.data, got, err, tc.want)
		}
	}
}

// TestPDFHeaderVariants checks that a PDF 2.0 header, leading junk and
// trailing bytes after %%EOF are read.
func TestPDFHeaderVariants(t *testing.T) {
	base := buildPDF([]string{"BT /F1 10 Tf 72 700 Td (Jane Doe) Tj ET\n"}, nil)
	v20 := bytes.Replace(base, []byte("%PDF-1.4"), []byte("%PDF-2.0"), 1)
	junk := append([]byte("MIME junk\r\n"), base...)
	junk = append(junk, []byte("\r\n-- trailing junk after the end --\r\n"+strings.Repeat("x", 200))...)
	for name, data := range map[string][]byte{"v20.pdf": v20, "junk.pdf": junk} {
		text, err := Text(name, data)
		if err != nil || text != "Jane Doe\n" {
			t.Errorf("Text(%s) = %q, %v; want %q", name, text, err, "Jane Doe\n")
		}
	}
}

// TestPDFToUnicode checks a Type0 font with two-byte codes mapped by a
// ToUnicode character map (bfchar and both bfrange forms), as modern
// producers write them.
func TestPDFToUnicode(t *testing.T) {
	cmap := "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n" +
		"1 begincodespacerange <0000> <FFFF> endcodespacerange\n" +
		"2 beginbfchar <0001> <004A> <0002> <0020> endbfchar\n" +
		"2 beginbfrange <0010> <0013> <0061> <0020> <0021> [<00E9> <2013>] endbfrange\n" +
		"endcmap CMapName currentdict /CMap defineresource pop end end\n"
	// J=0001 space=0002 a..d=0010..0013 é=0020 –=0021
	content := "BT /F9 12 Tf 72 700 Td <0001001000110012000200200021> Tj ET\n"
	data := buildPDFWithFont(content, cmap)
	text, err := Text("cid.pdf", data)
	if want := "Jabc é–\n"; err != nil || text != want {
		t.Errorf("Text(cid.pdf) = %q, %v; want %q", text, err, want)
	}
}

// buildPDFWithFont writes a one-page PDF whose font F9 is a Type0 font
// with the given ToUnicode map.
func buildPDFWithFont(content, cmap string) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.7\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /Resources << /Font << /F9 5 0 R >> >> /Contents 4 0 R >>")
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	obj("<< /Type /Font /Subtype /Type0 /BaseFont /Noto /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>")
	obj("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Noto /DW 600 /W [1 [700] 16 19 550] >>")
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(cmap), cmap))
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// TestPDFTimeout checks that extraction gives up at the deadline.
func TestPDFTimeout(t *testing.T) {
	_, err := pdfTextWithin(pdfResume(), 0)
	if err == nil || !strings.Contains(err.Error(), "PDFTimeout") {
		t.Errorf("pdfTextWithin(0) error = %v; want a PDFTimeout error", err)
	}
}
