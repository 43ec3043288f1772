package resume

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// Limits on résumé files. A file over one is rejected with an error naming
// the file and the limit.
const (
	// MaxFileSize is the largest résumé file accepted, in bytes.
	MaxFileSize = 10 << 20
	// MaxTextSize is the most text extracted from one file, in bytes; it
	// equals the applicant model's limit on résumé text.
	MaxTextSize = hiring.MaxResumeLen
	// MaxPages is the most PDF pages read. A PDF with more pages is
	// rejected: a résumé has a few.
	MaxPages = 20
	// MaxPDFStreamSize is the most bytes one compressed PDF stream may
	// inflate to. Every Flate stream is inflated once against this limit
	// before the PDF is parsed, so that no stream can expand into gigabytes.
	MaxPDFStreamSize = 8 << 20
	// MaxPDFInflated is the most bytes all compressed streams of one PDF
	// may inflate to together.
	MaxPDFInflated = 32 << 20
	// MaxPDFObjects is the largest object number a PDF cross-reference
	// section may declare (/Size, /Index, subsection ranges).
	MaxPDFObjects = 1 << 20
	// PDFTimeout bounds the time spent extracting the text of one PDF.
	PDFTimeout = 10 * time.Second
	// MaxDOCXPartSize is the most bytes one part of a DOCX (the main
	// document, a header or a footer) may uncompress to. It is checked
	// while reading, not taken from the archive's headers.
	MaxDOCXPartSize = 16 << 20
	// MaxDOCXParts is the most header and footer parts read from a DOCX
	// besides the main document.
	MaxDOCXParts = 16
)

// ErrNoText is returned, wrapped with the file name, when a file holds no
// extractable text: typically a scanned PDF without a text layer, which
// needs OCR first.
var ErrNoText = errors.New("resume: no text found (a scanned document without a text layer?)")

// ErrFormat is returned, wrapped with the file name and the reason, for a
// file that is not a supported résumé format (PDF, DOCX, plain text,
// Markdown).
var ErrFormat = errors.New("resume: unsupported file format")

// Format is a résumé file format.
type Format string

// The supported formats.
const (
	FormatPDF  Format = "pdf"
	FormatDOCX Format = "docx"
	FormatText Format = "text"
)

// Detect returns the format of a file from its extension, checked against
// its first bytes; with an unknown extension the first bytes decide. It
// returns an error wrapping [ErrFormat] for anything else, naming the file
// and what was found.
func Detect(name string, data []byte) (Format, error) {
	ext := strings.ToLower(extension(name))
	pdfAt := pdfHeader(data)
	isZip := bytes.HasPrefix(data, []byte("PK\x03\x04"))
	switch ext {
	case ".pdf":
		if pdfAt < 0 {
			return "", fmt.Errorf("%s: %w: no %%PDF- header in the first 1024 bytes", name, ErrFormat)
		}
		return FormatPDF, nil
	case ".docx":
		if !isZip {
			return "", fmt.Errorf("%s: %w: a DOCX is a ZIP archive and this is not one", name, ErrFormat)
		}
		return FormatDOCX, nil
	case ".txt", ".text", ".md", ".markdown":
		if pdfAt == 0 || isZip {
			return "", fmt.Errorf("%s: %w: extension %s but the content is binary", name, ErrFormat, ext)
		}
		return FormatText, nil
	case ".doc":
		return "", fmt.Errorf("%s: %w: legacy Word .doc; save it as DOCX or PDF", name, ErrFormat)
	case ".rtf", ".odt", ".pages", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".html", ".htm":
		return "", fmt.Errorf("%s: %w: %s; supported are PDF, DOCX, plain text and Markdown", name, ErrFormat, ext)
	}
	switch {
	case pdfAt >= 0:
		return FormatPDF, nil
	case isZip:
		return FormatDOCX, nil
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "", fmt.Errorf("%s: %w: legacy Word .doc; save it as DOCX or PDF", name, ErrFormat)
	case bytes.HasPrefix(data, []byte("{\\rtf")):
		return "", fmt.Errorf("%s: %w: RTF; save it as DOCX or PDF", name, ErrFormat)
	}
	return FormatText, nil
}

// Text returns the plain text of a résumé file: a PDF, a DOCX, or plain
// text or Markdown. name is used to pick the format (with the first bytes)
// and in errors. Lines are separated by "\n"; PDF pages and DOCX
// paragraphs each end a line. Control characters other than tab and
// newline are dropped, invalid UTF-8 becomes U+FFFD, runs of blanks become
// one space (or a tab when they held a tab or were three or more wide),
// and more than one empty line in a row becomes one.
//
// Text returns an error naming the file and the limit for a file over a
// limit, an error wrapping [ErrFormat] for an unsupported format, and one
// wrapping [ErrNoText] when the file holds no text.
func Text(name string, data []byte) (string, error) {
	if len(data) > MaxFileSize {
		return "", fmt.Errorf("%s: %d bytes, larger than the limit of %d (MaxFileSize)", name, len(data), MaxFileSize)
	}
	f, err := Detect(name, data)
	if err != nil {
		return "", err
	}
	var text string
	switch f {
	case FormatPDF:
		text, err = pdfText(data)
	case FormatDOCX:
		text, err = docxText(data)
	default:
		text, err = plainText(data)
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	text = clean(text)
	if len(text) > MaxTextSize {
		return "", fmt.Errorf("%s: %d bytes of text, more than the limit of %d (MaxTextSize)", name, len(text), MaxTextSize)
	}
	if strings.TrimSpace(text) == "" {
		return "", fmt.Errorf("%s: %w", name, ErrNoText)
	}
	return text, nil
}

// Parse extracts the text of a résumé file with [Text], scans it with
// [FromText] and validates the result. The applicant's ID is
// [IDFromName] of name and its Source the file's base name.
//
// Parse truncates nothing: when a field breaks a limit of the applicant
// model (more than [hiring.MaxContacts] e-mail addresses, an end date before
// its start, …) it returns the zero Applicant and a [*hiring.RecordError]
// for the file wrapping the [*hiring.FieldError] values that name each field
// and limit.
func Parse(name string, data []byte) (hiring.Applicant, error) {
	text, err := Text(name, data)
	if err != nil {
		return hiring.Applicant{}, err
	}
	a := FromText(IDFromName(name), text)
	a.Source = baseName(name)
	if err := a.Validate(); err != nil {
		return hiring.Applicant{}, &hiring.RecordError{Source: a.Source, Err: err}
	}
	return a, nil
}

// IDFromName derives an applicant ID from a file name: the base name
// without its extension, lower-cased, accents removed, every run of
// characters outside [a-z0-9._-] replaced by one "-", at most
// [hiring.MaxIDLen] bytes. A name that leaves nothing ("履歴書.pdf") gets
// "resume-" and a hash of the name, so distinct files keep distinct IDs.
func IDFromName(name string) string {
	base := baseName(name)
	if ext := extension(base); ext != "" && ext != base {
		base = strings.TrimSuffix(base, ext)
	}
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(base) {
		r = unicode.ToLower(r)
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_':
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = true
		}
	}
	id := strings.Trim(b.String(), "-._")
	if len(id) > hiring.MaxIDLen {
		id = strings.TrimRight(id[:hiring.MaxIDLen], "-._")
	}
	if id == "" {
		h := fnv.New64a()
		h.Write([]byte(base))
		id = fmt.Sprintf("resume-%016x", h.Sum64())
	}
	return id
}

// baseName returns the last element of a slash- or backslash-separated
// path, so that Windows upload names work too.
func baseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// extension returns the extension of the base name, with its dot.
func extension(name string) string {
	name = baseName(name)
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// clean drops control characters other than tab and newline, turns
// carriage returns, form feeds and Unicode line separators into newlines,
// replaces invalid UTF-8 with U+FFFD, trims trailing space from each line
// and collapses runs of more than one blank line.
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	blank := 0   // consecutive newlines written
	pending := 0 // spaces held back until a non-space follows
	tab := false // whether a tab is among them
	written := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				continue
			}
			r = '\n'
		case r == '\f', r == '\v', r == '\u2028', r == '\u2029', r == '\u0085':
			r = '\n'
		case r == '\n':
		case r == '\t', r == ' ', r == '\u00a0', r == '\u2007', r == '\u202f':
			pending++
			tab = tab || r == '\t'
			continue
		case r == utf8.RuneError && n == 1:
			r = '\uFFFD'
		case unicode.IsControl(r), r == '\uFEFF', r == '\u200b', r == '\u00ad':
			continue
		}
		if r == '\n' {
			pending, tab = 0, false
			if !written {
				continue
			}
			blank++
			if blank <= 2 {
				b.WriteByte('\n')
			}
			continue
		}
		if pending > 0 && blank == 0 && written {
			// Keep a tab, or a wide gap, as a tab: layouts put dates after
			// one and the field scanner splits on it.
			if tab || pending > 2 {
				b.WriteByte('\t')
			} else {
				b.WriteByte(' ')
			}
		}
		pending, tab = 0, false
		blank = 0
		written = true
		b.WriteRune(r)
	}
	out := b.String()
	return strings.TrimRight(out, "\n") + "\n"
}
