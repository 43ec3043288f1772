package importer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// fakeResume stands in for the résumé parser (internal/resume): it records
// what it was given and returns a fixed applicant, or fails for files whose
// content says so.
type fakeResume struct{ calls []string }

func (f *fakeResume) parse(name string, data []byte) (hiring.Applicant, error) {
	f.calls = append(f.calls, name)
	switch {
	case strings.Contains(string(data), "PANIC"):
		panic("malformed xref table")
	case strings.Contains(string(data), "FAIL"):
		return hiring.Applicant{}, errors.New("no text layer")
	case strings.Contains(string(data), "LONGNAME"):
		return hiring.Applicant{Name: strings.Repeat("n", 600)}, nil
	}
	return hiring.Applicant{Name: "Parsed " + name, ResumeText: strings.ReplaceAll(strings.ToValidUTF8(string(data), ""), "\x00", "")}, nil
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestImportFileDispatch(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"people.csv":     "id,name\nc1,Ann\n",
		"people.tsv":     "id\tname\nt1,x\tAnn\n",
		"one.json":       `{"basics":{"name":"Bo"},"x-lagwatch":{"id":"j1"}}`,
		"many.jsonl":     `{"basics":{"name":"Cy"},"x-lagwatch":{"id":"l1"}}` + "\n",
		"many.ndjson":    `{"basics":{"name":"Cy"},"x-lagwatch":{"id":"n1"}}` + "\n",
		"alice.pdf":      "%PDF-1.7 ...",
		"bob.docx":       "PK\x03\x04...",
		"carol.txt":      "Carol Example\nSRE",
		"dan.md":         "# Dan Example",
		"export":         "name;email\nEve;eve@example.com\n",
		"export2":        "[{\"basics\":{\"name\":\"Fay\"}}]",
		"scan":           "%PDF-1.4 ...",
		"UPPER.CSV":      "id,name\nu1,Gil\n",
		"workbook.csv":   "PK\x03\x04 not really csv",
		"sheet.xlsx":     "PK\x03\x04",
		"old.doc":        "\xD0\xCF\x11\xE0",
		"binary":         "\x00\x01\x02\x03",
		"notes":          "just some words",
		"emptyresume.md": "",
		"sheet.txt":      "\xff\xfei\x00d\x00\t\x00n\x00a\x00m\x00e\x00\t\x00x\x00\n\x00q\x001\x00\t\x00A\x00n\x00n\x00\t\x00\n\x00",
		"notepad.txt":    "\xff\xfeA\x00n\x00n\x00\n\x00",
	})
	fake := &fakeResume{}
	opts := Options{Resume: fake.parse}
	tests := []struct {
		file    string
		wantIDs string
		wantErr string
	}{
		{"people.csv", "c1", ""},
		{"people.tsv", "t1,x", ""},
		{"one.json", "j1", ""},
		{"many.jsonl", "l1", ""},
		{"many.ndjson", "n1", ""},
		{"alice.pdf", "alice.pdf", ""},
		{"bob.docx", "bob.docx", ""},
		{"carol.txt", "carol.txt", ""},
		{"dan.md", "dan.md", ""},
		{"export", "export#2", ""},
		{"export2", "export2#1", ""},
		{"scan", "scan", ""},
		{"UPPER.CSV", "u1", ""},
		{"emptyresume.md", "emptyresume.md", ""},
		{"sheet.txt", "q1", ""},
		{"notepad.txt", "notepad.txt", ""},
		{"workbook.csv", "", "named .csv but holds a ZIP archive"},
		{"sheet.xlsx", "", ".xlsx spreadsheets are not read; export the sheet as CSV"},
		{"old.doc", "", ".doc résumés are not read"},
		{"binary", "", "unknown file type"},
		{"notes", "", "unknown file type"},
		{"missing.csv", "", "open: no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			res, err := ImportFile(t.Context(), path, opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "import "+path+": ") {
					t.Errorf("ImportFile(%s) error = %v, want %q", tt.file, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, res)
			var ids []string
			for _, a := range res.Applicants {
				ids = append(ids, a.ID)
			}
			if got := strings.Join(ids, ","); got != tt.wantIDs {
				t.Errorf("ImportFile(%s) IDs = %q, want %q (errors %v)", tt.file, got, tt.wantIDs, res.Errors)
			}
		})
	}
	if got := strings.Join(fake.calls, ","); got != "alice.pdf,bob.docx,carol.txt,dan.md,scan,emptyresume.md,notepad.txt" {
		t.Errorf("résumé parser called for %s", got)
	}
}

func TestImportFileResumes(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"ok.pdf":    "%PDF text",
		"fail.pdf":  "%PDF FAIL",
		"panic.pdf": "%PDF PANIC",
		"long.docx": "LONGNAME",
	})
	fake := &fakeResume{}
	tests := []struct {
		file    string
		opts    Options
		wantErr string // whole-file error
		wantRec string // record error
	}{
		{"ok.pdf", Options{}, "résumé files (.pdf, .docx, .txt, .md) need a résumé parser, and none is set (Options.Resume)", ""},
		{"ok.pdf", Options{Resume: fake.parse, MaxFileBytes: 4}, "larger than 4 bytes, the limit set by Options.MaxFileBytes", ""},
		{"fail.pdf", Options{Resume: fake.parse}, "", "fail.pdf: parse résumé: no text layer"},
		{"panic.pdf", Options{Resume: fake.parse}, "", "panic.pdf: parse résumé: parser panicked: malformed xref table"},
		{"long.docx", Options{Resume: fake.parse}, "", "long.docx: name: 600 bytes, longer than the limit of 512"},
	}
	for _, tt := range tests {
		res, err := ImportFile(t.Context(), filepath.Join(dir, tt.file), tt.opts)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ImportFile(%s) error = %v, want %q", tt.file, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, res)
		if res.Records != 1 || len(res.Errors) != 1 || res.Errors[0].Record != 0 || !strings.HasSuffix(res.Errors[0].Error(), tt.wantRec) {
			t.Errorf("ImportFile(%s) = %+v, want one record error ending %q", tt.file, res, tt.wantRec)
		}
	}
}

func TestImportFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.csv":   "id,name\n1,Ann\n2,Bo\n",
		"b.jsonl": "{\"basics\":{\"name\":\"Ann again\"},\"x-lagwatch\":{\"id\":\"1\"}}\n{\"basics\":{\"name\":\"Cy\"},\"x-lagwatch\":{\"id\":\"3\"}}\n",
		"c.csv":   "stage\nnew\n",
		"d.csv":   "id,name\n4,Di\n5,Ed\n6,Flo\n",
		"e.csv":   "id,name\n4,Di again\n",
		"r.pdf":   "%PDF",
	})
	paths := []string{"a.csv", "b.jsonl", "c.csv", "d.csv", "missing.csv", "e.csv", "r.pdf"}
	for i := range paths {
		paths[i] = filepath.Join(dir, paths[i])
	}
	var progress []string
	res, err := ImportFiles(t.Context(), paths, Options{MaxRecords: 2}, func(done, total int) {
		progress = append(progress, fmt.Sprintf("%d/%d", done, total))
	})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, res)
	var ids []string
	for _, a := range res.Applicants {
		ids = append(ids, a.ID)
	}
	// d.csv is over MaxRecords, so its IDs are not taken and e.csv's 4 is new.
	if got := strings.Join(ids, ","); got != "1,2,3,4" {
		t.Errorf("IDs = %s, want 1,2,3,4", got)
	}
	want := []string{
		`b.jsonl record 1: id: "1" already used by ` + paths[0] + ` row 2`,
		"c.csv: header matches no built-in layout",
		"d.csv: more than 2 records, the limit set by Options.MaxRecords",
		"missing.csv: open: no such file or directory",
		"r.pdf: résumé files",
	}
	if len(res.Errors) != len(want) {
		t.Fatalf("errors = %v, want %d", res.Errors, len(want))
	}
	for i, w := range want {
		if !strings.Contains(res.Errors[i].Error(), w) {
			t.Errorf("error %d = %q, want it to contain %q", i, res.Errors[i], w)
		}
	}
	if res.Errors[1].Record != 0 {
		t.Errorf("whole-file error has record %d, want 0", res.Errors[1].Record)
	}
	if got := strings.Join(progress, " "); got != "1/7 2/7 3/7 4/7 5/7 6/7 7/7" {
		t.Errorf("progress = %s", got)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res, err = ImportFiles(ctx, paths, Options{}, nil)
	if !errors.Is(err, context.Canceled) || res.Records != 0 {
		t.Errorf("cancelled: %+v, %v, want context.Canceled and nothing", res, err)
	}
}

func TestImportFileMaxFileBytesFromStat(t *testing.T) {
	dir := writeFiles(t, map[string]string{"big.csv": "id,name\n" + strings.Repeat("1,Ann\n", 100)})
	_, err := ImportFile(t.Context(), filepath.Join(dir, "big.csv"), Options{MaxFileBytes: 100})
	if !isLimit(err, "MaxFileBytes") {
		t.Errorf("error = %v, want a MaxFileBytes LimitError", err)
	}
	if _, err := ImportFile(t.Context(), dir, Options{}); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("ImportFile(dir) error = %v, want is a directory", err)
	}
}

func TestImportData(t *testing.T) {
	fake := &fakeResume{}
	opts := Options{Resume: fake.parse}
	tests := []struct {
		name, data string
		opts       Options
		wantIDs    string
		wantErr    string
	}{
		{"upload.csv", "id,name\nu1,Ann\n", opts, "u1", ""},
		{"upload.jsonl", "{\"basics\":{\"name\":\"Bo\"}}\n", opts, "upload.jsonl", ""}, // one line is one document
		{"cv.pdf", "%PDF-1.7", opts, "cv.pdf", ""},
		{"upload", "name;email\nCy;cy@example.com\n", opts, "upload#2", ""},
		{"sheet.xlsx", "PK\x03\x04", opts, "", "import sheet.xlsx: .xlsx spreadsheets are not read"},
		{"upload.csv", "id,name\nu1,Ann\n", Options{MaxFileBytes: 5}, "", "import upload.csv: larger than 5 bytes, the limit set by Options.MaxFileBytes"},
		{"cv.pdf", "%PDF-1.7", Options{}, "", "import cv.pdf: résumé files"},
	}
	for _, tt := range tests {
		res, err := ImportData(t.Context(), tt.name, []byte(tt.data), tt.opts)
		if tt.wantErr != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("ImportData(%s) error = %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ImportData(%s): %v", tt.name, err)
			continue
		}
		checkResult(t, res)
		var ids []string
		for _, a := range res.Applicants {
			ids = append(ids, a.ID)
		}
		if got := strings.Join(ids, ","); got != tt.wantIDs {
			t.Errorf("ImportData(%s) IDs = %q, want %q (errors %v)", tt.name, got, tt.wantIDs, res.Errors)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := ImportData(ctx, "x.csv", []byte("id\n1\n"), Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ImportData error = %v", err)
	}
}
