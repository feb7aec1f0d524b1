package dataservice

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/sig"
)

// Client reads a device's data as a grantee.
type Client struct {
	// URL is the data service's base URL.
	URL string
	// Key is the grantee's account key.
	Key sig.PrivateKey
	// Now is the clock requests are stamped with (nil: time.Now).
	Now  func() time.Time
	HTTP *http.Client
}

// ErrRefused wraps a refusal by the service.
var ErrRefused = fmt.Errorf("dataservice: refused")

func (c *Client) request(ctx context.Context, path string, channels []string, since int64) (*http.Response, error) {
	q := url.Values{"channel": channels}
	if since != 0 {
		q.Set("since", strconv.FormatInt(since, 10))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL+path+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	var n [16]byte
	_, _ = rand.Read(n[:])
	SignRequest(req, c.Key, now(), hex.EncodeToString(n[:]))
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("dataservice: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %s: %s", ErrRefused, resp.Status, string(b))
	}
	return resp, nil
}

// Read returns the device's readings of channels since a Unix ns time.
func (c *Client) Read(ctx context.Context, device ledger.Address, channels []string, since int64) ([]ReadingView, error) {
	resp, err := c.request(ctx, "/v1/devices/"+device.String()+"/readings", channels, since)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		Readings []ReadingView `json:"readings"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("dataservice: decode: %w", err)
	}
	return out.Readings, nil
}

// Stream calls fn with each reading as it arrives until the stream ends
// (grant revoked or expired, ctx done) and returns why it ended.
func (c *Client) Stream(ctx context.Context, device ledger.Address, channels []string, since int64, fn func(ReadingView)) error {
	resp, err := c.request(ctx, "/v1/devices/"+device.String()+"/stream", channels, since)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var v ReadingView
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return fmt.Errorf("dataservice: decode: %w", err)
		}
		fn(v)
	}
	return sc.Err()
}
