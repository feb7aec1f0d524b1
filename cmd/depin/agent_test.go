package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/depin-network/depin/agent"
	acov "github.com/depin-network/depin/agent/coverage"
)

func TestAgentInitWritesLoadableConfig(t *testing.T) {
	home, dir := t.TempDir(), filepath.Join(t.TempDir(), "dev1")
	out, _, err := cliRun(t, home, "", "agent", "init", dir, "--region", "US915", "--cell", "0x8c1f1d4a8c8a9ff", "--ingest", "http://127.0.0.1:9999")
	if err != nil {
		t.Fatalf("agent init: %v", err)
	}
	f, err := loadAgentFile(filepath.Join(dir, "agent.toml"))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := f.Validate(); err != nil {
		t.Fatalf("validate: %v", err)
	}
	key, err := agent.LoadKey(f.KeyFile)
	if err != nil {
		t.Fatalf("load key: %v", err)
	}
	if !strings.Contains(out, key.Address().String()) {
		t.Errorf("init output %q does not name the address %s", out, key.Address())
	}
	if f.KeyFile != filepath.Join(dir, "device_key.json") || f.StateFile != filepath.Join(dir, "device_state.json") {
		t.Errorf("got paths %s, %s, want them in %s", f.KeyFile, f.StateFile, dir)
	}
	if f.Region != acov.RegionUS915 || f.Cell != 0x8c1f1d4a8c8a9ff || f.Ingest.URL != "http://127.0.0.1:9999" {
		t.Errorf("got region %s cell %x url %s", f.Region, f.Cell, f.Ingest.URL)
	}
	if f.BeaconInterval != 6*time.Hour || f.HeartbeatInterval != time.Hour {
		t.Errorf("got intervals %v, %v, want 6h, 1h", f.BeaconInterval, f.HeartbeatInterval)
	}
	if _, _, err := cliRun(t, home, "", "agent", "init", dir); err == nil {
		t.Error("second init in the same directory: got nil error")
	}
}

func TestAgentConfigErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, body, want string }{
		{"unknown key", "key_file = \"k\"\nbeacon_intervall = \"1h\"\n", "unknown keys"},
		{"bad region", "region = \"MARS\"\n", "MARS"},
		{"bad duration", "beacon_interval = \"soon\"\n", "soon"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".toml")
		if err := os.WriteFile(path, []byte(tt.body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := loadAgentFile(path); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error mentioning %q", tt.name, err, tt.want)
		}
	}
	if _, _, err := cliRun(t, t.TempDir(), "", "agent"); err == nil || !strings.Contains(err.Error(), "--config") {
		t.Errorf("agent without --config: got %v, want an error naming --config", err)
	}
}
