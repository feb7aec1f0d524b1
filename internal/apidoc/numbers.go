package apidoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// UnmarshalNumbers decodes JSON into v, accepting either form for the
// 64-bit integer fields that v's type tags ",string": a decimal string (what
// depin writes, apidoc's contract) or a bare number (what older files
// hold, such as an oracle's score files written before issue 11). Only
// numbers under those fields' keys are read as strings; a key that is a
// ",string" integer in one struct of v's type and a plain number in
// another makes the bare form an error, never a guess.
func UnmarshalNumbers(b []byte, v any) error {
	err := json.Unmarshal(b, v)
	if err == nil {
		return nil
	}
	quoted, plain := map[string]bool{}, map[string]bool{}
	collectKeys(reflect.TypeOf(v), quoted, plain, map[reflect.Type]bool{})
	for k := range quoted {
		if plain[k] {
			return err
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var tree any
	if dec.Decode(&tree) != nil || !quoteNumbers(tree, quoted) {
		return err
	}
	b, mErr := json.Marshal(tree)
	if mErr != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("apidoc: decode with bare 64-bit numbers: %w", err)
	}
	return nil
}

// collectKeys records the JSON keys (lower case: encoding/json matches keys
// case-insensitively) of t's integer fields, with and without ",string".
func collectKeys(t reflect.Type, quoted, plain map[string]bool, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		name = strings.ToLower(name)
		switch f.Type.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if hasOpt(opts, "string") {
				quoted[name] = true
			} else {
				plain[name] = true
			}
		default:
			collectKeys(f.Type, quoted, plain, seen)
		}
	}
}

func hasOpt(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

// quoteNumbers turns the bare numbers under the quoted keys into strings
// and reports whether it changed any.
func quoteNumbers(v any, quoted map[string]bool) bool {
	changed := false
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if n, ok := val.(json.Number); ok && quoted[strings.ToLower(k)] {
				x[k] = string(n)
				changed = true
				continue
			}
			changed = quoteNumbers(val, quoted) || changed
		}
	case []any:
		for _, val := range x {
			changed = quoteNumbers(val, quoted) || changed
		}
	}
	return changed
}

// Unquoted64 lists the 64-bit integer fields of t (and of the structs it
// holds) that JSON would write as bare numbers, as "Type.Field" paths:
// services' tests require it empty for every response type.
func Unquoted64(t reflect.Type) []string {
	var out []string
	unquoted64(t, map[reflect.Type]bool{}, &out)
	return out
}

func unquoted64(t reflect.Type, seen map[reflect.Type]bool, out *[]string) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		switch f.Type.Kind() {
		case reflect.Int64, reflect.Uint64:
			if !hasOpt(opts, "string") {
				*out = append(*out, t.Name()+"."+f.Name)
			}
		default:
			unquoted64(f.Type, seen, out)
		}
	}
}
