package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// layoutTable renders a built-in layout as the Markdown table that
// docs/screen-import.md shows for it.
func layoutTable(m Mapping) string {
	var b strings.Builder
	b.WriteString("| field | headers, in order of preference |\n|---|---|\n")
	for _, f := range Fields() {
		as := m.Columns[f]
		if len(as) == 0 {
			continue
		}
		quoted := make([]string, len(as))
		for i, a := range as {
			quoted[i] = "`" + a + "`"
		}
		b.WriteString("| `" + string(f) + "` | " + strings.Join(quoted, ", ") + " |\n")
	}
	return b.String()
}

// TestDocsLayoutTables keeps the layout tables in docs/screen-import.md the
// same as the built-in layouts.
func TestDocsLayoutTables(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "screen-import.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range Layouts() {
		m, _ := LayoutByName(name)
		if table := layoutTable(m); !strings.Contains(string(doc), table) {
			t.Errorf("docs/screen-import.md lacks the table of layout %s; it should read:\n%s", name, table)
		}
	}
}

// docBlock returns the first fenced block after heading in the doc.
func docBlock(t *testing.T, doc, heading string) string {
	t.Helper()
	_, rest, ok := strings.Cut(doc, heading)
	if !ok {
		t.Fatalf("docs/screen-import.md has no %q", heading)
	}
	_, rest, _ = strings.Cut(rest, "```")
	_, rest, _ = strings.Cut(rest, "\n") // the fence's info string
	block, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatalf("no fenced block after %q", heading)
	}
	return block
}

// TestDocsExamples reads the mapping file and JSON Resume examples of
// docs/screen-import.md.
func TestDocsExamples(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "screen-import.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	m, err := ParseMapping(strings.NewReader(docBlock(t, doc, "## Mapping files")))
	if err != nil {
		t.Fatalf("mapping example: %v", err)
	}
	if m.Columns[FieldID][0] != "Applicant #" || m.Columns[FieldName][0] != "Full name, as entered" || len(m.Columns[FieldPhones]) != 0 {
		t.Errorf("mapping example read as %+v", m.Columns)
	}
	res, err := ReadJSONResume(strings.NewReader(docBlock(t, doc, "## JSON Resume files")), "jane.json", Options{})
	if err != nil || len(res.Applicants) != 1 {
		t.Fatalf("JSON example: %+v, %v", res, err)
	}
	if a := res.Applicants[0]; a.ID != "90210" || a.ShippingAddress == "" || len(a.PhotoHashes) != 1 {
		t.Errorf("JSON example read as %+v", a)
	}
}
