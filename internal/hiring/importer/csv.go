package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// sniffBytes is how much of the input the delimiter is guessed from.
const sniffBytes = 64 << 10

// ReadCSV reads a CSV export with a header row. The delimiter (",", ";" or
// tab) is taken from the header line; a UTF-8 byte order mark is skipped
// and UTF-16 with a byte order mark is decoded. opts.Mapping says which
// columns fill which field; when nil, [DetectLayout] picks a built-in layout.
//
// A row that cannot be used (malformed quoting, a different number of fields
// than the header, a bad value) becomes one entry in Result.Errors, numbered
// as a spreadsheet numbers rows (the header is row 1), and the rest are read
// on. Rows with every field empty are skipped and not counted. ReadCSV
// returns an error, and no applicants, only when the input as a whole is
// unusable: it is empty, its header has no id, name or e-mail column, it
// cannot be read, or it is over a limit ([LimitError]).
func ReadCSV(r io.Reader, source string, opts Options) (Result, error) {
	res, err := newRun(opts).readCSV(r, source)
	if err != nil {
		return Result{}, fmt.Errorf("import %s: %w", source, err)
	}
	return res, nil
}

// readCSV reads one CSV input; its errors do not name the source.
func (run *run) readCSV(r io.Reader, source string) (Result, error) {
	in := run.newInput(source)
	br := bufio.NewReaderSize(newLimitReader(r, run.opts.MaxFileBytes, source), sniffBytes)
	text := crLines(textReader(br))
	cr := csv.NewReader(text)
	cr.Comma = sniffDelimiter(text)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true

	rec, err := cr.Read()
	switch {
	case err == io.EOF:
		return Result{}, errors.New("no header: the input is empty")
	case err != nil:
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			return Result{}, fmt.Errorf("read header: %w", csvSyntax(pe))
		}
		return Result{}, err
	}
	header := make([]string, len(rec))
	for i, h := range rec {
		header[i] = strings.TrimSpace(h)
	}
	// Row numbers: physical line of the row's start, less the line breaks
	// inside quoted fields of the rows before it.
	start, _ := cr.FieldPos(0)
	extra := recordEnd(cr, rec) - start

	m := run.opts.Mapping
	if m == nil {
		name, ok := DetectLayout(header)
		if !ok {
			return Result{}, fmt.Errorf("header matches no built-in layout (%s): none finds an id, name or e-mail column in %s; give a mapping file",
				strings.Join(layoutOrder, ", "), quoteHeader(header))
		}
		l, _ := LayoutByName(name)
		m = &l
	}
	p := m.resolve(header)
	if !p.identifies() {
		return Result{}, errors.New(m.missingMessage(header))
	}

	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			pe, ok := errors.AsType[*csv.ParseError](err)
			if !ok {
				return Result{}, err
			}
			row := pe.StartLine - extra
			extra += pe.Line - pe.StartLine
			if err := in.count(); err != nil {
				return Result{}, err
			}
			in.reject(row, csvSyntax(pe))
			continue
		}
		start, _ := cr.FieldPos(0)
		row := start - extra
		extra += recordEnd(cr, rec) - start
		if blankRecord(rec) {
			continue
		}
		if err := in.count(); err != nil {
			return Result{}, err
		}
		if len(rec) != len(header) {
			in.reject(row, fmt.Errorf("%d fields, but the header has %d", len(rec), len(header)))
			continue
		}
		in.csvRecord(p, rec, row)
	}
	return in.commit(), nil
}

// recordEnd returns the line on which the record last read ends.
func recordEnd(cr *csv.Reader, rec []string) int {
	last := len(rec) - 1
	line, _ := cr.FieldPos(last)
	return line + strings.Count(rec[last], "\n")
}

func blankRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func csvSyntax(pe *csv.ParseError) error {
	if pe.Line > pe.StartLine {
		return fmt.Errorf("malformed CSV at line %d, column %d (row starts on line %d): %w", pe.Line, pe.Column, pe.StartLine, pe.Err)
	}
	return fmt.Errorf("malformed CSV at line %d, column %d: %w", pe.Line, pe.Column, pe.Err)
}

// textReader skips a UTF-8 byte order mark, or decodes UTF-16 that starts
// with one.
func textReader(br *bufio.Reader) *bufio.Reader {
	b, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(b, utf8BOM):
		_, _ = br.Discard(3)
		return br
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		return bufio.NewReaderSize(transform.NewReader(br, dec), sniffBytes)
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		dec := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
		return bufio.NewReaderSize(transform.NewReader(br, dec), sniffBytes)
	}
	return br
}

// crLines makes a file whose lines end in CR alone (old Mac spreadsheet
// exports) readable: when the start of the input has a CR but no LF, every
// CR becomes LF.
func crLines(br *bufio.Reader) *bufio.Reader {
	b, _ := br.Peek(sniffBytes)
	if bytes.IndexByte(b, '\n') >= 0 || bytes.IndexByte(b, '\r') < 0 {
		return br
	}
	return bufio.NewReaderSize(crToLF{br}, sniffBytes)
}

// crToLF replaces every CR read with LF.
type crToLF struct{ r io.Reader }

// Read reads and replaces.
func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// sniffDelimiter picks the delimiter that occurs most often, outside
// quotes, in the first line: ",", ";" or tab; "," on a tie or when none
// occurs.
func sniffDelimiter(br *bufio.Reader) rune {
	b, _ := br.Peek(sniffBytes)
	var comma, semi, tab int
	quoted := false
	for _, c := range b {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if c == '\n' {
			break
		}
		switch c {
		case ',':
			comma++
		case ';':
			semi++
		case '\t':
			tab++
		}
	}
	switch {
	case semi > comma && semi >= tab:
		return ';'
	case tab > comma && tab > semi:
		return '\t'
	}
	return ','
}

// csvRecord converts one CSV row with the columns of p.
func (in *input) csvRecord(p *plan, rec []string, row int) {
	var b builder
	cell := func(fx, col int) string {
		v := strings.TrimSpace(rec[col])
		if !utf8.ValidString(v) {
			b.fail(string(fieldTable[fx].f), "column %q: not valid UTF-8 (export the file as UTF-8)", clip(p.header[col], 40))
			return ""
		}
		return v
	}
	text := func(fx int) string {
		for _, col := range p.cols[fx] {
			if v := cell(fx, col); v != "" {
				return v
			}
		}
		return ""
	}
	a := &b.a
	a.ID = text(fxID)
	a.Name = text(fxName)
	if a.Name == "" {
		a.Name = joinNonEmpty(" ", text(fxFirstName), text(fxLastName))
	}
	for _, col := range p.cols[fxEmails] {
		b.addEmails(cell(fxEmails, col))
	}
	for _, col := range p.cols[fxPhones] {
		b.addPhones(cell(fxPhones, col))
	}
	for _, col := range p.cols[fxLinks] {
		b.addLinks(cell(fxLinks, col))
	}
	a.Position = text(fxPosition)
	a.ClaimedLocation = text(fxClaimedLocation)
	if a.ClaimedLocation == "" {
		a.ClaimedLocation = joinNonEmpty(", ", text(fxCity), text(fxRegion), text(fxCountry))
	}
	a.ShippingAddress = text(fxShippingAddress)
	addrCity, addrRegion, addrCountry := text(fxAddressCity), text(fxAddressRegion), text(fxAddressCountry)
	if a.ShippingAddress == "" {
		a.ShippingAddress = joinNonEmpty(", ", text(fxAddressLine1), text(fxAddressLine2), addrCity,
			joinNonEmpty(" ", addrRegion, text(fxAddressPostal)), addrCountry)
	}
	if a.ClaimedLocation == "" {
		a.ClaimedLocation = joinNonEmpty(", ", addrCity, addrRegion, addrCountry)
	}
	b.setIP(text(fxApplicationIP))
	a.UserAgent = text(fxUserAgent)
	b.setAppliedAt(text(fxAppliedAt))
	for _, col := range p.cols[fxEducation] {
		b.addHistory(false, cell(fxEducation, col))
	}
	for _, e := range p.edu {
		var parts [numParts]string
		for k, col := range e.part {
			if col >= 0 {
				parts[k] = cell(fxEduInstitution+k, col)
			}
		}
		b.addEntry(false, &parts)
	}
	for _, col := range p.cols[fxEmployment] {
		b.addHistory(true, cell(fxEmployment, col))
	}
	for _, e := range p.emp {
		var parts [numParts]string
		for k, col := range e.part {
			if col >= 0 {
				parts[k] = cell(fxEmpEmployer+k, col)
			}
		}
		b.addEntry(true, &parts)
	}
	a.ResumeText = text(fxResumeText)
	for _, col := range p.cols[fxPhotoHashes] {
		b.addPhotoHashes(cell(fxPhotoHashes, col))
	}
	in.accept(&b, row, in.label+" row "+itoa(row), row, false)
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	n := 0
	for _, p := range parts {
		if p != "" {
			parts[n] = p
			n++
		}
	}
	return strings.Join(parts[:n], sep)
}
