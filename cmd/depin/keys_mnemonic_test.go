package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/keyring"
)

// TestKeysMnemonic: keys add prints a 24-word mnemonic once, keys add
// --recover restores the same key from it (in another keyring, with the
// words typed in upper case), show -a prints the address, and a wrong word
// is refused with a hint.
func TestKeysMnemonic(t *testing.T) {
	t.Setenv(keyring.EnvPassphrase, "")
	home, other := t.TempDir(), t.TempDir()
	tb := "--keyring-backend=test"
	var added struct {
		Name     string `json:"name"`
		Address  string `json:"address"`
		Mnemonic string `json:"mnemonic"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, home, "", "keys", "add", "alice", tb, "-o", "json")), &added); err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(added.Mnemonic)); n != 24 {
		t.Fatalf("add: got a mnemonic of %d words, want 24", n)
	}
	text := mustRun(t, home, "", "keys", "add", "bob", tb)
	if !strings.Contains(text, "Write this mnemonic phrase down") || len(strings.Fields(text[strings.LastIndex(text, "\n\n"):])) != 24 {
		t.Errorf("add text: got %q, want the warning and 24 words", text)
	}
	if out := mustRun(t, home, "", "keys", "show", "bob", tb); strings.Contains(out, "mnemonic") {
		t.Errorf("show: got %q, the mnemonic must be shown only once", out)
	}
	if out := mustRun(t, home, "", "keys", "add", "carol", "--no-backup", tb); strings.Contains(out, "mnemonic") {
		t.Errorf("add --no-backup: got %q", out)
	}

	mustRun(t, other, strings.ToUpper(added.Mnemonic)+"\n", "keys", "add", "restored", "--recover", tb)
	if got := mustRun(t, other, "", "keys", "show", "restored", "-a", tb); got != added.Address+"\n" {
		t.Errorf("recovered address: got %q, want %q", got, added.Address+"\n")
	}
	// A different last word whose checksum does not match.
	words := strings.Fields(added.Mnemonic)
	for _, w := range []string{"abandon", "ability", "able", "about", "above", "absent", "absorb", "abstract"} {
		words[23] = w
		if _, err := keyring.MnemonicEntropy(strings.Join(words, " ")); err != nil {
			break
		}
	}
	_, _, err := cliRun(t, other, strings.Join(words, " ")+"\n", "keys", "add", "bad", "--recover", tb)
	if err == nil || !strings.Contains(err.Error(), "invalid mnemonic") || !strings.Contains(err.Error(), "check the words") {
		t.Errorf("recover with swapped words: got %v, want an invalid mnemonic error with a hint", err)
	}
	_, _, err = cliRun(t, other, added.Mnemonic+"\n", "keys", "add", "restored", "--recover", tb)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("recover over an existing name: got %v", err)
	}
}
