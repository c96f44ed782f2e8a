// Package apitest holds black-box checks of the Management API that several suites run against
// real servers: in-process on each engine (internal/app) and as separate `keyward serve`
// processes sharing one PostgreSQL (cmd/keyward), and the tools the OAuth suites share
// (internal/oauth and internal/app): a browser that drives the pages and a JWT forger. It talks
// to Keyward only over HTTP and imports nothing of Keyward's, so that every suite can use it.
package apitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Node is one server of the cluster under test.
type Node struct {
	// Account is the base URL of one owner account: http://host/api/v1/Owners/{ownerId}.
	Account string
	// Client sends requests with a token that holds write:core:entities and write:grants and
	// administers the account.
	Client *http.Client
}

// Response is what one request returned.
type Response struct {
	Status int
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

// Do sends a request to the node's account; path is relative to Account ("/BoundLocks").
func (n Node) Do(t testing.TB, method, path, body string) Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, n.Account+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := n.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return Response{Status: res.StatusCode, Body: b}
}

// Must sends a request and fails the test unless it answers want; it decodes a JSON body into
// out when out is not nil.
func (n Node) Must(t testing.TB, want int, method, path, body string, out any) {
	t.Helper()
	res := n.Do(t, method, path, body)
	if res.Status != want {
		t.Fatalf("%s %s: got %s, want status %d", method, path, res, want)
	}
	if out != nil {
		if err := json.Unmarshal(res.Body, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, res.Body)
		}
	}
}
