package chain_test

import (
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// args are the key=value arguments of a scenario command. A value may
// carry Go string escapes (\x01, \x20) for bytes a field cannot hold. Each argument
// must be taken exactly once: done fails on leftovers, so that a typo in a
// scenario file is an error, not a silently ignored option.
type args struct {
	t  *testing.T
	kv map[string]string
}

func parseArgs(t *testing.T, fields []string) args {
	t.Helper()
	a := args{t: t, kv: make(map[string]string)}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			t.Fatalf("argument %q: want key=value", f)
		}
		if strings.Contains(v, `\`) {
			u, err := strconv.Unquote(`"` + v + `"`)
			if err != nil {
				t.Fatalf("argument %q: escapes: %v", f, err)
			}
			v = u
		}
		if _, dup := a.kv[k]; dup {
			t.Fatalf("argument %q given twice", k)
		}
		a.kv[k] = v
	}
	return a
}

func (a args) has(k string) bool { _, ok := a.kv[k]; return ok }

// take returns a required argument.
func (a args) take(k string) string {
	v, ok := a.kv[k]
	if !ok {
		a.t.Fatalf("missing argument %s=", k)
	}
	delete(a.kv, k)
	return v
}

// opt returns an optional argument or def.
func (a args) opt(k, def string) string {
	if v, ok := a.kv[k]; ok {
		delete(a.kv, k)
		return v
	}
	return def
}

func (a args) optU64(k string, def uint64) uint64 {
	if v, ok := a.kv[k]; ok {
		delete(a.kv, k)
		return parseU64(a.t, v)
	}
	return def
}

// list returns a comma-separated optional argument.
func (a args) list(k string) []string {
	v := a.opt(k, "")
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// done fails if an argument was not used.
func (a args) done() {
	if len(a.kv) == 0 {
		return
	}
	left := make([]string, 0, len(a.kv))
	for k := range a.kv {
		left = append(left, k)
	}
	sort.Strings(left)
	a.t.Fatalf("unused arguments %v", left)
}

func parseU64(t *testing.T, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		t.Fatalf("number %q: %v", s, err)
	}
	return v
}

func parseI32(t *testing.T, s string) int32 {
	t.Helper()
	v, err := strconv.ParseInt(s, 0, 32)
	if err != nil {
		t.Fatalf("number %q: %v", s, err)
	}
	return int32(v)
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("hex %q: %v", s, err)
	}
	return b
}

func splitPair(t *testing.T, s string) (string, string) {
	t.Helper()
	k, v, ok := strings.Cut(s, ":")
	if !ok {
		t.Fatalf("%q: want <a>:<b>", s)
	}
	return k, v
}
