package keyring

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSourcesOrder(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pass")
	if err := os.WriteFile(file, []byte("from-file\r\nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const env = "DEPIN_KEYRING_TEST_PASSPHRASE"
	tests := []struct {
		name   string
		env    string
		file   string
		prompt string
		want   string
		err    error
	}{
		{"env first", "from-env", file, "from-prompt\n", "from-env", nil},
		{"empty env falls through", "", file, "from-prompt\n", "from-file", nil},
		{"file before prompt", "", file, "from-prompt\n", "from-file", nil},
		{"prompt last", "", "", "from-prompt\n", "from-prompt", nil},
		{"prompt without newline", "", "", "from-prompt", "from-prompt", nil},
		{"prompt at end of input", "", "", "", "", ErrNoPassphrase},
		{"missing file", "", filepath.Join(dir, "nope"), "x\n", "", os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(env, tt.env)
			var out bytes.Buffer
			f := Sources(env, tt.file, NewPrompter(strings.NewReader(tt.prompt), &out))
			got, err := f("Keyring passphrase", false)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err: got %v, want %v", err, tt.err)
			}
			if string(got) != tt.want {
				t.Errorf("passphrase: got %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := Sources("", "", nil)("x", false); !errors.Is(err, ErrNoPassphrase) {
		t.Errorf("no sources: got %v, want ErrNoPassphrase", err)
	}
}

func TestPrompterConfirm(t *testing.T) {
	var out bytes.Buffer
	p := NewPrompter(strings.NewReader("one\ntwo\nsame\nsame\ny\nno\n"), &out)
	if _, err := p.Passphrase("New keyring passphrase", true); !errors.Is(err, ErrPassphraseMatch) {
		t.Errorf("differing answers: got %v, want ErrPassphraseMatch", err)
	}
	got, err := p.Passphrase("New keyring passphrase", true)
	if err != nil || string(got) != "same" {
		t.Errorf("matching answers: got %q, %v, want %q", got, err, "same")
	}
	if !strings.Contains(out.String(), "Repeat new keyring passphrase: ") {
		t.Errorf("prompt output %q lacks the repeat prompt", out.String())
	}
	for _, want := range []bool{true, false} {
		if got, err := p.Confirm("delete?"); err != nil || got != want {
			t.Errorf("Confirm: got %v, %v, want %v", got, err, want)
		}
	}
}

func TestPromptedKeyring(t *testing.T) {
	// A whole session on one prompter: create (asked twice), then read.
	var out bytes.Buffer
	p := NewPrompter(strings.NewReader(testPass+"\n"+testPass+"\n"), &out)
	k := openRing(t, t.TempDir(), BackendFile, p.Passphrase)
	if _, err := k.Add("alice"); err != nil {
		t.Fatalf("Add: %v", err)
	}
	if _, err := k.PrivateKey("alice"); err != nil {
		t.Fatalf("PrivateKey: %v", err)
	}
	if got := strings.Count(out.String(), "passphrase: "); got != 2 {
		t.Errorf("prompts shown: got %d, want 2 (%q)", got, out.String())
	}
}
