package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"testing"
)

// mapRangeOK is the comment that marks a range over a map whose order
// cannot reach state, hashes or events (a sum, deletes, a mempool-local
// cleanup); it must give the reason after the marker.
const mapRangeOK = "archtest:maprange-ok"

// checkMapRange reports every range over a map in files, except
//
//   - a loop whose body only appends to one slice (collecting keys or
//     values) that the same function then sorts with sort.* or
//     slices.Sort*, and
//   - a loop on a line after a comment "//archtest:maprange-ok <reason>".
//
// Go randomises map order, so anything else may write state, hash or emit
// events in a different order on each node.
func checkMapRange(fset *token.FileSet, path string, files []*ast.File, imp types.Importer) ([]finding, error) {
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}, Defs: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: imp, FakeImportC: true}
	if _, err := conf.Check(path, fset, files, info); err != nil {
		return nil, fmt.Errorf("type-check %s: %w", path, err)
	}
	var out []finding
	for _, f := range files {
		allowed := map[int]bool{} // lines after a marker comment
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				text := strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
				if rest, ok := strings.CutPrefix(text, mapRangeOK); ok && strings.TrimSpace(rest) != "" {
					allowed[fset.Position(c.End()).Line+1] = true
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			fn, ok := n.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				return true
			}
			sorted := sortedSlices(fn.Body, info)
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				rs, ok := n.(*ast.RangeStmt)
				if !ok {
					return true
				}
				tv, ok := info.Types[rs.X]
				if !ok {
					return true
				}
				if _, isMap := tv.Type.Underlying().(*types.Map); !isMap {
					return true
				}
				pos := fset.Position(rs.Pos())
				if allowed[pos.Line] {
					return true
				}
				if obj := collectsInto(rs.Body, info); obj != nil && sorted[obj] {
					return true
				}
				out = append(out, finding{pos, "range over a map: iteration order is random; collect the keys, sort them and range over the slice"})
				return true
			})
			return false
		})
	}
	slices.SortFunc(out, func(a, b finding) int { return strings.Compare(a.String(), b.String()) })
	return out, nil
}

// collectsInto returns the slice variable a loop body only appends to
// ("s = append(s, k)", possibly under one if without else that filters),
// or nil.
func collectsInto(body *ast.BlockStmt, info *types.Info) types.Object {
	if len(body.List) != 1 {
		return nil
	}
	if ifs, ok := body.List[0].(*ast.IfStmt); ok && ifs.Else == nil && ifs.Init == nil {
		return collectsInto(ifs.Body, info)
	}
	as, ok := body.List[0].(*ast.AssignStmt)
	if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
		return nil
	}
	lhs, ok := as.Lhs[0].(*ast.Ident)
	if !ok {
		return nil
	}
	call, ok := as.Rhs[0].(*ast.CallExpr)
	if !ok || len(call.Args) < 2 {
		return nil
	}
	if fun, ok := call.Fun.(*ast.Ident); !ok || fun.Name != "append" {
		return nil
	}
	if first, ok := call.Args[0].(*ast.Ident); !ok || first.Name != lhs.Name {
		return nil
	}
	if o := info.Uses[lhs]; o != nil {
		return o
	}
	return info.Defs[lhs]
}

// sortedSlices returns the variables a function body passes as the first
// argument to sort.* or slices.Sort*.
func sortedSlices(body *ast.BlockStmt, info *types.Info) map[types.Object]bool {
	out := map[types.Object]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		pkg, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		pn, ok := info.Uses[pkg].(*types.PkgName)
		if !ok {
			return true
		}
		switch p := pn.Imported().Path(); {
		case p == "sort", p == "slices" && strings.HasPrefix(sel.Sel.Name, "Sort"):
		default:
			return true
		}
		if id, ok := call.Args[0].(*ast.Ident); ok {
			if o := info.Uses[id]; o != nil {
				out[o] = true
			}
		}
		return true
	})
	return out
}

// TestDomainMapRange: no range over a map in the non-test files of the
// domain packages unless its keys are sorted (or it is marked, with a
// reason, as unable to reach state, hashes or events).
func TestDomainMapRange(t *testing.T) {
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
		fs, err := checkMapRange(fset, p.ImportPath, files, imp)
		if err != nil {
			t.Errorf("%s: %v", p.rel(), err)
			continue
		}
		for _, f := range fs {
			t.Errorf("%s: %s", p.rel(), f)
		}
	}
}

const mapRangeSource = `package m

import (
	"slices"
	"sort"
)

type Set map[string]int

func Bad(m map[string]int) (out []string) {
	for k := range m {
		out = append(out, k)
	}
	return out
}

func BadNamed(s Set) int {
	n := 0
	for _, v := range s {
		n = n*31 + v
	}
	return n
}

func Sorted(m map[string]int) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func SortedSlices(m map[int]bool) []int {
	var keys []int
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func Marked(m map[string]int) int {
	sum := 0
	//archtest:maprange-ok a sum does not depend on order
	for _, v := range m {
		sum += v
	}
	return sum
}

func MarkedWithoutReason(m map[string]int) {
	//archtest:maprange-ok
	for k := range m {
		delete(m, k)
	}
}

func Filtered(m map[string]int) []string {
	var keys []string
	for k, v := range m {
		if v > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func FilteredUnsorted(m map[string]int) []string {
	var keys []string
	for k, v := range m {
		if v > 0 {
			keys = append(keys, k)
		}
	}
	return keys
}

func Slice(s []int) (n int) {
	for _, v := range s {
		n += v
	}
	return n
}
`

// TestMapRangeRule runs the checker on a source with known answers.
func TestMapRangeRule(t *testing.T) {
	fset := token.NewFileSet()
	imp := exportImporter(t, fset, "sort", "slices")
	f, err := parser.ParseFile(fset, "m.go", mapRangeSource, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := checkMapRange(fset, "m", []*ast.File{f}, imp)
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, x := range fs {
		lines = append(lines, x.pos.Line)
	}
	if want := []int{11, 19, 54, 72}; !slices.Equal(lines, want) {
		t.Errorf("map-range findings on lines %v, want %v (%v)", lines, want, fs)
	}
}
