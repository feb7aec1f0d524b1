package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIComputeRelay registers compute providers, submits a render job
// and reads it back, and opens a relay channel, through the CLI with JSON
// output; a bad scene is refused with its code.
func TestCLIComputeRelay(t *testing.T) {
	n := newCLINode(t)
	node := []string{"--node", n.url}
	n.ok("tx", "market", "create-provider", "bob", "--host-uri", "http://127.0.0.1:1")
	n.ok(append([]string{"compute", "register", "--from", "bob", "--bond", "2000000"}, node...)...)
	scene := filepath.Join(t.TempDir(), "scene.json")
	if err := os.WriteFile(scene, []byte(`{"width":32,"height":32,"camera":{"pos":[0,0,-3000],"focal":1000},"light":{"pos":[0,3000,-3000],"intensity":900},"samples":1,"spheres":[{"center":[0,0,0],"radius":1000,"color":[200,40,40]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// One replica with no verifier is refused: nobody could check it.
	if _, err := n.run(append([]string{"compute", "submit", scene, "--tiles", "4", "--replicas", "1", "--from", "alice", "--no-wait"}, node...)...); err == nil || !strings.Contains(err.Error(), "job_unverifiable") {
		t.Errorf("single replica without verifiers: got %v", err)
	}
	n.ok("tx", "market", "create-provider", "authority", "--host-uri", "http://127.0.0.1:3")
	n.ok(append([]string{"compute", "register", "--from", "authority", "--bond", "2000000"}, node...)...)
	out := n.ok(append([]string{"compute", "submit", scene, "--tiles", "4", "--replicas", "2", "--from", "alice", "--no-wait", "-o", "json"}, node...)...)
	var sub struct {
		Job string `json:"job"`
	}
	if err := json.Unmarshal([]byte(out), &sub); err != nil || sub.Job != "1" {
		t.Fatalf("submit: %q (%v)", out, err)
	}
	var st struct {
		Job struct {
			State string `json:"state"`
			Tasks uint32 `json:"tasks"`
		} `json:"job"`
		Tasks []struct {
			Slots []struct {
				State string `json:"state"`
			} `json:"slots"`
		} `json:"tasks"`
	}
	out = n.ok(append([]string{"compute", "status", "1", "-o", "json"}, node...)...)
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Job.State != "running" || st.Job.Tasks != 4 || len(st.Tasks) != 4 {
		t.Fatalf("status: %s (%v)", out, err)
	}
	if out := n.ok("query", "compute", "providers", "-o", "json"); !strings.Contains(out, `"open": "4"`) {
		t.Errorf("providers: %s", out)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	_ = os.WriteFile(bad, []byte(`{"width": 1.5}`), 0o644)
	if _, err := n.run(append([]string{"compute", "submit", bad, "--from", "alice", "--no-wait"}, node...)...); err == nil || !strings.Contains(err.Error(), "invalid job") {
		t.Errorf("bad scene: got %v", err)
	}
	n.ok(append([]string{"relay", "register", "http://127.0.0.1:2", "--from", "bob"}, node...)...)
	n.ok(append([]string{"relay", "open", "bob", "--from", "alice", "--price", "100", "--deposit", "50000"}, node...)...)
	if out := n.ok("query", "relay", "channels", "-o", "json"); !strings.Contains(out, `"balance": "50000"`) {
		t.Errorf("channels: %s", out)
	}
}
