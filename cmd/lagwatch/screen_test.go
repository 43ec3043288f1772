package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const screenCSV = "id,name,emails,phones,claimed_location,shipping_address,application_ip\n" +
	`p-1,Lena Park,lena.park@mailinator.com,(602) 555-0134,"Phoenix, AZ, US","400 Farm Rd Unit 12, Nashville, TN 37201",203.0.113.9` + "\n" +
	`p-2,Omar Reyes,o.reyes@example.com,+1 602-555-0134,"Austin, TX, US","400 Farm Road #12, Nashville, TN 37201",203.0.113.10` + "\n" +
	`h-1,Ruth Diaz,ruth.diaz@example.org,(212) 555-0188,"New York, NY, US","99 Park Ave, New York, NY 10016",198.51.100.4` + "\n" +
	`bad,Bad Row,not-an-address,,,,` + "\n"

func writeTemp(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScreenCommand(t *testing.T) {
	p := writeTemp(t, "apps.csv", screenCSV)
	var out, errb bytes.Buffer
	if err := run(t.Context(), []string{"screen", "--json", p}, &out, &errb); err != nil {
		t.Fatalf("screen: %v\n%s", err, errb.String())
	}
	var rows []screenRow
	for line := range strings.Lines(out.String()) {
		var r screenRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("screen --json line %q: %v", line, err)
		}
		rows = append(rows, r)
	}
	if len(rows) != 3 || rows[2].ID != "h-1" || rows[0].RingID == "" || rows[0].RingID != rows[1].RingID {
		t.Fatalf("screen --json = %+v; want p-1 and p-2 first in one ring, h-1 last", rows)
	}
	if !strings.Contains(errb.String(), "record 5: emails[0]") {
		t.Errorf("the bad row is not reported by row and field: %q", errb.String())
	}

	out.Reset()
	if err := run(t.Context(), []string{"screen", "--csv", "--limit", "1", p}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(out.String(), "\n"); lines != 2 || !strings.HasPrefix(out.String(), "rank,id,name,score,level,ring_id,reasons\n") {
		t.Errorf("screen --csv --limit 1 = %q", out.String())
	}
}

func TestScreenImportCommand(t *testing.T) {
	dir := t.TempDir()
	p := writeTemp(t, "apps.csv", screenCSV)
	var out, errb bytes.Buffer
	if err := run(t.Context(), []string{"screen", "import", "--quiet", "--data-dir", dir, p}, &out, &errb); err != nil {
		t.Fatalf("screen import: %v\n%s", err, errb.String())
	}
	for _, want := range []string{"4 records, 3 imported (3 new, 0 updated), 1 rejected", "1 rings", "rejected: ", "p-1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("screen import output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := run(t.Context(), []string{"screen", "import", "--quiet", "--json", "--data-dir", dir, p}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Inserted, Updated int
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Inserted != 0 || rep.Updated != 3 {
		t.Errorf("re-import = %+v, %v; want 3 updated", rep, err)
	}
}

func TestScreenErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"screen"}, "want at least one FILE"},
		{[]string{"screen", "--json", "--csv", "x.csv"}, "choose one"},
		{[]string{"screen", "--layout", "taleo", "x.csv"}, "-layout"},
		{[]string{"screen", "--universities", "/nonexistent.json", "x.csv"}, "-universities"},
		{[]string{"screen", "--max-file-mb", "0", "x.csv"}, "-max-file-mb"},
		{[]string{"screen", "import", "--data-dir", "", "x.csv"}, "-data-dir"},
		{[]string{"lab", "articles"}, "-m2 is required"},
	} {
		var out, errb bytes.Buffer
		err := run(t.Context(), tc.args, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}

func TestLabArticlesAndRings(t *testing.T) {
	m2 := writeTemp(t, "t.m2", "S I am software engineer .\nA 2 2|||ArtOrDet|||a|||REQUIRED|||-NONE-|||0\n\nS The cat sat .\nA -1 -1|||noop|||-NONE-|||REQUIRED|||-NONE-|||0\n\n")
	var out, errb bytes.Buffer
	if err := run(t.Context(), []string{"lab", "articles", "--json", "--m2", m2}, &out, &errb); err != nil {
		t.Fatalf("lab articles: %v", err)
	}
	if !strings.Contains(out.String(), `"held_out"`) && !strings.Contains(out.String(), `"all"`) {
		t.Errorf("lab articles --json = %s", out.String())
	}
	out.Reset()
	csvPath := filepath.Join(t.TempDir(), "gen.csv")
	if err := run(t.Context(), []string{"lab", "rings", "--n", "2000", "--seed", "3", "--write-csv", csvPath}, &out, &errb); err != nil {
		t.Fatalf("lab rings: %v", err)
	}
	if !strings.Contains(out.String(), "ring recall, exact") {
		t.Errorf("lab rings output = %s", out.String())
	}
	out.Reset()
	if err := run(t.Context(), []string{"screen", "--limit", "3", csvPath}, &out, &errb); err != nil {
		t.Fatalf("screen of the generated CSV: %v", err)
	}
	if !strings.Contains(out.String(), "2000 applicants screened, 0 records rejected") {
		t.Errorf("the generated CSV did not read back whole: %s", out.String())
	}
}
