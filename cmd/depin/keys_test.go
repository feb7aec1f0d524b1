package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/ledger"
)

// cliRun runs the root command in-process with --home home, stdin in, and
// every flag reset first (cobra keeps flag values between executions).
func cliRun(t *testing.T, home, in string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	keysKDF = keyring.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}
	t.Cleanup(func() { keysKDF = keyring.DefaultKDFParams() })
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetArgs(append([]string{"--home", home}, args...))
	root.SetIn(strings.NewReader(in))
	root.SetOut(&out)
	root.SetErr(&errOut)
	err = root.Execute()
	return out.String(), errOut.String(), err
}

// mustRun runs the command and fails the test on error.
func mustRun(t *testing.T, home, in string, args ...string) string {
	t.Helper()
	out, errOut, err := cliRun(t, home, in, args...)
	if err != nil {
		t.Fatalf("depin %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut)
	}
	return out
}

type infoJSON struct {
	Name      string `json:"name"`
	Address   string `json:"address"`
	PubKey    string `json:"pub_key"`
	Encrypted bool   `json:"encrypted"`
}

func TestKeysCLITestBackend(t *testing.T) {
	t.Setenv(keyring.EnvPassphrase, "")
	home := t.TempDir()
	tb := "--keyring-backend=test"
	var alice infoJSON
	if err := json.Unmarshal([]byte(mustRun(t, home, "", "keys", "add", "alice", tb, "-o", "json")), &alice); err != nil {
		t.Fatalf("add json: %v", err)
	}
	addr, err := ledger.ParseAddress(alice.Address)
	if err != nil {
		t.Fatalf("add printed address %q: %v", alice.Address, err)
	}
	if alice.Name != "alice" || alice.Encrypted || len(alice.PubKey) != 64 {
		t.Errorf("add: got %+v, want alice, unencrypted, 64 hex digits of key", alice)
	}
	mustRun(t, home, "", "keys", "add", "bob", tb)

	if got := mustRun(t, home, "", "keys", "show", "alice", "--address", tb); got != alice.Address+"\n" {
		t.Errorf("show --address: got %q, want %q", got, alice.Address+"\n")
	}
	text := mustRun(t, home, "", "keys", "show", "alice", tb)
	for _, want := range []string{"name: alice", "address: " + addr.String(), "pub_key: " + alice.PubKey, "storage: unencrypted"} {
		if !strings.Contains(text, want) {
			t.Errorf("show text %q lacks %q", text, want)
		}
	}
	var list []infoJSON
	if err := json.Unmarshal([]byte(mustRun(t, home, "", "keys", "list", "-o", "json", tb)), &list); err != nil {
		t.Fatalf("list json: %v", err)
	}
	if len(list) != 2 || list[0].Name != "alice" || list[1].Name != "bob" || list[0].Address != alice.Address {
		t.Errorf("list: got %+v, want alice then bob", list)
	}
	if got := mustRun(t, home, "", "keys", "list", tb); !strings.Contains(got, "alice  "+alice.Address) {
		t.Errorf("list text %q lacks alice's row", got)
	}

	errorCases := []struct {
		args []string
		in   string
		want string
	}{
		{[]string{"keys", "add", "alice", tb}, "", "exists"},
		{[]string{"keys", "add", "Alice", tb}, "", "invalid key name"},
		{[]string{"keys", "show", "carol", tb}, "", "no such key"},
		{[]string{"keys", "delete", "alice", tb}, "n\n", "not confirmed"},
		{[]string{"keys", "delete", "alice", tb}, "", "no answer"},
		{[]string{"keys", "add", "x", "--keyring-backend=os"}, "", "unknown keyring backend"},
		{[]string{"keys", "show", tb}, "", "accepts 1 arg"},
	}
	for _, tc := range errorCases {
		_, _, err := cliRun(t, home, tc.in, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("depin %s: got error %v, want one containing %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
	if got := mustRun(t, home, "", "keys", "show", "alice", "--address", tb); got != alice.Address+"\n" {
		t.Errorf("alice after refused delete: got %q, want %q", got, alice.Address+"\n")
	}
	if got := mustRun(t, home, "y\n", "keys", "delete", "alice", tb); !strings.Contains(got, "deleted key alice") {
		t.Errorf("delete output %q lacks confirmation", got)
	}
	mustRun(t, home, "", "keys", "delete", "bob", "--yes", tb)
	if out, errOut, err := cliRun(t, home, "", "keys", "list", tb); err != nil || out != "" || !strings.Contains(errOut, "no keys") {
		t.Errorf("list of empty keyring: got %q, %q, %v, want a note on stderr", out, errOut, err)
	}
}

func TestKeysCLIFileBackendExportImport(t *testing.T) {
	dir := t.TempDir()
	homeA, homeB := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	passB := filepath.Join(dir, "pass-b")
	if err := os.WriteFile(passB, []byte("keyring b passphrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(keyring.EnvPassphrase, "keyring a passphrase")
	t.Setenv(envExportPassphrase, "export passphrase")

	var alice infoJSON
	if err := json.Unmarshal([]byte(mustRun(t, homeA, "", "keys", "add", "alice", "-o", "json")), &alice); err != nil {
		t.Fatal(err)
	}
	if !alice.Encrypted {
		t.Errorf("file backend key not encrypted: %+v", alice)
	}
	file := filepath.Join(dir, "alice.key")
	if got := mustRun(t, homeA, "", "keys", "export", "alice", "--out", file); !strings.Contains(got, file) {
		t.Errorf("export output %q does not name %s", got, file)
	}
	if _, _, err := cliRun(t, homeA, "", "keys", "export", "alice", "--out", file); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("export over an existing file: got %v, want an exists error", err)
	}
	stdoutArmor := mustRun(t, homeA, "", "keys", "export", "alice")
	if !strings.HasPrefix(stdoutArmor, "-----BEGIN "+keyring.ArmorType) {
		t.Errorf("export to stdout: got %q, want armor", stdoutArmor)
	}

	// Home B has its own passphrase, from a file; A's env passphrase must not
	// be used for it, so clear the variable.
	t.Setenv(keyring.EnvPassphrase, "")
	var imported infoJSON
	out := mustRun(t, homeB, "", "keys", "import", "alice", file, "--passphrase-file", passB, "-o", "json")
	if err := json.Unmarshal([]byte(out), &imported); err != nil {
		t.Fatal(err)
	}
	if imported.Address != alice.Address || !imported.Encrypted {
		t.Errorf("import: got %+v, want address %s, encrypted", imported, alice.Address)
	}
	kr, err := keyring.Open(keyring.Dir(homeB), keyring.BackendFile, keyring.StaticPassphrase("keyring b passphrase"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kr.PrivateKey("alice"); err != nil {
		t.Errorf("imported key does not open with home b's passphrase: %v", err)
	}

	t.Setenv(envExportPassphrase, "wrong export passphrase")
	_, _, err = cliRun(t, homeB, "", "keys", "import", "alice2", file, "--passphrase-file", passB)
	if err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Errorf("import with wrong export passphrase: got %v, want wrong passphrase", err)
	}
	_, _, err = cliRun(t, homeB, "", "keys", "import", "alice3", filepath.Join(dir, "nope"), "--passphrase-file", passB)
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("import of missing file: got %v, want no such file", err)
	}
}

func TestKeysCLIPrompts(t *testing.T) {
	t.Setenv(keyring.EnvPassphrase, "")
	t.Setenv(envExportPassphrase, "")
	home := t.TempDir()
	// A new keyring asks for its passphrase twice.
	_, errOut, err := cliRun(t, home, "first passphrase\nfirst passphrase\n", "keys", "add", "alice")
	if err != nil {
		t.Fatalf("add with prompts: %v (%s)", err, errOut)
	}
	if !strings.Contains(errOut, "New keyring passphrase: ") || !strings.Contains(errOut, "Repeat new keyring passphrase: ") {
		t.Errorf("prompts on stderr: got %q", errOut)
	}
	if _, _, err := cliRun(t, home, "other passphrase\n", "keys", "add", "bob"); err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Errorf("add with a different passphrase: got %v, want wrong passphrase", err)
	}
	// Keyring passphrase, then the export passphrase twice, on one input.
	out := mustRun(t, home, "first passphrase\nexport pass\nexport pass\n", "keys", "export", "alice", "-o", "json")
	var v map[string]string
	if err := json.Unmarshal([]byte(out), &v); err != nil || !strings.Contains(v["armored"], keyring.ArmorType) {
		t.Errorf("export json: got %q, %v, want armored key", out, err)
	}
}
