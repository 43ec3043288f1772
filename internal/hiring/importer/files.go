package importer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/lagwatch/lagwatch/internal/hiring"
	"golang.org/x/text/encoding/unicode"
)

// fileKind is how a file is read.
type fileKind int

const (
	fileCSV fileKind = iota + 1
	fileJSON
	fileResume
)

// resumeExts are the résumé file extensions handed to Options.Resume.
var resumeExts = []string{".pdf", ".docx", ".txt", ".md"}

// ImportFile imports one file, choosing the reader from its extension:
// .csv and .tsv go to [ReadCSV]; .json, .jsonl and .ndjson to
// [ReadJSONResume]; .pdf, .docx, .txt and .md are résumés, handed whole to
// opts.Resume, except a .txt file that is a spreadsheet saved as UTF-16
// "Unicode text" (read as CSV). A file with another extension, or none, is
// recognised by its content (PDF or DOCX signature, JSON, or delimited text). A résumé file is
// one record: its applicant ID, when the parser sets none, is the file's base
// name, and its errors have record number 0.
//
// ImportFile returns an error, and no applicants, when the file cannot be
// read or used as a whole: it does not exist, is of an unknown type, is a
// résumé with no parser set, is over a limit ([LimitError]), or ctx is done.
func ImportFile(ctx context.Context, path string, opts Options) (Result, error) {
	res, err := newRun(opts).importFile(ctx, path)
	if err != nil {
		return Result{}, fmt.Errorf("import %s: %w", path, err)
	}
	return res, nil
}

// ImportFiles imports the files in order as one import: an ID taken by a
// record of an earlier file makes a later record with the same ID an error.
// A file that cannot be read as a whole counts as one record and adds one
// entry, with record number 0, to Result.Errors; the other files are still
// read. progress, when not nil, is called after each file with the number
// of files done and the total. ImportFiles returns an error, and no
// applicants, only when ctx is done.
func ImportFiles(ctx context.Context, paths []string, opts Options, progress func(done, total int)) (Result, error) {
	run := newRun(opts)
	var all Result
	for i, path := range paths {
		res, err := run.importFile(ctx, path)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return Result{}, fmt.Errorf("import %s: %w", path, ctxErr)
		}
		if err != nil {
			all.Records++
			all.Errors = append(all.Errors, &hiring.RecordError{Source: path, Err: err})
		} else {
			all.Records += res.Records
			all.Applicants = append(all.Applicants, res.Applicants...)
			all.Errors = append(all.Errors, res.Errors...)
		}
		if progress != nil {
			progress(i+1, len(paths))
		}
	}
	return all, nil
}

// ImportData imports the contents of one file, named name, as [ImportFile]
// imports a file: the name's extension, checked against the content, picks
// the reader, and the name is the source in errors, Applicant.Source and
// derived IDs. It serves uploads, where there is no file to open.
func ImportData(ctx context.Context, name string, data []byte, opts Options) (Result, error) {
	res, err := newRun(opts).importData(ctx, name, data)
	if err != nil {
		return Result{}, fmt.Errorf("import %s: %w", name, err)
	}
	return res, nil
}

func (run *run) importData(ctx context.Context, name string, data []byte) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	if int64(len(data)) > run.opts.MaxFileBytes {
		return Result{}, &LimitError{Source: name, Limit: "MaxFileBytes", Max: run.opts.MaxFileBytes}
	}
	return run.importReader(ctx, name, bytes.NewReader(data))
}

// importFile imports one file; its errors do not name the file.
func (run *run) importFile(ctx context.Context, path string) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return Result{}, pathError(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Result{}, pathError(err)
	}
	if st.IsDir() {
		return Result{}, errors.New("is a directory, not a file")
	}
	if st.Mode().IsRegular() && st.Size() > run.opts.MaxFileBytes {
		return Result{}, &LimitError{Source: path, Limit: "MaxFileBytes", Max: run.opts.MaxFileBytes}
	}
	return run.importReader(ctx, path, f)
}

// importReader reads one file's contents, choosing the reader from the name
// and the first bytes.
func (run *run) importReader(ctx context.Context, name string, r io.Reader) (Result, error) {
	br := bufio.NewReaderSize(ctxReader{ctx: ctx, r: r}, sniffBytes)
	kind, err := fileKindOf(name, br)
	if err != nil {
		return Result{}, err
	}
	var res Result
	switch kind {
	case fileCSV:
		res, err = run.readCSV(br, name)
	case fileJSON:
		res, err = run.readJSON(br, name)
	case fileResume:
		res, err = run.readResume(br, name)
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return Result{}, ctxErr
	}
	return res, err
}

// pathError drops the path from an *fs.PathError; the caller names the file.
func pathError(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// fileKindOf decides how to read a file from its extension, checked against
// the first bytes, or from the first bytes alone.
func fileKindOf(path string, br *bufio.Reader) (fileKind, error) {
	head, _ := br.Peek(512)
	magic := binaryMagic(head)
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".csv", ".tsv", ".json", ".jsonl", ".ndjson":
		if magic != "" {
			return 0, fmt.Errorf("named %s but holds %s; export the data as CSV or JSON", ext, magic)
		}
		if ext == ".csv" || ext == ".tsv" {
			return fileCSV, nil
		}
		return fileJSON, nil
	case ".txt":
		if isSpreadsheetText(head) {
			return fileCSV, nil
		}
		return fileResume, nil
	case ".pdf", ".docx", ".md":
		return fileResume, nil
	case ".doc", ".rtf", ".odt", ".pages":
		return 0, fmt.Errorf("%s résumés are not read; save the résumé as PDF, DOCX or plain text", ext)
	case ".xlsx", ".xls", ".ods", ".numbers":
		return 0, fmt.Errorf("%s spreadsheets are not read; export the sheet as CSV (UTF-8)", ext)
	}
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return fileResume, nil
	case magic != "":
		if magic == "a ZIP archive (DOCX, XLSX or similar)" {
			return fileResume, nil // DOCX is a ZIP; the résumé parser tells it from others
		}
		return 0, fmt.Errorf("unknown file type (%s); want .csv, .json, .jsonl, .pdf, .docx, .txt or .md", magic)
	}
	text := bytes.TrimSpace(bytes.TrimPrefix(head, utf8BOM))
	switch {
	case len(text) > 0 && (text[0] == '{' || text[0] == '['):
		return fileJSON, nil
	case len(head) >= 2 && (head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF):
		return fileCSV, nil // UTF-16 text: spreadsheet "Unicode text" export
	case utf8.Valid(trimIncompleteRune(head)):
		line, _, _ := bytes.Cut(text, []byte{'\n'})
		if bytes.ContainsAny(line, ",;\t") {
			return fileCSV, nil
		}
	}
	return 0, fmt.Errorf("unknown file type; want .csv, .json, .jsonl, .pdf, .docx, .txt or .md")
}

// isSpreadsheetText reports whether a .txt file is a spreadsheet saved as
// "Unicode text": UTF-16 with a byte order mark and a first line with at
// least two tabs. A résumé's first line (a name, a title) has none.
func isSpreadsheetText(head []byte) bool {
	if len(head) < 2 || !(head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF) {
		return false
	}
	text, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(head[:len(head)&^1])
	if err != nil {
		return false
	}
	line, _, _ := bytes.Cut(text, []byte{'\n'})
	return bytes.Count(line, []byte{'\t'}) >= 2
}

// binaryMagic names a binary format recognised from the first bytes, or "".
func binaryMagic(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "a PDF document"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "a ZIP archive (DOCX, XLSX or similar)"
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "an old Office document (DOC or XLS)"
	}
	return ""
}

// trimIncompleteRune drops a rune cut off at the end of a peeked prefix.
func trimIncompleteRune(b []byte) []byte {
	for i := 1; i < utf8.UTFMax && i <= len(b); i++ {
		if utf8.RuneStart(b[len(b)-i]) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			break
		}
	}
	return b
}

// readResume hands a résumé file to Options.Resume. The file is one record.
func (run *run) readResume(r io.Reader, path string) (Result, error) {
	if run.opts.Resume == nil {
		return Result{}, fmt.Errorf("résumé files (%s) need a résumé parser, and none is set (Options.Resume)", strings.Join(resumeExts, ", "))
	}
	data, err := io.ReadAll(newLimitReader(r, run.opts.MaxFileBytes, path))
	if err != nil {
		return Result{}, err
	}
	in := run.newInput(path)
	if err := in.count(); err != nil {
		return Result{}, err
	}
	a, err := callResume(run.opts.Resume, baseName(path), data)
	if err != nil {
		in.reject(0, fmt.Errorf("parse résumé: %w", err))
		return in.commit(), nil
	}
	b := builder{a: a}
	b.a.ID = strings.TrimSpace(a.ID)
	in.accept(&b, 0, in.label, 0, true)
	return in.commit(), nil
}

// callResume calls the résumé parser, turning a panic on a malformed file
// into an error for that file so that one bad file does not end the import.
func callResume(parse func(string, []byte) (hiring.Applicant, error), name string, data []byte) (a hiring.Applicant, err error) {
	defer func() {
		if p := recover(); p != nil {
			a, err = hiring.Applicant{}, fmt.Errorf("parser panicked: %v", p)
		}
	}()
	return parse(name, data)
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

// Read reads from the file unless ctx is done.
func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
