package main

import (
	"bytes"
	"testing"
)

func TestProgressBar(t *testing.T) {
	for _, tt := range []struct {
		done, total int
		want        string
	}{
		{0, 10, "[..............................]"},
		{5, 10, "[###############...............]"},
		{10, 10, "[##############################]"},
		{12, 10, "[##############################]"},
		{1, 0, "[##############################]"},
	} {
		if got := bar(tt.done, tt.total); got != tt.want {
			t.Errorf("bar(%d, %d): got %s, want %s", tt.done, tt.total, got, tt.want)
		}
	}
	var b bytes.Buffer
	p := newProgress(&b, 3)
	p.step(1, "x")
	p.done()
	if b.Len() != 0 {
		t.Errorf("progress on a buffer (not a terminal): got %q, want nothing", b.String())
	}
}
