package explorertest

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ScreenshotsEnv names a directory to keep the browser test's screenshots
// in (docs/explorer.md uses them); by default they go to a temporary
// directory that the test prints.
const ScreenshotsEnv = "DEPIN_EXPLORER_SCREENSHOTS"

// Browser is a headless chromium tab that records what its pages did:
// console errors, exceptions, failed requests and every request that left
// loopback.
type Browser struct {
	ctx      context.Context
	mu       sync.Mutex
	problems []string
	shots    string
}

func (b *Browser) note(s string) {
	b.mu.Lock()
	b.problems = append(b.problems, s)
	b.mu.Unlock()
}

// Clean fails the test with what went wrong on the page since the last
// call, if anything did.
func (b *Browser) Clean(t testing.TB, page string) {
	t.Helper()
	b.mu.Lock()
	p := b.problems
	b.problems = nil
	b.mu.Unlock()
	if len(p) > 0 {
		t.Errorf("%s: %s", page, strings.Join(p, "; "))
	}
}

// New starts Debian's chromium headless; the test is skipped, loudly, when
// it is not installed (./scripts/test.sh installs it).
func New(t testing.TB) *Browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("SKIPPING browser test: chromium is not installed (./scripts/test.sh installs Debian's chromium)")
	}
	opts := append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...)
	opts = append(opts, chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()), chromedp.Flag("disable-component-update", true))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelC(); cancelA() })
	b := &Browser{ctx: ctx}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				b.note("console " + string(e.Type))
			}
		case *runtime.EventExceptionThrown:
			b.note("exception: " + e.ExceptionDetails.Text)
		case *network.EventRequestWillBeSent:
			u, err := url.Parse(e.Request.URL)
			if err != nil || (u.Scheme != "data" && u.Hostname() != "127.0.0.1") {
				b.note("request left loopback: " + e.Request.URL)
			}
		case *network.EventLoadingFailed:
			b.note("request failed: " + e.ErrorText)
		case *network.EventResponseReceived:
			if e.Response.Status >= 400 {
				b.note("HTTP " + e.Response.StatusText + " for " + e.Response.URL)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv(ScreenshotsEnv)
	if shots == "" {
		if shots, err = os.MkdirTemp("", "depin-explorer-screenshots-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	b.shots = shots
	return b
}

// Do runs browser actions, failing the test on an error.
func (b *Browser) Do(t testing.TB, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Eval evaluates a JavaScript expression in the page.
func Eval[T any](t testing.TB, b *Browser, js string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// WaitFor polls a JavaScript condition until it holds; evaluation errors
// while a navigation replaces the page are retried.
func (b *Browser) WaitFor(t testing.TB, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("waiting for %s (%s): %v", what, cond, last)
}

// Shoot saves a screenshot of the whole page as name.png.
func (b *Browser) Shoot(t testing.TB, name string) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
