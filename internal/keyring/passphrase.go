package keyring

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// EnvPassphrase is the environment variable read first for the keyring
// passphrase, so that scripts and tests run without a terminal.
const EnvPassphrase = "DEPIN_KEYRING_PASSPHRASE"

// maxPassphraseLen bounds a passphrase read from a file or a prompt.
const maxPassphraseLen = 4096

// PassphraseFunc supplies a passphrase. prompt says what it is for; confirm
// asks an interactive source to read it twice, because it is being chosen.
type PassphraseFunc func(prompt string, confirm bool) ([]byte, error)

// StaticPassphrase returns a PassphraseFunc that always yields p.
func StaticPassphrase(p string) PassphraseFunc {
	return func(string, bool) ([]byte, error) { return []byte(p), nil }
}

// Sources returns a PassphraseFunc that takes the passphrase from the first
// of: the environment variable env if set and not empty, the file named
// file if not "", and the prompter if not nil.
func Sources(env, file string, p *Prompter) PassphraseFunc {
	return func(prompt string, confirm bool) ([]byte, error) {
		if env != "" {
			if v := os.Getenv(env); v != "" {
				return []byte(v), nil
			}
		}
		if file != "" {
			return ReadPassphraseFile(file)
		}
		if p != nil {
			return p.Passphrase(prompt, confirm)
		}
		return nil, ErrNoPassphrase
	}
}

// ReadPassphraseFile reads a passphrase from the first line of a file
// (the line ending is dropped).
func ReadPassphraseFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read passphrase file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPassphraseLen+2))
	if err != nil {
		return nil, fmt.Errorf("read passphrase file: %w", err)
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) > maxPassphraseLen {
		return nil, fmt.Errorf("read passphrase file: longer than %d bytes", maxPassphraseLen)
	}
	return b, nil
}

// Prompter asks questions on a terminal, or on any reader, one line per
// answer. When in is a terminal, passphrases are read with echo off.
type Prompter struct {
	in   *bufio.Reader
	file *os.File // in, if it is a file (a terminal perhaps)
	out  io.Writer
}

// NewPrompter returns a prompter reading answers from in and writing
// questions to out. Share one prompter per process: it buffers in.
func NewPrompter(in io.Reader, out io.Writer) *Prompter {
	f, _ := in.(*os.File)
	return &Prompter{in: bufio.NewReader(in), file: f, out: out}
}

// Passphrase asks for a passphrase; with confirm it asks twice and fails
// with ErrPassphraseMatch if the answers differ.
func (p *Prompter) Passphrase(prompt string, confirm bool) ([]byte, error) {
	pass, err := p.secret(prompt + ": ")
	if err != nil {
		return nil, err
	}
	if confirm {
		again, err := p.secret("Repeat " + strings.ToLower(prompt[:1]) + prompt[1:] + ": ")
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(pass, again) {
			return nil, ErrPassphraseMatch
		}
	}
	return pass, nil
}

// Confirm asks a yes/no question; only "y" or "yes" is yes.
func (p *Prompter) Confirm(question string) (bool, error) {
	fmt.Fprint(p.out, question+" [y/N]: ")
	line, err := p.line()
	if errors.Is(err, io.EOF) {
		return false, fmt.Errorf("prompt: no answer: %w", err)
	}
	if err != nil {
		return false, err
	}
	a := strings.ToLower(strings.TrimSpace(string(line)))
	return a == "y" || a == "yes", nil
}

// secret prints the prompt and reads a line with echo off if possible.
func (p *Prompter) secret(prompt string) ([]byte, error) {
	fmt.Fprint(p.out, prompt)
	if p.file != nil && p.in.Buffered() == 0 {
		if restore, ok := echoOff(p.file); ok {
			defer func() {
				restore()
				fmt.Fprintln(p.out)
			}()
		}
	}
	b, err := p.line()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("prompt: no input: %w", ErrNoPassphrase)
	}
	return b, err
}

// line reads one line without its line ending; at the end of input with
// nothing read it returns io.EOF itself.
func (p *Prompter) line() ([]byte, error) {
	var b []byte
	for {
		chunk, isPrefix, err := p.in.ReadLine()
		if err != nil {
			if errors.Is(err, io.EOF) && len(b) > 0 {
				return b, nil
			}
			if errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("prompt: %w", err)
		}
		b = append(b, chunk...)
		if len(b) > maxPassphraseLen {
			return nil, fmt.Errorf("prompt: answer longer than %d bytes", maxPassphraseLen)
		}
		if !isPrefix {
			return b, nil
		}
	}
}
