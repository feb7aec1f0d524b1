// Package explorertest drives Debian's headless chromium over the explorer
// from Go tests (chromedp): it records every console error, exception,
// failed request and request that leaves loopback, so that a test can
// require a page to be clean, and it saves screenshots. The end-to-end
// browser test (cmd/depin, over a real devnet) uses it.
package explorertest
