package resume

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
)

// maxXMLDepth bounds element nesting in a DOCX part; WordprocessingML
// nests a few dozen levels at most (tables in text boxes in tables).
const maxXMLDepth = 256

// docxText returns the text of a DOCX: its headers, then the main document,
// then its footers. Each paragraph ends a line; table cells are separated by
// tabs; tabs and breaks inside runs are kept. Deleted text of tracked
// changes, field codes and the legacy fallback copy of text boxes are left
// out.
func docxText(data []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("open DOCX archive: %w", err)
	}
	files := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		files[f.Name] = f
	}
	main := mainPart(files)
	if files[main] == nil {
		return "", fmt.Errorf("%w: ZIP archive without %s: not a Word document", ErrFormat, main)
	}
	var headers, footers []string
	dir := path.Dir(main)
	for name := range files {
		base := path.Base(name)
		if path.Dir(name) != dir || !strings.HasSuffix(base, ".xml") {
			continue
		}
		switch {
		case strings.HasPrefix(base, "header"):
			headers = append(headers, name)
		case strings.HasPrefix(base, "footer"):
			footers = append(footers, name)
		}
	}
	slices.Sort(headers)
	slices.Sort(footers)
	if n := len(headers) + len(footers); n > MaxDOCXParts {
		return "", fmt.Errorf("%d header and footer parts, more than the limit of %d (MaxDOCXParts)", n, MaxDOCXParts)
	}

	var b strings.Builder
	seen := map[string]bool{}
	part := func(name string, dedupe bool) error {
		t, err := docxPart(files[name], MaxTextSize-b.Len())
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if strings.TrimSpace(t) == "" || (dedupe && seen[t]) {
			return nil
		}
		seen[t] = true
		b.WriteString(t)
		return nil
	}
	for _, h := range headers {
		if err := part(h, true); err != nil {
			return "", err
		}
	}
	if err := part(main, false); err != nil {
		return "", err
	}
	for _, f := range footers {
		if err := part(f, true); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// mainPart returns the name of the main document part: the target of the
// package's officeDocument relationship, or word/document.xml.
func mainPart(files map[string]*zip.File) string {
	const fallback = "word/document.xml"
	f := files["_rels/.rels"]
	if f == nil {
		return fallback
	}
	rc, err := f.Open()
	if err != nil {
		return fallback
	}
	defer rc.Close()
	var rels struct {
		Rel []struct {
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.NewDecoder(&limitReader{r: rc, n: 1 << 20}).Decode(&rels); err != nil {
		return fallback
	}
	for _, r := range rels.Rel {
		if strings.HasSuffix(r.Type, "/officeDocument") && r.Target != "" {
			return strings.TrimPrefix(path.Clean("/"+r.Target), "/")
		}
	}
	return fallback
}

// errPartLimit is returned by limitReader past its limit.
var errPartLimit = fmt.Errorf("uncompresses to more than %d bytes (MaxDOCXPartSize)", MaxDOCXPartSize)

// limitReader reads at most n bytes and then fails with errPartLimit,
// whatever the archive's headers claimed.
type limitReader struct {
	r io.Reader
	n int64
}

// Read reads from the part, failing with errPartLimit past the limit.
func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errPartLimit
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// docxPart returns the text of one WordprocessingML part, failing once the
// part uncompresses past MaxDOCXPartSize or its text past room bytes.
func docxPart(f *zip.File, room int) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	d := xml.NewDecoder(&limitReader{r: rc, n: MaxDOCXPartSize})
	var b strings.Builder
	var (
		depth     int
		skipAt    int  // depth of the element being skipped, 0 when none
		runAt     int  // depth of the enclosing w:r, 0 when none
		textAt    int  // depth of the enclosing w:t, 0 when none
		cells     int  // table cells open
		pendingNL bool // a paragraph in a cell ended; newline if more follows in the cell
	)
	write := func(s string) {
		if pendingNL {
			b.WriteByte('\n')
			pendingNL = false
		}
		b.WriteString(s)
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, errPartLimit) {
				return "", errPartLimit
			}
			return "", fmt.Errorf("parse XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxXMLDepth {
				return "", fmt.Errorf("XML nested deeper than %d elements", maxXMLDepth)
			}
			if skipAt != 0 {
				continue
			}
			switch t.Name.Local {
			case "Fallback", "delText", "instrText", "pPr", "rPr", "sectPr", "tblPr", "trPr", "tcPr":
				skipAt = depth
			case "r":
				runAt = depth
			case "t":
				if runAt != 0 {
					textAt = depth
				}
			case "tc":
				cells++
			case "tab":
				if runAt != 0 {
					write("\t")
				}
			case "br", "cr":
				if runAt != 0 {
					write("\n")
				}
			case "noBreakHyphen":
				if runAt != 0 {
					write("-")
				}
			}
		case xml.EndElement:
			if skipAt == depth {
				skipAt = 0
			} else if skipAt == 0 {
				switch {
				case depth == textAt:
					textAt = 0
				case depth == runAt:
					runAt = 0
				}
				switch t.Name.Local {
				case "p":
					if cells > 0 {
						pendingNL = true
					} else {
						b.WriteByte('\n')
					}
				case "tc":
					pendingNL = false
					b.WriteByte('\t')
					if cells > 0 {
						cells--
					}
				case "tr":
					pendingNL = false
					b.WriteByte('\n')
				}
			}
			depth--
		case xml.CharData:
			if textAt != 0 && skipAt == 0 {
				write(string(t))
			}
		}
		if b.Len() > room {
			return "", fmt.Errorf("text longer than the limit of %d bytes (MaxTextSize)", MaxTextSize)
		}
	}
	return b.String(), nil
}
