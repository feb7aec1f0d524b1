package agent

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestExampleBuilds builds and runs agent/example, a program in its own
// module that uses the SDK as a device maker would: if the SDK's exported
// API needed a type from internal/, it could not compile.
func TestExampleBuilds(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH")
	}
	bin := filepath.Join(t.TempDir(), "example")
	build := exec.Command(goBin, "build", "-o", bin, ".")
	build.Dir = "example"
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build in agent/example: %v\n%s\n(after a dependency change in go.mod, run `go mod tidy` in agent/example)", err, out)
	}
	out, err := exec.Command(bin).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "pin1") {
		t.Fatalf("example: got %q, %v; want a device address first", out, err)
	}
}

// TestPublicAPI checks that no exported declaration of agent or
// agent/coverage names a type of an internal package: an outside module
// could not name it.
func TestPublicAPI(t *testing.T) {
	for _, dir := range []string{".", "coverage"} {
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, pkg := range pkgs {
			for name, f := range pkg.Files {
				internal := map[string]bool{} // import names of internal packages
				for _, imp := range f.Imports {
					path, _ := strconv.Unquote(imp.Path.Value)
					if !strings.Contains(path, "/internal/") {
						continue
					}
					n := filepath.Base(path)
					if imp.Name != nil {
						n = imp.Name.Name
					}
					internal[n] = true
				}
				for _, d := range f.Decls {
					for _, x := range exportedTypes(d) {
						ast.Inspect(x, func(n ast.Node) bool {
							if sel, ok := n.(*ast.SelectorExpr); ok {
								if id, ok := sel.X.(*ast.Ident); ok && internal[id.Name] {
									t.Errorf("%s: exported API names %s.%s (an internal package)", name, id.Name, sel.Sel.Name)
								}
							}
							return true
						})
					}
				}
			}
		}
	}
}

// exportedTypes returns the type expressions of an exported declaration:
// a function's signature and receiver, a type's definition, a var's or
// const's declared type. Unexported struct fields are left out.
func exportedTypes(d ast.Decl) []ast.Node {
	var out []ast.Node
	switch d := d.(type) {
	case *ast.FuncDecl:
		if !d.Name.IsExported() {
			return nil
		}
		if d.Recv != nil {
			for _, f := range d.Recv.List {
				if id := baseIdent(f.Type); id == nil || !id.IsExported() {
					return nil
				}
			}
		}
		out = append(out, d.Type)
	case *ast.GenDecl:
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				if !s.Name.IsExported() {
					continue
				}
				if st, ok := s.Type.(*ast.StructType); ok {
					for _, f := range st.Fields.List {
						if len(f.Names) == 0 || f.Names[0].IsExported() {
							out = append(out, f.Type)
						}
					}
					continue
				}
				out = append(out, s.Type)
			case *ast.ValueSpec:
				for _, n := range s.Names {
					if n.IsExported() && s.Type != nil {
						out = append(out, s.Type)
					}
				}
			}
		}
	}
	return out
}

func baseIdent(e ast.Expr) *ast.Ident {
	switch e := e.(type) {
	case *ast.Ident:
		return e
	case *ast.StarExpr:
		return baseIdent(e.X)
	}
	return nil
}
