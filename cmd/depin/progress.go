package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a one-line progress bar on a terminal: steps done of a
// total, the current step's name and the elapsed time. On anything but a
// terminal (a pipe, a file, a test) it prints nothing, so that output stays
// clean for scripts.
type progress struct {
	w     io.Writer
	total int
	start time.Time
	on    bool
}

// newProgress draws on w if w is a terminal.
func newProgress(w io.Writer, total int) *progress {
	on := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			on = true
		}
	}
	return &progress{w: w, total: total, start: time.Now(), on: on}
}

// bar renders done of total as a 30-column bar.
func bar(done, total int) string {
	const width = 30
	if total <= 0 {
		total = 1
	}
	done = min(max(done, 0), total)
	n := done * width / total
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}

// step shows that done steps are finished and what runs now.
func (p *progress) step(done int, what string) {
	if !p.on {
		return
	}
	fmt.Fprintf(p.w, "\r\033[K%s %d/%d %s (%s)", bar(done, p.total), done, p.total, what, time.Since(p.start).Round(time.Second))
}

// done clears the bar.
func (p *progress) done() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
