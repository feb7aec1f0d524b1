package main

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	cmtversion "github.com/cometbft/cometbft/version"
)

func TestVersion(t *testing.T) {
	home := t.TempDir()
	out := mustRun(t, home, "", "version")
	for _, want := range []string{"depin:", "commit:", runtime.Version(), cmtversion.TMCoreSemVer} {
		if !strings.Contains(out, want) {
			t.Errorf("version: got %q, want it to contain %q", out, want)
		}
	}
	var v buildVersion
	if err := json.Unmarshal([]byte(mustRun(t, home, "", "version", "-o", "json")), &v); err != nil {
		t.Fatal(err)
	}
	if v.Version == "" || v.Commit == "" || v.Go != runtime.Version() || v.CometBFT != "0.38.26" {
		t.Errorf("version -o json: got %+v", v)
	}
}
