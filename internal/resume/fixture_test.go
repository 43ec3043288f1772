package resume

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"fmt"
	"html"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// The test résumé: an invented person, example.com/example.org addresses
// and 555 numbers. Each line is a list of runs; a run with x > 0 is placed
// at that x (a right-aligned date column), and bold runs are headings.

type run struct {
	text string
	x    float64 // 0: after the previous run
	bold bool
}

type fixtureLine struct {
	runs   []run
	bullet bool
	size   float64
}

func plain(s string) fixtureLine { return fixtureLine{runs: []run{{text: s}}} }
func bold(s string) fixtureLine  { return fixtureLine{runs: []run{{text: s, bold: true}}, size: 12} }
func item(s string) fixtureLine  { return fixtureLine{runs: []run{{text: s}}, bullet: true} }
func dated(left, right string) fixtureLine {
	return fixtureLine{runs: []run{{text: left, bold: true}, {text: right, x: 430}}}
}

// resumePages is the two-page résumé.
var resumePages = [][]fixtureLine{{
	{runs: []run{{text: "Dana K. Whitfield", bold: true}}, size: 18},
	plain("Site Reliability Engineer"),
	plain("Phoenix, AZ · +1 (602) 555-0134 · dana.whitfield@example.com"),
	plain("linkedin.com/in/dana-whitfield-example · https://github.com/dwhitfield-example"),
	bold("Summary"),
	plain("Site reliability engineer with nine years of running Linux fleets and Kubernetes platforms."),
	bold("Work Experience"),
	dated("Saguaro Cloud Systems, Inc., Phoenix, AZ", "Jan 2019 – Present"),
	plain("Senior Site Reliability Engineer"),
	item("Led the migration of 1,200 hosts to Kubernetes across three regions."),
	item("Cut paging volume by 40% with SLO-based alerting and runbooks."),
	dated("Systems Administrator | Desert Mesa Health Network", "05/2016 – 12/2018"),
	item("Ran 300 RHEL servers and the on-call rotation for clinical systems."),
	item("Automated patching with Ansible; reduced maintenance windows from 6 to 2 hours."),
	plain("Junior Linux Administrator at Copperline Telecom (2014 - 2016)"),
	item("Maintained DNS, DHCP and LDAP for 4,000 subscribers."),
}, {
	bold("Education"),
	dated("Arizona State University", "2010 – 2014"),
	plain("Bachelor of Science in Computer Science"),
	plain("Maricopa Community College — Associate of Science, 2010"),
	bold("Skills"),
	plain("Linux, Kubernetes, Terraform, Go, Python, PostgreSQL, Prometheus"),
	bold("Certifications"),
	plain("Certified Kubernetes Administrator (CKA), 2020"),
	bold("References"),
	plain("Alex Moreno, Saguaro Cloud Systems, alex.moreno@example.org, (480) 555-0199"),
}}

// markdownResume renders the résumé as Markdown.
func markdownResume() []byte {
	var b strings.Builder
	for _, page := range resumePages {
		for i, l := range page {
			var parts []string
			for _, r := range l.runs {
				parts = append(parts, r.text)
			}
			text := strings.Join(parts, "\t")
			switch {
			case i == 0 && l.size == 18:
				b.WriteString("# " + text + "\n\n")
			case l.size == 12:
				b.WriteString("\n## " + text + "\n\n")
			case l.bullet:
				b.WriteString("- " + text + "\n")
			case len(l.runs) > 1:
				b.WriteString("**" + l.runs[0].text + "**\t" + l.runs[1].text + "\n")
			default:
				b.WriteString(text + "\n")
			}
		}
	}
	return []byte(b.String())
}

// pdfString encodes s in WinAnsiEncoding as a PDF literal string.
func pdfString(s string) string {
	enc, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		panic(fmt.Sprintf("encode %q: %v", s, err))
	}
	r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
	return "(" + r.Replace(enc) + ")"
}

// pdfResume writes the résumé as a PDF 1.4 file with the standard
// Helvetica fonts (no embedded fonts, no /Widths) in WinAnsiEncoding.
// Page 1 places every run with its own BT … Tm … Tj ET; page 2 uses one
// text object with relative Td moves, TJ arrays with kerning between
// words, and a Flate-compressed content stream, as producers do.
func pdfResume() []byte {
	var streams []string
	for p, page := range resumePages {
		var c strings.Builder
		y := 760.0
		if p == 0 {
			for _, l := range page {
				size := l.size
				if size == 0 {
					size = 10
				}
				x := 72.0
				if l.bullet {
					fmt.Fprintf(&c, "BT /F1 %g Tf 1 0 0 1 %g %g Tm %s Tj ET\n", size, x, y, pdfString("•"))
					x = 84
				}
				for _, r := range l.runs {
					font := "F1"
					if r.bold {
						font = "F2"
					}
					if r.x > 0 {
						x = r.x
					}
					fmt.Fprintf(&c, "BT /%s %g Tf 1 0 0 1 %g %g Tm %s Tj ET\n", font, size, x, y, pdfString(r.text))
				}
				y -= size + 6
			}
		} else {
			c.WriteString("BT\n72 760 Td\n")
			lastX := 72.0
			for i, l := range page {
				size := l.size
				if size == 0 {
					size = 10
				}
				if i > 0 {
					fmt.Fprintf(&c, "%g %g Td\n", 72-lastX, -(size + 6))
					lastX = 72
				}
				for _, r := range l.runs {
					font := "F1"
					if r.bold {
						font = "F2"
					}
					if r.x > 0 {
						fmt.Fprintf(&c, "%g 0 Td\n", r.x-lastX)
						lastX = r.x
					}
					// Words as separate strings with a kerning gap of a
					// third of an em, like justified text.
					words := strings.Split(r.text, " ")
					var arr []string
					for _, w := range words {
						arr = append(arr, pdfString(w))
					}
					fmt.Fprintf(&c, "/%s %g Tf [%s] TJ\n", font, size, strings.Join(arr, " -333 "))
				}
			}
			c.WriteString("ET\n")
		}
		streams = append(streams, c.String())
	}
	return buildPDF(streams, []bool{false, true})
}

// buildPDF writes a PDF with one page per content stream, two standard
// fonts, and a correct cross-reference table.
func buildPDF(contents []string, compress []bool) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	n := len(contents)
	// 1 catalog, 2 pages, 3 F1, 4 F2, then page i at 5+2i, content at 6+2i.
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	var kids []string
	for i := range n {
		kids = append(kids, fmt.Sprintf("%d 0 R", 5+2*i))
	}
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
	for i, c := range contents {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "+
			"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>", 6+2*i))
		data, filter := []byte(c), ""
		if i < len(compress) && compress[i] {
			var z bytes.Buffer
			w := zlib.NewWriter(&z)
			w.Write(data)
			w.Close()
			data, filter = z.Bytes(), " /Filter /FlateDecode"
		}
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n<< /Length %d%s >>\nstream\n", len(offsets), len(data), filter)
		b.Write(data)
		b.WriteString("\nendstream\nendobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// docxResume writes the résumé as a minimal WordprocessingML package. The
// contact lines are in the page header (header1.xml), list items are
// numbered paragraphs without a bullet character (as Word stores them),
// the dates follow a tab, education is a two-column table, and the body
// holds a tracked deletion, a field code and a text box with its VML
// fallback copy, none of which may show up twice or at all.
func docxResume() []byte {
	para := func(runs ...string) string {
		return "<w:p><w:pPr><w:pStyle w:val=\"Normal\"/><w:tabs><w:tab w:val=\"right\" w:pos=\"9350\"/></w:tabs></w:pPr>" +
			strings.Join(runs, "") + "</w:p>"
	}
	r := func(s string) string {
		return `<w:r><w:rPr><w:rFonts w:ascii="Calibri"/></w:rPr><w:t xml:space="preserve">` + html.EscapeString(s) + `</w:t></w:r>`
	}
	tab := `<w:r><w:tab/></w:r>`
	listPara := func(s string) string {
		return `<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>` + r(s) + `</w:p>`
	}
	lineXML := func(l fixtureLine) string {
		if l.bullet {
			return listPara(l.runs[0].text)
		}
		var runs []string
		for i, x := range l.runs {
			if i > 0 {
				runs = append(runs, tab)
			}
			runs = append(runs, r(x.text))
		}
		return para(runs...)
	}
	var header, body strings.Builder
	p1 := resumePages[0]
	header.WriteString(lineXML(p1[0]) + lineXML(p1[1]) + lineXML(p1[2]) + lineXML(p1[3]))
	for i, l := range p1[4:] {
		if i == 4 { // the first title: a tracked deletion and a field code inside
			body.WriteString(para(
				`<w:del w:id="1" w:author="x"><w:r><w:delText>Staff </w:delText></w:r></w:del>`,
				r("Senior Site Reliability Engineer"),
				`<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>`))
			continue
		}
		body.WriteString(lineXML(l))
	}
	// A text box with the legacy fallback copy of the same text.
	body.WriteString(`<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>` +
		para(r("Open to relocation")) + `</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent>` +
		para(r("Open to relocation")) + `</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>`)
	p2 := resumePages[1]
	body.WriteString(lineXML(p2[0]))
	cell := func(s string) string { return `<w:tc><w:tcPr><w:tcW w:w="4675"/></w:tcPr>` + para(r(s)) + `</w:tc>` }
	body.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="0"/></w:tblPr><w:tr>` + cell(p2[1].runs[0].text) + cell(p2[1].runs[1].text) + `</w:tr></w:tbl>`)
	for _, l := range p2[2:] {
		body.WriteString(lineXML(l))
	}
	const ns = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ` +
		`xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" ` +
		`xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" ` +
		`xmlns:v="urn:schemas-microsoft-com:vml" ` +
		`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	files := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>
</Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>`},
		{"word/_rels/document.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>
</Relationships>`},
		{"word/header1.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr ` + ns + `>` + header.String() + `</w:hdr>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document ` + ns + `><w:body>` + body.String() +
			`<w:sectPr><w:headerReference w:type="default" r:id="rId1"/></w:sectPr></w:body></w:document>`},
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			panic(err)
		}
		w.Write([]byte(f.body))
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}
