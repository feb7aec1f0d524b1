package apidoc

import (
	"reflect"
	"slices"
	"testing"
)

type numbersInner struct {
	Name  string `json:"name"`
	Value uint64 `json:"value,string"`
}

type numbersOuter struct {
	Epoch  uint64         `json:"epoch,string"`
	Height int64          `json:"height,string"`
	Bps    uint32         `json:"bps"`
	Stats  []numbersInner `json:"stats"`
	Root   string         `json:"root"`
}

func TestUnmarshalNumbers(t *testing.T) {
	want := numbersOuter{Epoch: 7, Height: -3, Bps: 250, Stats: []numbersInner{{"a", 1 << 60}}, Root: "12"}
	for _, tt := range []struct{ name, in string }{
		{"strings", `{"epoch":"7","height":"-3","bps":250,"stats":[{"name":"a","value":"1152921504606846976"}],"root":"12"}`},
		{"bare numbers", `{"epoch":7,"height":-3,"bps":250,"stats":[{"name":"a","value":1152921504606846976}],"root":"12"}`},
		{"mixed, old key case", `{"epoch":"7","height":-3,"bps":250,"stats":[{"Name":"a","Value":1152921504606846976}],"root":"12"}`},
	} {
		var got numbersOuter
		if err := UnmarshalNumbers([]byte(tt.in), &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, %v; want %+v", tt.name, got, err, want)
		}
	}
	for _, bad := range []string{
		`{"epoch":7.5}`,                  // not an integer either way
		`{"epoch":"x"}`,                  // not a number
		`{"bps":"250"}`,                  // a 32-bit field stays a number
		`{"root":12}`,                    // a string field is not quoted for it
		`{"epoch":18446744073709551616}`, // overflows uint64
		`[`,
	} {
		var got numbersOuter
		if err := UnmarshalNumbers([]byte(bad), &got); err == nil {
			t.Errorf("%s: got %+v, want an error", bad, got)
		}
	}
	// A key that is quoted in one struct and a plain number in another is
	// ambiguous: the bare form is refused.
	type amb struct {
		A struct {
			N uint64 `json:"n,string"`
		} `json:"a"`
		B struct {
			N uint32 `json:"n"`
		} `json:"b"`
	}
	var a amb
	if err := UnmarshalNumbers([]byte(`{"a":{"n":1},"b":{"n":2}}`), &a); err == nil {
		t.Errorf("ambiguous key: got %+v, want an error", a)
	}
	if err := UnmarshalNumbers([]byte(`{"a":{"n":"1"},"b":{"n":2}}`), &a); err != nil || a.A.N != 1 || a.B.N != 2 {
		t.Errorf("ambiguous key, new form: got %+v, %v", a, err)
	}
}

func TestUnquoted64(t *testing.T) {
	if got := Unquoted64(reflect.TypeOf(numbersOuter{})); len(got) != 0 {
		t.Errorf("got %v, want none", got)
	}
	type bad struct {
		A uint64 `json:"a"`
		B int64
		C []struct {
			D uint64 `json:"d,omitempty"`
		} `json:"c"`
		E uint32 `json:"e"`
		F uint64 `json:"-"`
		g uint64
	}
	got := Unquoted64(reflect.TypeOf(&bad{}))
	slices.Sort(got)
	if want := []string{".D", "bad.A", "bad.B"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	_ = bad{}.g
}
