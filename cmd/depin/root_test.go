package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoGlobalCommands keeps the command tree in constructors: no init
// function and no package-level variable holding a command, so that
// newRootCmd builds a fresh tree every time.
func TestNoGlobalCommands(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.Name == "init" {
					t.Errorf("%s: func init: build commands in a constructor listed in root.go", fset.Position(d.Pos()))
				}
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, s := range d.Specs {
					vs := s.(*ast.ValueSpec)
					for _, v := range vs.Values {
						if strings.Contains(exprString(v), "cobra.Command{") {
							t.Errorf("%s: package-level command %s: build it in a constructor", fset.Position(vs.Pos()), vs.Names[0].Name)
						}
					}
				}
			}
		}
	}
}

// exprString renders the start of an expression well enough to spot a
// composite literal of cobra.Command.
func exprString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.UnaryExpr:
		return "&" + exprString(e.X)
	case *ast.CompositeLit:
		if sel, ok := e.Type.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				return id.Name + "." + sel.Sel.Name + "{"
			}
		}
	}
	return ""
}
