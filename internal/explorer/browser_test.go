package explorer_test

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

	"github.com/depin-network/depin/internal/indexer/indexertest"
)

// ScreenshotsEnv names a directory to keep the browser test's screenshots
// in (docs/explorer.md uses them); by default they go to a temporary
// directory that the test prints.
const ScreenshotsEnv = "DEPIN_EXPLORER_SCREENSHOTS"

// browser records what the page did: console errors, exceptions and every
// request that left loopback.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	problems []string
}

func (b *browser) note(s string) {
	b.mu.Lock()
	b.problems = append(b.problems, s)
	b.mu.Unlock()
}

func (b *browser) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.problems
	b.problems = nil
	return p
}

func newBrowser(t *testing.T) *browser {
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
	b := &browser{ctx: ctx}
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
	return b
}

func (b *browser) do(t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](t *testing.T, b *browser, js string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func location(t *testing.T, b *browser) string {
	t.Helper()
	u, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// waitFor polls a JavaScript condition until it holds; evaluation errors
// while a navigation replaces the page are retried.
func waitFor(t *testing.T, b *browser, what, cond string) {
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

// TestBrowser drives Debian's headless chromium over the explorer: every
// page loads with no console error and no request leaving loopback, the
// map shows the devices, a click on one opens its page with its reasons,
// search finds a device, an address, a tx hash and a height, the charts
// render, and each page is saved as a screenshot.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test; runs without -short")
	}
	f := newFixture(t, 120)
	b := newBrowser(t)
	shots := os.Getenv(ScreenshotsEnv)
	if shots == "" {
		var err error
		if shots, err = os.MkdirTemp("", "depin-explorer-screenshots-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	shoot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	clean := func(page string) {
		t.Helper()
		if p := b.take(); len(p) > 0 {
			t.Errorf("%s: %s", page, strings.Join(p, "; "))
		}
	}
	dev := indexertest.Device(3).String()
	pages := []struct{ name, path, ready string }{
		{"home", "/", "document.querySelector('#map').dataset.state === 'ready' && !!document.querySelector('.chart canvas')"},
		{"blocks", "/blocks", "!!document.querySelector('table tbody tr a')"},
		{"block", "/blocks/3", "!!document.querySelector('h1')"},
		{"tx", "/txs/" + f.TxHash, "!!document.querySelector('dl')"},
		{"account", "/accounts/" + f.Chain.Account(1).String(), "!!document.querySelector('table')"},
		{"devices", "/devices", "document.querySelector('#map').dataset.state === 'ready'"},
		{"device", "/devices/" + dev, "document.querySelector('#devmap').dataset.state === 'ready' && !!document.querySelector('.chart canvas')"},
		{"epochs", "/epochs", "!!document.querySelector('table tbody tr a')"},
		{"epoch", "/epochs/1", "!!document.querySelector('table')"},
		{"market", "/market", "!!document.querySelector('h1')"},
		{"governance", "/governance", "!!document.querySelector('h1')"},
		{"validators", "/validators", "!!document.querySelector('table')"},
		{"search", "/search", "!!document.querySelector('form')"},
	}
	for _, p := range pages {
		b.do(t, p.name, chromedp.Navigate(f.URL+p.path))
		waitFor(t, b, p.name+" ready", p.ready)
		shoot(p.name)
		clean(p.name)
	}

	// The map shows the devices; a click on one opens its page with reasons.
	b.do(t, "devices", chromedp.Navigate(f.URL+"/devices"))
	waitFor(t, b, "map ready", "document.querySelector('#map').dataset.state === 'ready'")
	if mode := eval[string](t, b, "document.querySelector('#map').dataset.mode"); mode != "devices" {
		t.Fatalf("map mode %q, want devices", mode)
	}
	if n := eval[int](t, b, "document.querySelectorAll('path.device-marker').length"); n != f.Devices {
		t.Fatalf("map shows %d devices, want %d", n, f.Devices)
	}
	b.do(t, "click a device", chromedp.Click("path.device-marker"))
	waitFor(t, b, "device page", "location.pathname.startsWith('/devices/pin1') && !!document.querySelector('#reasons')")
	if n := eval[int](t, b, "document.querySelectorAll('table.reasons tbody tr').length"); n == 0 {
		t.Fatal("the device page lists no reasons")
	}
	shoot("map-click-device")
	clean("map click")

	// Search finds a device, an address, a tx hash and a height.
	for q, want := range map[string]string{
		dev:                         "/devices/" + dev,
		f.Chain.Account(2).String(): "/accounts/" + f.Chain.Account(2).String(),
		strings.ToLower(f.TxHash):   "/txs/" + f.TxHash,
		"5":                         "/blocks/5",
	} {
		b.do(t, "search "+q, chromedp.Navigate(f.URL+"/"), chromedp.WaitVisible("#q"), chromedp.SendKeys("#q", q), chromedp.Submit("#q"))
		waitFor(t, b, "search result for "+q, "location.pathname === '"+want+"'")
		clean("search " + q)
	}
	// Phone width: the device page is readable without sideways scrolling.
	b.do(t, "phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(f.URL+"/devices/"+dev))
	waitFor(t, b, "phone device page", "!!document.querySelector('.chart canvas')")
	if w := eval[int](t, b, "document.documentElement.scrollWidth"); w > 420 {
		wide := eval[string](t, b, `Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 400).slice(0, 5).map(e => e.tagName + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right)).join(' ')`)
		t.Errorf("phone width: the page is %d px wide at 390 px: %s", w, wide)
	}
	shoot("device-phone")
	clean("phone")
}
