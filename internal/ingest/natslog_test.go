package ingest

import (
	"bufio"
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// listeningPorts returns the TCP ports this process listens on, from
// /proc/net/tcp{,6} and the process's socket inodes.
func listeningPorts(t *testing.T) map[int]bool {
	t.Helper()
	inodes := map[string]bool{}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		l, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if ino, ok := strings.CutPrefix(l, "socket:["); err == nil && ok {
			inodes[strings.TrimSuffix(ino, "]")] = true
		}
	}
	ports := map[int]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			// local_address rem_address st ... inode (field 9)
			if len(fields) < 10 || fields[3] != "0A" || !inodes[fields[9]] {
				continue
			}
			_, port, _ := strings.Cut(fields[1], ":")
			p, err := strconv.ParseInt(port, 16, 32)
			if err == nil {
				ports[int(p)] = true
			}
		}
		f.Close()
	}
	return ports
}

// TestEmbeddedLogListensNowhere is issue 8 item 1's regression test: with
// the embedded server, the only port ingest opens is its own HTTP one, so no
// local process can publish to the log or use JetStream's API (a forged,
// unsigned beacon for a real device was cut into a segment and scored).
func TestEmbeddedLogListensNowhere(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the process's sockets from /proc")
	}
	before := listeningPorts(t)
	e := newEnv(t, testConfig(t), newFleet(1))
	_, portStr, _ := strings.Cut(e.svc.Addr(), ":")
	httpPort, _ := strconv.Atoi(portStr)
	var opened []int
	for p := range listeningPorts(t) {
		if !before[p] {
			opened = append(opened, p)
		}
	}
	if len(opened) != 1 || opened[0] != httpPort {
		t.Fatalf("ingest opened listening ports %v, want only its HTTP port %d", opened, httpPort)
	}
	if _, err := nats.Connect(fmt.Sprintf("nats://127.0.0.1:%d", server.DEFAULT_PORT), nats.Timeout(time.Second)); err == nil {
		t.Fatalf("a client reached a NATS server on the default port")
	}
	// The in-process connection still works.
	if res := submitOne(t, e, newFleetSigned(t, e)); res.Status != ingestv1.Status_STATUS_ACCEPTED {
		t.Fatalf("report through the in-process log: got %v %q", res.Status, res.Message)
	}
}

func newFleetSigned(t *testing.T, e *env) *reportv1.SignedReport {
	t.Helper()
	f := newFleet(1)
	return f.heartbeat(0, ref(e.chain))
}

// TestExternalNATSNeedsCredentials: an external server is used only with
// credentials (or an explicit nats_insecure), and with the right ones.
func TestExternalNATSNeedsCredentials(t *testing.T) {
	ns, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true, StoreDir: t.TempDir(),
		Username: "ingest", Password: "correct horse", NoLog: true, NoSigs: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	defer ns.Shutdown()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	dir := t.TempDir()
	pwFile := func(pw string) string {
		p := filepath.Join(dir, strconv.Itoa(len(pw)))
		if err := os.WriteFile(p, []byte(pw+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := testConfig(t)
	base.NATSURL = ns.ClientURL()

	if err := base.Validate(); err == nil || !strings.Contains(err.Error(), "needs credentials") {
		t.Errorf("external server without credentials: got %v, want a config error asking for credentials", err)
	}
	embedded := testConfig(t)
	embedded.NATSUser = "x"
	if err := embedded.Validate(); err == nil {
		t.Errorf("credentials without an external server: got no config error")
	}

	open := func(cfg Config) (*Service, error) {
		f := newFleet(1)
		reg := NewMemRegistry()
		f.register(reg)
		return New(cfg, Deps{Registry: reg, Kinds: testKinds, Entropy: testChain(100), Epochs: FixedEpochs{Length: 1000}}, testLogger(t))
	}
	anon := base
	anon.NATSInsecure = true
	if svc, err := open(anon); err == nil {
		svc.Close()
		t.Fatalf("anonymous connection to a server that requires a password: got no error")
	}
	wrong := base
	wrong.NATSUser, wrong.NATSPasswordFile = "ingest", pwFile("wrong")
	if svc, err := open(wrong); err == nil {
		svc.Close()
		t.Fatalf("wrong password: got no error")
	} else if strings.Contains(err.Error(), "wrong") {
		t.Errorf("error %q shows the password", err)
	}
	good := base
	good.NATSUser, good.NATSPasswordFile = "ingest", pwFile("correct horse")
	svc, err := open(good)
	if err != nil {
		t.Fatalf("right password: %v", err)
	}
	defer svc.Close()
	f := newFleet(1)
	res, err := svc.Submit(context.Background(), []*reportv1.SignedReport{f.heartbeat(0, ref(testChain(100)))})
	if err != nil || res[0].Status != ingestv1.Status_STATUS_ACCEPTED {
		t.Fatalf("report through the external log: got %v, %v", res, err)
	}
}

// TestOneNATSAdapterFile: the log is behind an interface and exactly one
// file of the package imports NATS (issue 7 item 3).
func TestOneNATSAdapterFile(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var importers []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			if strings.HasPrefix(strings.Trim(imp.Path.Value, `"`), "github.com/nats-io/") {
				importers = append(importers, f)
				break
			}
		}
	}
	if len(importers) != 1 || importers[0] != "natslog.go" {
		t.Fatalf("files importing NATS: %v, want only natslog.go", importers)
	}
}
