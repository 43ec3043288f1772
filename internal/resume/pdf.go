package resume

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/ascii85"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ledongthuc/pdf"
)

// Guards on PDF structure that are not worth a public limit: deeper or
// larger structures do not occur in real files.
const (
	maxTreeDepth   = 32  // page tree and resource inheritance depth
	maxFormDepth   = 8   // form XObjects drawn inside form XObjects
	maxFormsOnPage = 256 // form XObjects drawn on one page
	maxGStateDepth = 64  // nested q operators honoured
	maxCIDWidths   = 1 << 16
	opsPerCheck    = 1024 // content operators between deadline checks
	maxCallDepth   = 4096 // call frames under a read of the file (see guardedFile)
	maxRunaway     = 4    // extractions still running past their deadline before PDFs are refused
)

// runaway counts PDF extractions that are still running after their call
// returned at the deadline. It is process-wide because the CPU they hold
// is: while maxRunaway of them run, further PDFs are refused with an error
// rather than piling up more.
var runaway atomic.Int32

// pdfHeader returns the offset of "%PDF-" in the first 1024 bytes of data,
// where readers look for it, or -1.
func pdfHeader(data []byte) int {
	head := data[:min(len(data), 1024)]
	return bytes.Index(head, []byte("%PDF-"))
}

// abort carries an error out of the PDF library's callbacks by panic; the
// recover in extractPDF turns it back into the error.
type abort struct{ err error }

// pdfText returns the text of a PDF within PDFTimeout.
func pdfText(data []byte) (string, error) {
	return pdfTextWithin(data, PDFTimeout)
}

// pdfTextWithin checks the PDF's structure against the limits, then
// extracts its text in a goroutine so that it can give up after timeout.
//
// The goroutine is owned by this call through ctx: on the deadline the
// call returns at once, and the goroutine stops at its next read of the
// file or its next content operator, both of which check ctx. A single
// library call that computes without reading (decoding one string through
// a huge character map) runs to its end first; such calls are bounded by
// the size limits checked before extraction starts.
func pdfTextWithin(data []byte, timeout time.Duration) (string, error) {
	data, err := preparePDF(data)
	if err != nil {
		return "", err
	}
	if n := runaway.Load(); n >= maxRunaway {
		return "", fmt.Errorf("%d earlier PDF extractions are still running past PDFTimeout; not starting another", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	type result struct {
		text string
		err  error
	}
	done := make(chan result, 1) // buffered: the goroutine never blocks on a caller that left
	var left atomic.Bool         // the caller returned at the deadline
	go func() {
		t, err := extractPDF(ctx, data)
		done <- result{t, err}
		if left.Load() {
			runaway.Add(-1)
		}
	}()
	select {
	case r := <-done:
		return r.text, r.err
	case <-ctx.Done():
		runaway.Add(1)
		left.Store(true)
		select {
		case <-done: // finished in between: not a runaway after all
			if left.CompareAndSwap(true, false) {
				runaway.Add(-1)
			}
		default:
		}
		return "", fmt.Errorf("PDF text extraction took longer than %v (PDFTimeout)", timeout)
	}
}

// preparePDF starts the data at its %PDF- header and ends it after the
// last %%EOF, presents a PDF 2.0 header as 1.7 to the library (which reads
// only 1.x, and reads 2.0 files the same way), and rejects files over the
// structural limits or encrypted ones.
func preparePDF(data []byte) ([]byte, error) {
	at := pdfHeader(data)
	if at < 0 {
		return nil, fmt.Errorf("%w: no %%PDF- header", ErrFormat)
	}
	data = data[at:]
	if i := bytes.LastIndex(data, []byte("%%EOF")); i >= 0 {
		data = data[:i+5]
	}
	if len(data) < 9 {
		return nil, errors.New("open PDF: truncated file")
	}
	if !(data[5] == '1' && data[6] == '.' && data[7] >= '0' && data[7] <= '7' && (data[8] == '\r' || data[8] == '\n')) {
		data = bytes.Clone(data)
		copy(data[5:9], "1.7\n")
	}
	if hasName(data, "Encrypt") {
		return nil, errors.New("encrypted PDF: not read, because its compressed streams cannot be checked against MaxPDFStreamSize before parsing; save or print it as an unencrypted PDF")
	}
	if unterminatedHex(data[bytes.LastIndexByte(data, '>')+1:]) {
		return nil, errors.New("malformed PDF: a hex string is not closed before the end of the file")
	}
	if err := checkPDFNumbers(data); err != nil {
		return nil, err
	}
	if err := checkPDFStreams(data); err != nil {
		return nil, err
	}
	return data, nil
}

// hasName reports whether the PDF name /key occurs in data as a whole name.
func hasName(data []byte, key string) bool {
	return nameAt(data, key, 0) >= 0
}

// nameAt returns the offset just past the next whole occurrence of the name
// /key at or after from, or -1.
func nameAt(data []byte, key string, from int) int {
	pat := "/" + key
	for from < len(data) {
		i := bytes.Index(data[from:], []byte(pat))
		if i < 0 {
			return -1
		}
		end := from + i + len(pat)
		if end >= len(data) || isPDFSpace(data[end]) || isPDFDelim(data[end]) {
			return end
		}
		from = end
	}
	return -1
}

func isPDFSpace(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

func isPDFDelim(c byte) bool {
	switch c {
	case '<', '>', '(', ')', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// pdfInts reads the integers at data[i:]: one integer, or a flat array of
// them. It stops at anything else; nested reports a '[' inside the array.
func pdfInts(data []byte, i int) (ints []int64, nested bool) {
	skip := func() {
		for i < len(data) && isPDFSpace(data[i]) {
			i++
		}
	}
	num := func() (int64, bool) {
		j := i
		if j < len(data) && (data[j] == '-' || data[j] == '+') {
			j++
		}
		k := j
		for k < len(data) && data[k] >= '0' && data[k] <= '9' {
			k++
		}
		if k == j || (k < len(data) && data[k] == '.') {
			return 0, false
		}
		v, err := strconv.ParseInt(string(data[i:k]), 10, 64)
		if err != nil {
			v = math.MaxInt64 // out of range counts as huge
			if data[i] == '-' {
				v = math.MinInt64
			}
		}
		i = k
		return v, true
	}
	skip()
	if i >= len(data) {
		return nil, false
	}
	if data[i] != '[' {
		if v, ok := num(); ok {
			return []int64{v}, false
		}
		return nil, false
	}
	i++
	for len(ints) < 1<<16 {
		skip()
		if i >= len(data) || data[i] == ']' {
			break
		}
		if data[i] == '[' {
			return ints, true
		}
		v, ok := num()
		if !ok {
			break
		}
		ints = append(ints, v)
	}
	return ints, false
}

// checkPDFNumbers rejects numbers in cross-reference data that would make
// the library allocate without bound: /Size, /Index and xref subsection
// ranges beyond MaxPDFObjects, /W entry widths and predictor /Columns that
// size buffers.
func checkPDFNumbers(data []byte) error {
	tooMany := func(what string, v int64) error {
		return fmt.Errorf("open PDF: %s %d, more than the limit of %d objects (MaxPDFObjects)", what, v, MaxPDFObjects)
	}
	for at := nameAt(data, "Size", 0); at >= 0; at = nameAt(data, "Size", at) {
		if v, nested := pdfInts(data, at); len(v) == 1 && !nested && (v[0] > MaxPDFObjects || v[0] < 0) {
			return tooMany("/Size", v[0])
		}
	}
	for at := nameAt(data, "Index", 0); at >= 0; at = nameAt(data, "Index", at) {
		v, _ := pdfInts(data, at)
		for _, x := range v {
			if x > MaxPDFObjects || x < 0 {
				return tooMany("/Index entry", x)
			}
		}
	}
	const maxBuffer = 1 << 20 // bytes of a row buffer the library allocates
	for at := nameAt(data, "W", 0); at >= 0; at = nameAt(data, "W", at) {
		v, nested := pdfInts(data, at)
		if nested || len(v) < 2 {
			continue // a CIDFont's /W, not a cross-reference stream's
		}
		var sum int64
		for _, x := range v {
			if x < 0 || x > maxBuffer {
				return fmt.Errorf("open PDF: /W entry %d outside 0–%d", x, maxBuffer)
			}
			sum += x
		}
		if sum > 64*maxBuffer {
			return fmt.Errorf("open PDF: /W entries add up to %d, more than %d", sum, 64*maxBuffer)
		}
	}
	if err := checkInflated(data); err != nil {
		return fmt.Errorf("open PDF: %w", err)
	}
	// Cross-reference tables: "xref", then subsections "start count" each
	// followed by count entries of three tokens. The entries skipped over
	// all tables are bounded, so that many "xref" words cannot make this
	// check quadratic.
	budget := int64(3 * MaxPDFObjects)
	for from := 0; ; {
		i := bytes.Index(data[from:], []byte("xref"))
		if i < 0 {
			break
		}
		i += from
		from = i + 4
		if i > 0 && !isPDFSpace(data[i-1]) || from >= len(data) || !isPDFSpace(data[from]) {
			continue // "startxref", or "xref" inside other text
		}
		for j := from; ; {
			v, _ := pdfInts(data, j)
			if len(v) != 1 {
				break
			}
			start := v[0]
			j = skipToken(data, j)
			n, _ := pdfInts(data, j)
			if len(n) != 1 {
				break
			}
			j = skipToken(data, j)
			if start < 0 || start > MaxPDFObjects || n[0] < 0 || n[0] > MaxPDFObjects || start+n[0] > MaxPDFObjects {
				return tooMany("cross-reference subsection ending at object", start+n[0])
			}
			if budget -= 3 * n[0]; budget < 0 {
				return fmt.Errorf("open PDF: cross-reference tables list more than %d entries (MaxPDFObjects)", MaxPDFObjects)
			}
			for k := int64(0); k < 3*n[0] && j < len(data); k++ {
				j = skipToken(data, j)
			}
		}
	}
	return nil
}

// skipToken returns the offset after the whitespace-separated token at or
// after data[i:].
func skipToken(data []byte, i int) int {
	for i < len(data) && isPDFSpace(data[i]) {
		i++
	}
	for i < len(data) && !isPDFSpace(data[i]) {
		i++
	}
	return i
}

// checkPDFStreams inflates every Flate-compressed stream of the file (also
// under ASCII85) once, without keeping the output, and rejects the file if
// one inflates past MaxPDFStreamSize or all of them past MaxPDFInflated.
// Each stream is inflated from its "stream" keyword to wherever its own
// compressed data ends, whatever /Length says.
func checkPDFStreams(data []byte) error {
	var total int64
	var out bytes.Buffer
	for from := 0; ; {
		i := bytes.Index(data[from:], []byte("stream"))
		if i < 0 {
			return nil
		}
		i += from
		from = i + len("stream")
		if i >= 3 && string(data[i-3:i]) == "end" {
			continue
		}
		start := from
		switch {
		case start+1 < len(data) && data[start] == '\r' && data[start+1] == '\n':
			start += 2
		case start < len(data) && (data[start] == '\n' || data[start] == '\r'):
			start++
		default:
			continue
		}
		out.Reset()
		n, err := inflate(data[start:], min(MaxPDFStreamSize, MaxPDFInflated-total)+1, &out)
		if err != nil {
			continue // not compressed data this check understands
		}
		if err := checkInflated(out.Bytes()); err != nil {
			return fmt.Errorf("open PDF: in the stream at offset %d: %w", i, err)
		}
		if hdr := data[max(0, i-4096):i]; bytes.Contains(hdr[bytes.LastIndex(hdr, []byte(" obj"))+1:], []byte("/ObjStm")) &&
			unterminatedHex(out.Bytes()) {
			return fmt.Errorf("open PDF: malformed object stream at offset %d: a hex string is not closed before its end", i)
		}
		if n > MaxPDFStreamSize {
			return fmt.Errorf("open PDF: the stream at offset %d inflates to more than %d bytes (MaxPDFStreamSize)", i, MaxPDFStreamSize)
		}
		if total += n; total > MaxPDFInflated {
			return fmt.Errorf("open PDF: compressed streams inflate to more than %d bytes (MaxPDFInflated)", MaxPDFInflated)
		}
	}
}

// inflate writes what the zlib data at the start of raw, or the ASCII85
// text there that holds zlib data, inflates to, at most limit bytes, and
// returns the count. The error is non-nil only when raw starts with
// neither.
func inflate(raw []byte, limit int64, out *bytes.Buffer) (int64, error) {
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		a := ascii85.NewDecoder(&ascii85Text{r: raw})
		zr, err = zlib.NewReader(a)
		if err != nil {
			return 0, err
		}
	}
	n, _ := out.ReadFrom(io.LimitReader(zr, limit))
	return n, nil
}

// checkInflated applies to an inflated stream (an object stream may hold
// the dictionaries the library reads) the checks on numbers that size its
// loops and buffers: predictor /Columns and an object stream's /N.
func checkInflated(data []byte) error {
	for _, key := range [...]string{"Columns", "N"} {
		for at := nameAt(data, key, 0); at >= 0; at = nameAt(data, key, at) {
			if v, _ := pdfInts(data, at); len(v) == 1 && (v[0] < 0 || v[0] > MaxPDFObjects) {
				return fmt.Errorf("/%s %d outside 0–%d", key, v[0], MaxPDFObjects)
			}
		}
	}
	return nil
}

// ascii85Text yields the ASCII85 characters of an ASCII85Decode stream,
// dropping whitespace as the library does, up to the "~>" end marker.
type ascii85Text struct {
	r   []byte
	end bool
}

// Read copies ASCII85 characters into p.
func (a *ascii85Text) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && !a.end && len(a.r) > 0 {
		c := a.r[0]
		a.r = a.r[1:]
		switch {
		case c == '~':
			a.end = true
		case c >= '!' && c <= 'u', c == 'z':
			p[n] = c
			n++
		case isPDFSpace(c):
		default:
			a.end = true
		}
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// unterminatedHex reports whether data, read as PDF tokens, has a hex
// string "<…" that no ">" closes. The library's lexer reads such a string
// forever, because it reads past the end of a stream as newlines; so such
// data must never reach it.
func unterminatedHex(data []byte) bool {
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '%':
			for i < len(data) && data[i] != '\n' && data[i] != '\r' {
				i++
			}
		case '(':
			i = literalEnd(data, i)
		case '<':
			if i+1 < len(data) && data[i+1] == '<' {
				i++
				continue
			}
			j := bytes.IndexByte(data[i+1:], '>')
			if j < 0 {
				return true
			}
			i += j + 1
		}
	}
	return false
}

// guardedFile gives the library the PDF's bytes and stops it, by failing
// the read, once ctx is done or the call stack under the read is deeper
// than maxCallDepth frames. The library re-reads the file for every object
// it resolves, so a loop of its own ends at the deadline, and a resolution
// that recurses (an object stream whose /Length lies inside itself) ends
// long before it could exhaust the goroutine's stack.
type guardedFile struct {
	ctx  context.Context
	data []byte
	pcs  [maxCallDepth]uintptr
}

// errTooDeep stops a runaway recursion in the library.
var errTooDeep = fmt.Errorf("malformed PDF: object references nested deeper than %d calls", maxCallDepth)

// ReadAt reads the file like bytes.Reader.ReadAt, unless ctx is done or
// the stack is too deep.
func (g *guardedFile) ReadAt(p []byte, off int64) (int, error) {
	if err := g.ctx.Err(); err != nil {
		return 0, err
	}
	if runtime.Callers(0, g.pcs[:]) == len(g.pcs) {
		return 0, errTooDeep
	}
	if off < 0 || off >= int64(len(g.data)) {
		return 0, io.EOF
	}
	n := copy(p, g.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// extractPDF opens the PDF and returns the text of its pages, turning any
// panic of the library into an error.
func extractPDF(ctx context.Context, data []byte) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			if a, ok := r.(abort); ok {
				err = a.err
				return
			}
			if ctx.Err() != nil {
				err = ctx.Err()
				return
			}
			err = fmt.Errorf("malformed PDF: %v", r)
		}
	}()
	r, err := pdf.NewReader(&guardedFile{ctx: ctx, data: data}, int64(len(data)))
	if err != nil {
		if errors.Is(err, pdf.ErrInvalidPassword) {
			return "", errors.New("password-protected PDF")
		}
		return "", fmt.Errorf("open PDF: %w", err)
	}
	if !r.Trailer().Key("Encrypt").IsNull() {
		return "", errors.New("encrypted PDF: save or print it as an unencrypted PDF")
	}
	var pages []pdf.Value
	if err := collectPages(r.Trailer().Key("Root").Key("Pages"), 0, &pages); err != nil {
		return "", err
	}
	x := &extractor{ctx: ctx}
	for i, p := range pages {
		if err := x.page(p); err != nil {
			return "", fmt.Errorf("page %d: %w", i+1, err)
		}
	}
	return x.out.String(), nil
}

// collectPages appends the leaves of the page tree under node, failing past
// MaxPages pages or maxTreeDepth levels (a cycle in a malformed tree ends
// there too).
func collectPages(node pdf.Value, depth int, pages *[]pdf.Value) error {
	if depth > maxTreeDepth {
		return fmt.Errorf("malformed PDF: page tree deeper than %d levels", maxTreeDepth)
	}
	kids := node.Key("Kids")
	if node.Key("Type").Name() == "Page" || (kids.Kind() != pdf.Array && depth > 0) {
		if len(*pages) == MaxPages {
			return fmt.Errorf("more than %d pages (MaxPages)", MaxPages)
		}
		*pages = append(*pages, node)
		return nil
	}
	for i := 0; i < kids.Len(); i++ {
		if err := collectPages(kids.Index(i), depth+1, pages); err != nil {
			return err
		}
	}
	return nil
}

// inherited returns the page attribute key, looking up the page tree.
func inherited(page pdf.Value, key string) pdf.Value {
	v := page
	for range maxTreeDepth {
		if v.IsNull() {
			break
		}
		if r := v.Key(key); !r.IsNull() {
			return r
		}
		v = v.Key("Parent")
	}
	return pdf.Value{}
}

// fontInfo is what text extraction needs of one font: how to decode its
// strings and how wide their glyphs are.
type fontInfo struct {
	enc     pdf.TextEncoding
	twoByte bool            // Type0: two-byte codes
	first   int             // first code of widths
	widths  []float64       // glyph widths in 1/1000 em from /Widths
	cid     map[int]float64 // Type0 widths from the descendant's /W
	cidDW   float64         // Type0 default width
	std     *[95]uint16     // standard-14 metrics for codes 32–126, when no /Widths
}

// newFontInfo reads a font dictionary.
func newFontInfo(v pdf.Value) *fontInfo {
	fi := &fontInfo{twoByte: v.Key("Subtype").Name() == "Type0"}
	fi.enc = fontEncoder(v, fi.twoByte)
	if fi.twoByte {
		d := v.Key("DescendantFonts").Index(0)
		fi.cidDW = 1000
		if dw := d.Key("DW"); dw.Kind() == pdf.Integer || dw.Kind() == pdf.Real {
			fi.cidDW = dw.Float64()
		}
		fi.cid = cidWidths(d.Key("W"))
		return fi
	}
	fi.first = int(v.Key("FirstChar").Int64())
	w := v.Key("Widths")
	if n := w.Len(); n > 0 && n <= 256 {
		fi.widths = make([]float64, n)
		for i := range n {
			fi.widths[i] = w.Index(i).Float64()
		}
		return fi
	}
	base := v.Key("BaseFont").Name()
	switch {
	case strings.Contains(base, "Times"):
		fi.std = &timesWidths
	case strings.Contains(base, "Courier"):
		fi.std = &courierWidths
	default:
		fi.std = &helveticaWidths
	}
	return fi
}

// fontEncoder returns how to decode the font's strings: its ToUnicode map
// when it has one (parsed by readCMap), else the library's reading of its
// /Encoding. The library is never handed a ToUnicode map to parse.
func fontEncoder(v pdf.Value, twoByte bool) pdf.TextEncoding {
	width := 1
	if twoByte {
		width = 2
	}
	if tu := v.Key("ToUnicode"); tu.Kind() == pdf.Stream {
		if m := readCMap(tu, width); m != nil {
			return m
		}
		return latin1{}
	}
	f := pdf.Font{V: v}
	return f.Encoder()
}

// latin1 decodes each byte as the code point of the same number: the
// fallback for a font whose ToUnicode map could not be read.
type latin1 struct{}

// Decode implements pdf.TextEncoding.
func (latin1) Decode(raw string) string {
	r := make([]rune, len(raw))
	for i := range len(raw) {
		r[i] = rune(raw[i])
	}
	return string(r)
}

// cidWidths reads a CIDFont /W array: "c [w1 w2 …]" and "cfirst clast w".
func cidWidths(w pdf.Value) map[int]float64 {
	m := map[int]float64{}
	for i := 0; i < w.Len() && len(m) < maxCIDWidths; {
		c := int(w.Index(i).Int64())
		next := w.Index(i + 1)
		if next.Kind() == pdf.Array {
			for j := 0; j < next.Len() && len(m) < maxCIDWidths; j++ {
				m[c+j] = next.Index(j).Float64()
			}
			i += 2
			continue
		}
		last := int(next.Int64())
		width := w.Index(i + 2).Float64()
		for c2 := c; c2 <= last && len(m) < maxCIDWidths; c2++ {
			m[c2] = width
		}
		i += 3
	}
	return m
}

// width returns the width of the string's glyphs in 1/1000 em and the
// number of single-byte spaces (for word spacing).
func (f *fontInfo) width(raw string) (w float64, spaces int) {
	if f.twoByte {
		for i := 0; i+1 < len(raw); i += 2 {
			c := int(raw[i])<<8 | int(raw[i+1])
			if cw, ok := f.cid[c]; ok {
				w += cw
			} else {
				w += f.cidDW
			}
		}
		return w, 0
	}
	for i := 0; i < len(raw); i++ {
		c := int(raw[i])
		if c == ' ' {
			spaces++
		}
		switch {
		case f.widths != nil:
			if j := c - f.first; j >= 0 && j < len(f.widths) {
				w += f.widths[j]
			}
		case f.std != nil && c >= 32 && c <= 126:
			w += float64(f.std[c-32])
		default:
			w += 500
		}
	}
	return w, spaces
}

// matrix is a PDF transformation matrix [a b c d e f].
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m×n: m applied first, then n.
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2],
		m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2],
		m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4],
		m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

// gstate is the part of the graphics and text state that positions text.
type gstate struct {
	ctm                 matrix
	tc, tw, th, tl, tfs float64
	rise                float64
	font                *fontInfo
}

// extractor builds lines of text from the text-showing operators of
// content streams, in the order they are drawn. A new line starts when the
// baseline moves by more than half the font size; within a line a gap
// wider than 0.2 em becomes a space and one wider than 2 em a tab.
type extractor struct {
	ctx context.Context
	out strings.Builder
	ops int

	// Current line.
	line     strings.Builder
	haveLine bool
	lineY    float64
	lineEndX float64
	lineSize float64
	forms    int
}

// page appends one page's text.
func (x *extractor) page(p pdf.Value) error {
	x.forms = 0
	res := inherited(p, "Resources")
	g := gstate{ctm: identity, th: 1}
	if err := x.run(p.Key("Contents"), res, g, 0); err != nil {
		return err
	}
	x.endLine()
	return nil
}

// run interprets one content stream (or array of streams) with the given
// resources.
func (x *extractor) run(contents, res pdf.Value, g gstate, depth int) (err error) {
	if contents.Kind() != pdf.Stream && contents.Kind() != pdf.Array {
		return nil
	}
	// Read the stream once first: data the library's lexer cannot finish
	// must not reach it (see unterminatedHex).
	var streams []pdf.Value
	if contents.Kind() == pdf.Array {
		for i := 0; i < contents.Len(); i++ {
			streams = append(streams, contents.Index(i))
		}
	} else {
		streams = []pdf.Value{contents}
	}
	var all []byte
	for _, st := range streams {
		if st.Kind() != pdf.Stream {
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(st.Reader(), MaxPDFStreamSize+1))
		all = append(all, b...)
		all = append(all, '\n')
		if len(all) > MaxPDFStreamSize {
			return fmt.Errorf("content stream longer than %d bytes (MaxPDFStreamSize)", MaxPDFStreamSize)
		}
	}
	if unterminatedHex(all) {
		return errors.New("malformed content stream: a hex string is not closed before its end")
	}
	fontRes := res.Key("Font")
	fonts := map[string]*fontInfo{}
	var stack []gstate
	var tm, tlm matrix
	args := make([]pdf.Value, 0, 8)
	defer func() {
		if r := recover(); r != nil {
			if a, ok := r.(abort); ok {
				err = a.err
				return
			}
			if x.ctx.Err() != nil {
				err = x.ctx.Err()
				return
			}
			err = fmt.Errorf("malformed content stream: %v", r)
		}
	}()
	pdf.Interpret(contents, func(stk *pdf.Stack, op string) {
		x.ops++
		if x.ops%opsPerCheck == 0 {
			if err := x.ctx.Err(); err != nil {
				panic(abort{err})
			}
		}
		n := stk.Len()
		args = args[:0]
		for range n {
			args = append(args, pdf.Value{})
		}
		for i := n - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		num := func(i int) float64 {
			if i < len(args) {
				return args[i].Float64()
			}
			return 0
		}
		want := func(k int) bool { return len(args) >= k }
		switch op {
		case "q":
			if len(stack) < maxGStateDepth {
				stack = append(stack, g)
			}
		case "Q":
			if len(stack) > 0 {
				g = stack[len(stack)-1]
				stack = stack[:len(stack)-1]
			}
		case "cm":
			if want(6) {
				g.ctm = matrix{num(0), num(1), num(2), num(3), num(4), num(5)}.mul(g.ctm)
			}
		case "BT":
			tm, tlm = identity, identity
		case "Tc":
			g.tc = num(0)
		case "Tw":
			g.tw = num(0)
		case "Tz":
			g.th = num(0) / 100
		case "TL":
			g.tl = num(0)
		case "Ts":
			g.rise = num(0)
		case "Tf":
			if want(2) {
				name := args[0].Name()
				f, ok := fonts[name]
				if !ok {
					f = newFontInfo(fontRes.Key(name))
					if len(fonts) < 256 {
						fonts[name] = f
					}
				}
				g.font = f
				g.tfs = num(1)
			}
		case "Td", "TD":
			if want(2) {
				if op == "TD" {
					g.tl = -num(1)
				}
				tlm = matrix{1, 0, 0, 1, num(0), num(1)}.mul(tlm)
				tm = tlm
			}
		case "Tm":
			if want(6) {
				tlm = matrix{num(0), num(1), num(2), num(3), num(4), num(5)}
				tm = tlm
			}
		case "T*":
			tlm = matrix{1, 0, 0, 1, 0, -g.tl}.mul(tlm)
			tm = tlm
		case "Tj", "'", "\"":
			if len(args) == 0 {
				return
			}
			if op != "Tj" {
				if op == "\"" && want(3) {
					g.tw, g.tc = num(0), num(1)
				}
				tlm = matrix{1, 0, 0, 1, 0, -g.tl}.mul(tlm)
				tm = tlm
			}
			tm = x.show(args[len(args)-1].RawString(), tm, &g)
		case "TJ":
			if len(args) == 0 {
				return
			}
			a := args[len(args)-1]
			for i := 0; i < a.Len(); i++ {
				e := a.Index(i)
				if e.Kind() == pdf.String {
					tm = x.show(e.RawString(), tm, &g)
				} else {
					tx := -e.Float64() / 1000 * g.tfs * g.th
					tm = matrix{1, 0, 0, 1, tx, 0}.mul(tm)
				}
			}
		case "Do":
			if want(1) && depth < maxFormDepth && x.forms < maxFormsOnPage {
				x.form(res, args[0].Name(), g, depth)
			}
		}
	})
	return nil
}

// form draws the form XObject name of the resources.
func (x *extractor) form(res pdf.Value, name string, g gstate, depth int) {
	xo := res.Key("XObject").Key(name)
	if xo.Kind() != pdf.Stream || xo.Key("Subtype").Name() != "Form" {
		return
	}
	x.forms++
	if m := xo.Key("Matrix"); m.Len() == 6 {
		g.ctm = matrix{m.Index(0).Float64(), m.Index(1).Float64(), m.Index(2).Float64(),
			m.Index(3).Float64(), m.Index(4).Float64(), m.Index(5).Float64()}.mul(g.ctm)
	}
	formRes := xo.Key("Resources")
	if formRes.IsNull() {
		formRes = res
	}
	if err := x.run(xo, formRes, g, depth+1); err != nil {
		panic(abort{err})
	}
}

// show places one string and returns the text matrix after it.
func (x *extractor) show(raw string, tm matrix, g *gstate) matrix {
	if g.font == nil {
		g.font = &fontInfo{enc: latin1{}, std: &helveticaWidths}
	}
	trm := matrix{g.tfs * g.th, 0, 0, g.tfs, 0, g.rise}.mul(tm).mul(g.ctm)
	size := math.Hypot(trm[2], trm[3])
	if size < 0.1 || math.IsNaN(size) || math.IsInf(size, 0) {
		size = 1
	}
	s := g.font.enc.Decode(raw)
	w, spaces := g.font.width(raw)
	glyphs := len(raw)
	if g.font.twoByte {
		glyphs /= 2
	}
	tx := (w/1000*g.tfs + g.tc*float64(glyphs) + g.tw*float64(spaces)) * g.th
	next := matrix{1, 0, 0, 1, tx, 0}.mul(tm)
	end := matrix{g.tfs * g.th, 0, 0, g.tfs, 0, g.rise}.mul(next).mul(g.ctm)
	x.place(s, trm[4], trm[5], end[4], size)
	return next
}

// place adds text drawn from (x0, y) to xEnd in a font of the given size.
func (x *extractor) place(s string, x0, y, xEnd, size float64) {
	if s == "" {
		return
	}
	if x.haveLine && math.Abs(y-x.lineY) > 0.5*max(size, x.lineSize) {
		x.endLine()
	}
	if x.haveLine {
		gap := x0 - x.lineEndX
		em := max(size, x.lineSize)
		switch {
		case gap > 2*em || gap < -2*em:
			x.line.WriteByte('\t')
		case gap > 0.2*em || gap < -em:
			x.line.WriteByte(' ')
		}
	} else {
		x.haveLine = true
		x.lineY = y
	}
	x.line.WriteString(s)
	x.lineEndX = xEnd
	x.lineSize = size
	if x.out.Len()+x.line.Len() > MaxTextSize {
		panic(abort{fmt.Errorf("text longer than the limit of %d bytes (MaxTextSize)", MaxTextSize)})
	}
}

// endLine writes the current line out.
func (x *extractor) endLine() {
	if !x.haveLine {
		return
	}
	x.out.WriteString(x.line.String())
	x.out.WriteByte('\n')
	x.line.Reset()
	x.haveLine = false
}

// Glyph widths of the standard Type 1 fonts for the codes 32–126, in
// 1/1000 em, from their AFM metrics; used for fonts that give no /Widths.
var (
	helveticaWidths = [95]uint16{
		278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space–/
		556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0–?
		1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @–O
		667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P–_
		333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `–o
		556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p–~
	}
	timesWidths = [95]uint16{
		250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278,
		500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444,
		921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722,
		556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500,
		333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500,
		500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
	}
	courierWidths = [95]uint16{
		600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600,
		600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600,
		600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600,
		600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600,
		600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600,
		600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600,
	}
)

// literalEnd returns the index of the ')' that closes the PDF string
// literal opening at data[i] ('('), past escapes and balanced inner
// parentheses, or len(data) when the literal is not closed.
func literalEnd(data []byte, i int) int {
	depth := 0
	for ; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return len(data)
}
