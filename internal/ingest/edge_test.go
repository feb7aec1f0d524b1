package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	ingestv1 "github.com/depin-network/depin/proto/depin/ingest/v1"
	"github.com/depin-network/depin/proto/depin/ingest/v1/ingestv1connect"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// The tests of issue 8 item 7: the ingest edge against hostile clients.

// TestUnregisteredKeyCostsNoVerification: the registry is consulted before
// the signature, so an unregistered key's report is refused as unknown,
// whatever its signature, and its key never enters the verification cache.
func TestUnregisteredKeyCostsNoVerification(t *testing.T) {
	e := newEnv(t, testConfig(t), newFleet(1))
	stranger := newFleet(4) // device 0 is registered, 1 to 3 are not
	var batch []*reportv1.SignedReport
	for i := 1; i <= 3; i++ {
		sr := stranger.heartbeat(i, ref(e.chain))
		sr.Signature[5] ^= 1 // garbage: would be BAD_SIGNATURE if verified first
		batch = append(batch, sr)
	}
	res, err := e.svc.Submit(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Status != ingestv1.Status_STATUS_UNKNOWN_DEVICE {
			t.Errorf("report %d: got %v %q, want unknown device", i, r.Status, r.Message)
		}
	}
	if n := e.svc.keys.Len(); n != 0 {
		t.Errorf("the verification cache holds %d keys of unregistered devices, want 0", n)
	}
}

// TestConnectionLimit: reports on one connection share a bucket whatever
// their devices; another connection has its own.
func TestConnectionLimit(t *testing.T) {
	f := newFleet(12)
	cfg := testConfig(t)
	cfg.ConnRate, cfg.ConnBurst = 1, 5
	e := newEnv(t, cfg, f)
	stop := e.run(t)
	defer stop()
	base := "http://" + e.svc.Addr()
	newClient := func() ingestv1connect.IngestServiceClient {
		tr := &http.Transport{MaxConnsPerHost: 1}
		t.Cleanup(tr.CloseIdleConnections)
		return ingestv1connect.NewIngestServiceClient(&http.Client{Transport: tr, Timeout: 30 * time.Second}, base)
	}
	submit := func(c ingestv1connect.IngestServiceClient, devs ...int) []ingestv1.Status {
		var batch []*reportv1.SignedReport
		for _, d := range devs {
			batch = append(batch, f.heartbeat(d, ref(e.chain)))
		}
		res, err := c.SubmitBatch(context.Background(), connect.NewRequest(&ingestv1.SubmitBatchRequest{Reports: batch}))
		if err != nil {
			t.Fatal(err)
		}
		var out []ingestv1.Status
		for _, r := range res.Msg.GetResults() {
			out = append(out, r.GetStatus())
			if r.GetStatus() == ingestv1.Status_STATUS_RATE_LIMITED && !strings.Contains(r.GetMessage(), "connection") {
				t.Errorf("rate limited with %q, want the connection named", r.GetMessage())
			}
		}
		return out
	}
	acc, lim := ingestv1.Status_STATUS_ACCEPTED, ingestv1.Status_STATUS_RATE_LIMITED
	one := newClient()
	if got, want := submit(one, 0, 1, 2), []ingestv1.Status{acc, acc, acc}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("first batch: got %v, want %v", got, want)
	}
	// Six devices, each far below its own limit: the connection has 2 left.
	if got, want := submit(one, 3, 4, 5, 6, 7, 8), []ingestv1.Status{acc, acc, lim, lim, lim, lim}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("second batch on the same connection: got %v, want %v", got, want)
	}
	if got, want := submit(newClient(), 9, 10, 11), []ingestv1.Status{acc, acc, acc}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("another connection: got %v, want %v", got, want)
	}
}

// TestSlowBodyCutOff: a request whose body trickles in (the hostile tester
// sent 1 byte per second and was still being read after 40 s) is cut off
// by the read timeout, over HTTP/1.1 and over h2c.
func TestSlowBodyCutOff(t *testing.T) {
	cfg := testConfig(t)
	cfg.ReadTimeout = 500 * time.Millisecond
	e := newEnv(t, cfg, nil)
	stop := e.run(t)
	defer stop()
	const bodyLen = 200 // at 10 bytes/s, 20 s: far past the timeout
	path := ingestv1connect.IngestServiceSubmitBatchProcedure

	t.Run("http1", func(t *testing.T) {
		c, err := net.Dial("tcp", e.svc.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/proto\r\nContent-Length: %d\r\n\r\n", path, bodyLen)
		closed := make(chan struct{})
		go func() {
			defer close(closed)
			_, _ = io.Copy(io.Discard, bufio.NewReader(c)) // until the server closes
		}()
		sent := trickle(t, c, bodyLen, closed)
		if sent >= bodyLen {
			t.Fatalf("the server read the whole slow body (%d bytes) without cutting it off", sent)
		}
	})

	t.Run("h2c", func(t *testing.T) {
		var p http.Protocols
		p.SetUnencryptedHTTP2(true)
		client := &http.Client{Transport: &http.Transport{Protocols: &p}}
		pr, pw := io.Pipe()
		req, err := http.NewRequest(http.MethodPost, "http://"+e.svc.Addr()+path, pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/proto")
		done := make(chan struct{})
		go func() {
			defer close(done)
			res, err := client.Do(req)
			if err == nil {
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
			pr.CloseWithError(errors.New("request over"))
		}()
		sent := trickle(t, pw, bodyLen, done)
		pw.Close()
		<-done
		if sent >= bodyLen {
			t.Fatalf("the server read the whole slow body (%d bytes) without cutting it off", sent)
		}
	})
}

// trickle writes n bytes at 10 bytes a second until the server gives up
// (closed is closed or a write fails) and returns how many it wrote.
func trickle(t *testing.T, w io.Writer, n int, closed <-chan struct{}) int {
	t.Helper()
	for i := range n {
		select {
		case <-closed:
			return i
		case <-time.After(100 * time.Millisecond):
		}
		if _, err := w.Write([]byte{0}); err != nil {
			return i
		}
	}
	return n
}

// TestEdgeErrorsInOwnWords: a request body that does not decode is refused
// with invalid_argument and depin's message, never the protobuf library's
// text, in binary and JSON.
func TestEdgeErrorsInOwnWords(t *testing.T) {
	e := newEnv(t, testConfig(t), nil)
	stop := e.run(t)
	defer stop()
	url := "http://" + e.svc.Addr() + ingestv1connect.IngestServiceSubmitBatchProcedure
	for _, tc := range []struct{ name, ctype, body string }{
		{"proto", "application/proto", "\x0a\xff\xff\xff"},
		{"json", "application/json", `{"reports": 7}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := http.Post(url, tc.ctype, bytes.NewReader([]byte(tc.body)))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `"invalid_argument"`) {
				t.Fatalf("got %d %s, want 400 invalid_argument", res.StatusCode, b)
			}
			if !strings.Contains(string(b), errBadBody.Error()) {
				t.Errorf("got %s, want the message %q", b, errBadBody)
			}
			for _, lib := range []string{"proto:", "protojson", "cannot parse", "syntax error", "unexpected token", "*ingestv1."} {
				if strings.Contains(string(b), lib) {
					t.Errorf("error body %s carries library text %q", b, lib)
				}
			}
		})
	}
}
