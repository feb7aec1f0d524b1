package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strings"
	"testing"
)

// generated matches the marker of generated Go files
// (https://go.dev/s/generatedcode).
var generated = regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`)

// isGenerated reports whether every non-test file of p is generated.
func isGenerated(t *testing.T, p *pkg) bool {
	t.Helper()
	files := p.files()
	if len(files) == 0 {
		return false
	}
	fset := token.NewFileSet()
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return false
		}
		gen := false
		for _, c := range f.Comments {
			if generated.MatchString(commentSource(c.List)) {
				gen = true
				break
			}
		}
		if !gen {
			return false
		}
	}
	return true
}

func commentSource(list []*ast.Comment) string {
	var b strings.Builder
	for _, c := range list {
		b.WriteString(c.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// docProblem says what is wrong with a package's doc synopsis, or "".
func docProblem(name, doc string) string {
	switch {
	case doc == "":
		return "has no package doc comment (STYLE: each package starts with a doc.go stating its purpose and contract)"
	case name == "main":
		return ""
	case !strings.HasPrefix(doc, "Package "+name+" "):
		return "has a doc comment that does not start with \"Package " + name + " \": " + doc
	}
	return ""
}

// TestPackageDocs: every hand-written package has a doc comment.
func TestPackageDocs(t *testing.T) {
	for _, p := range modulePackages(t) {
		if len(p.files()) == 0 || isGenerated(t, p) {
			continue
		}
		if why := docProblem(p.Name, p.Doc); why != "" {
			t.Errorf("%s %s", p.rel(), why)
		}
	}
}

// TestDocRule checks docProblem on known answers.
func TestDocRule(t *testing.T) {
	for _, c := range []struct {
		name, doc string
		want      bool
	}{
		{"bank", "Package bank keeps balances.", false},
		{"bank", "", true},
		{"bank", "Bank keeps balances.", true},
		{"bank", "Package banking keeps balances.", true},
		{"main", "Command depin runs a node.", false},
		{"main", "", true},
	} {
		if got := docProblem(c.name, c.doc) != ""; got != c.want {
			t.Errorf("docProblem(%q, %q): got problem %v, want %v", c.name, c.doc, got, c.want)
		}
	}
}
