package archtest

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// wallClock are the functions of package time that read or wait on the
// machine's clock. Durations, time.Unix and formatting stay allowed: block
// time arrives as a number.
var wallClock = []string{"Now", "Since", "Until", "Sleep", "After", "AfterFunc", "Tick", "NewTicker", "NewTimer"}

// finding is one rule violation at a source position.
type finding struct {
	pos token.Position
	msg string
}

func (f finding) String() string { return fmt.Sprintf("%s: %s", f.pos, f.msg) }

// checkSyntax reports wall-clock calls and go statements in files.
func checkSyntax(fset *token.FileSet, files []*ast.File) []finding {
	var out []finding
	for _, f := range files {
		timeName := ""
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path != "time" {
				continue
			}
			timeName = "time"
			if imp.Name != nil {
				timeName = imp.Name.Name
			}
			if timeName == "." {
				out = append(out, finding{fset.Position(imp.Pos()), `dot-import of "time" hides wall-clock calls`})
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				out = append(out, finding{fset.Position(n.Pos()), "go statement: the state machine runs no goroutines"})
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && timeName != "" && x.Name == timeName && slices.Contains(wallClock, n.Sel.Name) {
					out = append(out, finding{fset.Position(n.Pos()), fmt.Sprintf("time.%s reads the wall clock: time comes from the block", n.Sel.Name)})
				}
			}
			return true
		})
	}
	return out
}

// isFloat reports whether t is, or is built from, a floating-point or
// complex type. Named types count by their underlying basic type only;
// their fields are checked where they are declared.
func isFloat(t types.Type) bool {
	switch t := t.(type) {
	case *types.Basic:
		return t.Info()&(types.IsFloat|types.IsComplex) != 0 && t.Info()&types.IsUntyped == 0
	case *types.Named:
		b, ok := t.Underlying().(*types.Basic)
		return ok && isFloat(b)
	case *types.Alias:
		return isFloat(types.Unalias(t))
	case *types.Pointer:
		return isFloat(t.Elem())
	case *types.Slice:
		return isFloat(t.Elem())
	case *types.Array:
		return isFloat(t.Elem())
	case *types.Chan:
		return isFloat(t.Elem())
	case *types.Map:
		return isFloat(t.Key()) || isFloat(t.Elem())
	case *types.Struct:
		for i := range t.NumFields() {
			if isFloat(t.Field(i).Type()) {
				return true
			}
		}
	case *types.Signature:
		for _, tup := range []*types.Tuple{t.Params(), t.Results()} {
			for i := range tup.Len() {
				if isFloat(tup.At(i).Type()) {
					return true
				}
			}
		}
	}
	return false
}

// checkFloats type-checks one package's files and reports every expression
// or declared object of a floating-point type, one finding per line.
func checkFloats(fset *token.FileSet, path string, files []*ast.File, imp types.Importer) ([]finding, error) {
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: imp, FakeImportC: true}
	if _, err := conf.Check(path, fset, files, info); err != nil {
		return nil, fmt.Errorf("type-check %s: %w", path, err)
	}
	lines := map[string]finding{}
	add := func(p token.Pos, t types.Type) {
		pos := fset.Position(p)
		key := fmt.Sprintf("%s:%d", pos.Filename, pos.Line)
		if _, ok := lines[key]; !ok {
			lines[key] = finding{pos, fmt.Sprintf("floating-point type %s: money, shares and rates are integers or fixed point", t)}
		}
	}
	for e, tv := range info.Types {
		if tv.Type != nil && isFloat(tv.Type) {
			add(e.Pos(), tv.Type)
		}
	}
	for id, obj := range info.Defs {
		if obj != nil && isFloat(obj.Type()) {
			add(id.Pos(), obj.Type())
		}
	}
	out := make([]finding, 0, len(lines))
	for _, f := range lines {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b finding) int { return strings.Compare(a.String(), b.String()) })
	return out, nil
}

// exportImporter imports packages from the compiler's export data that
// `go list -export` located.
func exportImporter(t *testing.T, fset *token.FileSet, patterns ...string) types.Importer {
	t.Helper()
	exports := map[string]string{}
	for _, p := range goList(t, []string{"-export", "-deps"}, patterns...) {
		if p.Export != "" {
			exports[p.ImportPath] = p.Export
		}
	}
	return importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s (does it build?)", path)
		}
		return os.Open(f)
	})
}

func parseFiles(fset *token.FileSet, paths []string) ([]*ast.File, error) {
	var files []*ast.File
	for _, p := range paths {
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// TestDomainSource: no wall clock, no goroutines and no floating point in
// the non-test files of the domain packages.
func TestDomainSource(t *testing.T) {
	doms := domainPackages(t, modulePackages(t))
	var paths []string
	for _, p := range doms {
		paths = append(paths, p.ImportPath)
	}
	fset := token.NewFileSet()
	imp := exportImporter(t, fset, paths...)
	for _, p := range doms {
		files, err := parseFiles(fset, p.files())
		if err != nil {
			t.Errorf("%s: %v", p.rel(), err)
			continue
		}
		for _, f := range checkSyntax(fset, files) {
			t.Errorf("%s: %s", p.rel(), f)
		}
		fl, err := checkFloats(fset, p.ImportPath, files, imp)
		if err != nil {
			t.Errorf("%s: %v", p.rel(), err)
			continue
		}
		for _, f := range fl {
			t.Errorf("%s: %s", p.rel(), f)
		}
	}
}

// badSource breaks every source rule once; goodSource breaks none.
const badSource = `package bad

import (
	clock "time"
	"math"
)

type Ratio float64

type Pay struct{ Share float32 }

func Rate(a, b uint64) uint64 {
	x := 1.5
	go func() {}()
	_ = clock.Now()
	_ = clock.Since(clock.Unix(0, 0))
	return uint64(x*float64(a)) / b
}

func Root(n int) int { return int(math.Sqrt(float64(n))) }

func Half() complex128 { return 0 }
`

const goodSource = `package good

import "time"

const NanosPerSecond = 1e9 // an untyped constant, used as an integer

type Epoch struct{ Start int64 }

func End(e Epoch, d time.Duration) int64 {
	var now = func() int64 { return e.Start }
	return now() + int64(d) + NanosPerSecond
}
`

// TestSourceRules runs the checkers on sources with known answers.
func TestSourceRules(t *testing.T) {
	fset := token.NewFileSet()
	imp := exportImporter(t, fset, "time", "math")
	parse := func(name, src string) []*ast.File {
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		return []*ast.File{f}
	}
	bad := parse("bad.go", badSource)
	syn := checkSyntax(fset, bad)
	wantSyn := []string{"bad.go:14:2: go statement", "bad.go:15:6: time.Now", "bad.go:16:6: time.Since"}
	if len(syn) != len(wantSyn) {
		t.Errorf("syntax findings: got %d %v, want %d", len(syn), syn, len(wantSyn))
	}
	for i := 0; i < len(syn) && i < len(wantSyn); i++ {
		if !strings.HasPrefix(syn[i].String(), wantSyn[i]) {
			t.Errorf("syntax finding %d: got %q, want prefix %q", i, syn[i], wantSyn[i])
		}
	}
	fl, err := checkFloats(fset, "bad", bad, imp)
	if err != nil {
		t.Fatal(err)
	}
	var gotLines []int
	for _, f := range fl {
		gotLines = append(gotLines, f.pos.Line)
	}
	slices.Sort(gotLines)
	if want := []int{8, 10, 13, 17, 20, 22}; !slices.Equal(gotLines, want) {
		t.Errorf("float findings on lines: got %v, want %v (%v)", gotLines, want, fl)
	}
	good := parse("good.go", goodSource)
	if syn := checkSyntax(fset, good); len(syn) != 0 {
		t.Errorf("syntax findings in good source: got %v, want none", syn)
	}
	fl, err = checkFloats(fset, "good", good, imp)
	if err != nil {
		t.Fatal(err)
	}
	if len(fl) != 0 {
		t.Errorf("float findings in good source: got %v, want none", fl)
	}
}
