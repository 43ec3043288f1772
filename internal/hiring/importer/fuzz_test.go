package importer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lagwatch/lagwatch/internal/hiring"
)

// maxFuzzInput caps fuzz inputs; larger ones test nothing new.
const maxFuzzInput = 1 << 20

func addFixtureSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("testdata", pattern))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkFuzzResult asserts what every reader guarantees, whatever the input.
func checkFuzzResult(t *testing.T, source string, res Result, err error) {
	if err != nil {
		if res.Records != 0 || res.Applicants != nil || res.Errors != nil {
			t.Fatalf("error %v came with a non-empty Result %+v", err, res)
		}
		if !strings.HasPrefix(err.Error(), "import "+source+": ") {
			t.Fatalf("error %q does not name the source", err)
		}
		return
	}
	if res.Records != len(res.Applicants)+len(res.Errors) {
		t.Fatalf("Records = %d, want %d applicants + %d errors", res.Records, len(res.Applicants), len(res.Errors))
	}
	ids := map[string]bool{}
	for i := range res.Applicants {
		a := &res.Applicants[i]
		if err := a.Validate(); err != nil {
			t.Fatalf("applicant %d does not validate: %v\n%+v", i, err, a)
		}
		if ids[a.ID] {
			t.Fatalf("ID %q imported twice", a.ID)
		}
		ids[a.ID] = true
	}
	last := 0
	for _, e := range res.Errors {
		// Record 0 is a file that is one record (a résumé).
		if e.Source != source || (e.Record < 1 && !(e.Record == 0 && res.Records == 1)) || e.Err == nil || e.Error() == "" {
			t.Fatalf("bad record error %#v", e)
		}
		if e.Record <= last && e.Record != 0 {
			t.Fatalf("record numbers not increasing: %d after %d", e.Record, last)
		}
		last = e.Record
	}
}

func FuzzReadCSV(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.csv"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, strings.HasSuffix(file, "custom.csv"))
	}
	f.Add([]byte("id,name\n1,Ann\n1,Bo\n"), false)
	f.Add([]byte("\xff\xfei\x00d\x00\n\x001\x00"), false)
	f.Add([]byte("name;email\n\"a\"\"b\";x@y.z\n\"unterminated\n"), false)
	f.Add([]byte("emails,education,employment\na@b.co,X|BS|A|2020|2019|USA,Y|T|2019|now\n"), false)
	f.Add([]byte("id,name\r1,Ann\r"), false)
	custom, err := os.ReadFile(filepath.Join("testdata", "custom.mapping"))
	if err != nil {
		f.Fatal(err)
	}
	m, err := ParseMapping(bytes.NewReader(custom))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, useCustom bool) {
		if len(data) > maxFuzzInput {
			return
		}
		opts := Options{MaxRecords: 10_000}
		if useCustom {
			opts.Mapping = &m
		}
		res, err := ReadCSV(bytes.NewReader(data), "fuzz.csv", opts)
		checkFuzzResult(t, "fuzz.csv", res, err)
		// The record numbers of a CSV never exceed its line count + 1.
		lines := bytes.Count(data, []byte{'\n'}) + bytes.Count(data, []byte{'\r'}) + 1
		for _, e := range res.Errors {
			if e.Record > lines {
				t.Fatalf("record %d in an input of %d lines", e.Record, lines)
			}
		}
	})
}

func FuzzReadJSONResume(f *testing.F) {
	addFixtureSeeds(f, "*.json")
	addFixtureSeeds(f, "*.jsonl")
	f.Add([]byte(`[1, "x", null, {}, {"basics":{"name":"A"}}]`))
	f.Add([]byte(`{"basics":{"name":"A","location":"x","profiles":[{"network":"github","username":"a"}]},"meta":{"photo_hashes":"0123456789abcdef"}}`))
	f.Add([]byte("{\"basics\":{\"name\":\"A\"}}\n{]\n{\"x-lagwatch\":{\"id\":7}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		res, err := ReadJSONResume(bytes.NewReader(data), "fuzz.json", Options{MaxRecords: 10_000})
		checkFuzzResult(t, "fuzz.json", res, err)
	})
}

func FuzzParseMapping(f *testing.F) {
	for _, l := range Layouts() {
		m, _ := LayoutByName(l)
		text, _ := m.MarshalText()
		f.Add(string(text))
	}
	data, err := os.ReadFile(filepath.Join("testdata", "custom.mapping"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Add("extends = lever\nname = \"a, b\", \"c \"\"d\"\"\"\nphones =\n")
	f.Add("emails = E {n}, {n} mail\neducation.start = Start {n}")
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > maxFuzzInput {
			return
		}
		m, err := ParseMapping(strings.NewReader(in))
		if err != nil {
			return
		}
		if !m.identifies() {
			t.Fatalf("ParseMapping accepted a mapping with no identifying field: %+v", m)
		}
		// Round trip through the file format.
		text, _ := m.MarshalText()
		back, err := ParseMapping(bytes.NewReader(text))
		if err != nil {
			t.Fatalf("ParseMapping(MarshalText(m)): %v\n%s", err, text)
		}
		if !reflect.DeepEqual(back.Columns, m.Columns) {
			t.Fatalf("round trip changed the mapping:\n%+v\n%+v\n%s", m.Columns, back.Columns, text)
		}
		// Each field's first header, with {n} as 1, finds that field.
		var header []string
		var fields []int
		for fx, fi := range fieldTable {
			if as := m.Columns[fi.f]; len(as) > 0 {
				header = append(header, strings.ReplaceAll(as[0], "{n}", "1"))
				fields = append(fields, fx)
			}
		}
		p := m.resolve(header)
		if !p.identifies() {
			t.Fatalf("mapping does not find its own identifying header in %q", header)
		}
		for _, fx := range fields {
			fi := fieldTable[fx]
			found := len(p.cols[fx]) > 0
			if fi.kind == kindPart {
				entries := p.edu
				if fi.emp {
					entries = p.emp
				}
				found = len(entries) > 0 && entries[0].part[fi.part] >= 0
			}
			if !found {
				t.Fatalf("field %s does not find its own header in %q", fi.f, header)
			}
		}
	})
}

// FuzzImportData covers choosing the reader from a file's name and first
// bytes, and the résumé path, with a stand-in résumé parser.
func FuzzImportData(f *testing.F) {
	names := []string{"x.csv", "x.tsv", "x.json", "x.jsonl", "x.pdf", "x.docx", "x.txt", "x.md", "x", "x.xlsx", "x.doc"}
	addFixtureSeeds(f, "*")
	f.Add([]byte("%PDF-1.7"))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("\xff\xfeA\x00\t\x00B\x00\t\x00C\x00\n\x00"))
	parse := func(name string, data []byte) (hiring.Applicant, error) {
		if len(data) > 0 && data[0] == '!' {
			return hiring.Applicant{}, errors.New("unreadable")
		}
		return hiring.Applicant{Name: strings.ToValidUTF8(string(data), "")}, nil
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		for _, name := range names {
			res, err := ImportData(t.Context(), name, data, Options{Resume: parse, MaxRecords: 10_000})
			checkFuzzResult(t, name, res, err)
		}
	})
}
