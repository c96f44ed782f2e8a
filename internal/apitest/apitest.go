// Package apitest is Keyward's test support: the small helpers every suite needs (Ptr, Deref,
// Output), raw HTTP requests for the tests that are about the wire itself, black-box checks of
// the Management API that several suites run against real servers (in-process on each engine in
// internal/app, and as separate `keyward serve` processes sharing one PostgreSQL in cmd/keyward),
// and the tools the OAuth suites share: a browser that drives the pages and a JWT forger. It
// talks to Keyward only over HTTP, raw or through internal/client.
package apitest

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/lockproto"
)

// Response is what one request returned.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// ErrorCode returns the ErrorCode of an error body, "" for anything else.
func (r Response) ErrorCode() string {
	var e struct{ ErrorCode string }
	_ = json.Unmarshal(r.Body, &e)
	return e.ErrorCode
}

// String shows the response in failure messages.
func (r Response) String() string { return fmt.Sprintf("%d %s", r.Status, r.Body) }

// JSON shows a value in failure messages as JSON, for what a client call read.
func JSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// Do sends one raw request, for tests about the wire itself: c sends it (http.DefaultClient
// when nil), a body that is not "" goes as application/json, and header is set on top. It
// fails the test when the request cannot be made or answered.
func Do(t testing.TB, c *http.Client, method, url, body string, header http.Header) Response {
	t.Helper()
	if c == nil {
		c = http.DefaultClient
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// Must sends a raw request and fails the test unless it answers want; it decodes a JSON body
// into out when out is not nil.
func Must(t testing.TB, c *http.Client, want int, method, url, body string, out any) {
	t.Helper()
	res := Do(t, c, method, url, body, nil)
	if res.Status != want {
		t.Fatalf("%s %s: got %s, want status %d", method, url, res, want)
	}
	if out != nil {
		if err := json.Unmarshal(res.Body, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, res.Body)
		}
	}
}

// DeviceKey is a fresh lock device public key, for registering locks that a test never syncs.
func DeviceKey() ed25519.PublicKey {
	pub, _ := lockproto.NewDeviceKey()
	return pub
}
