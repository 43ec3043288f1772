// Package lagwatch holds repository-wide tests; the code lives in cmd/ and internal/.
package lagwatch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackageDoc checks that every package has exactly one file carrying
// the package comment, and that every exported function, method and type
// is documented.
func TestPackageDoc(t *testing.T) {
	byDir := map[string][]string{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		if _, ok := byDir[dir]; !ok {
			byDir[dir] = nil
		}
		if f.Doc != nil {
			byDir[dir] = append(byDir[dir], filepath.Base(path))
		}
		for _, name := range undocumented(f) {
			t.Errorf("%s: %s is not documented", path, name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir, withDoc := range byDir {
		if len(withDoc) != 1 {
			t.Errorf("%s: package comments in %v, want exactly one file", dir, withDoc)
		}
	}
}

// undocumented returns the exported functions, methods and types of f
// that have no doc comment.
func undocumented(f *ast.File) []string {
	var out []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() && d.Doc == nil {
				out = append(out, d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() && d.Doc == nil && ts.Doc == nil {
					out = append(out, "type "+ts.Name.Name)
				}
			}
		}
	}
	return out
}
