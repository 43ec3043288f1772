package resume

import "testing"

func benchParse(b *testing.B, name string, data []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(name, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParsePDF parses the two-page test résumé as a PDF.
func BenchmarkParsePDF(b *testing.B) { benchParse(b, "r.pdf", pdfResume()) }

// BenchmarkParseDOCX parses the test résumé as a DOCX.
func BenchmarkParseDOCX(b *testing.B) { benchParse(b, "r.docx", docxResume()) }

// BenchmarkParseMarkdown parses the test résumé as Markdown.
func BenchmarkParseMarkdown(b *testing.B) { benchParse(b, "r.md", markdownResume()) }

// BenchmarkFromText scans the résumé's text for fields.
func BenchmarkFromText(b *testing.B) {
	text, err := Text("r.pdf", pdfResume())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		FromText("r", text)
	}
}
