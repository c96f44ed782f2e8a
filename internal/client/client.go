// Package client is a Go client for Keyward's Management API (/api/v1): one typed method per
// route, the domain's own types as request and response bodies, and every answer but the one a
// route documents returned as an *Error. The CLI, the lock simulator and the black-box tests use
// it; it speaks only HTTP, so it works against any Keyward server.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Client calls the Management API of one server.
type Client struct {
	base string // the API's root URL, ending in /api/v1
	http *http.Client
}

// New returns a client for the server at baseURL, its address without "/api/v1"
// ("http://127.0.0.1:8080"). httpClient sends every request and carries the OAuth access token,
// as the clients of golang.org/x/oauth2 do; nil means http.DefaultClient, which sends none.
func New(baseURL string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return &Client{base: strings.TrimSuffix(baseURL, "/") + "/api/v1", http: httpClient}
}

// Account is the part of the API under one owner account, /api/v1/Owners/{ownerId}.
type Account struct {
	c    *Client
	ID   string // the owner account's id
	path string
}

// Account returns the API of the owner account ownerID; it sends no request.
func (c *Client) Account(ownerID string) *Account {
	return &Account{c: c, ID: ownerID, path: "/Owners/" + url.PathEscape(ownerID)}
}

// Query holds the OData options of a list request; a zero field is left out. Properties that
// $select leaves out decode as zero values.
type Query struct {
	Filter  string   // $filter, e.g. "active eq true"
	OrderBy string   // $orderby, e.g. "title desc"
	Select  []string // $select
	Top     int      // $top; 0 leaves it out (a page of none is never useful)
	Skip    int      // $skip
	Expand  []string // $expand
}

// values encodes q as query parameters; a nil q has none.
func (q *Query) values() url.Values {
	v := url.Values{}
	if q == nil {
		return v
	}
	set := func(name, value string) {
		if value != "" {
			v.Set(name, value)
		}
	}
	set("$filter", q.Filter)
	set("$orderby", q.OrderBy)
	set("$select", strings.Join(q.Select, ","))
	set("$expand", strings.Join(q.Expand, ","))
	if q.Top != 0 {
		v.Set("$top", strconv.Itoa(q.Top))
	}
	if q.Skip != 0 {
		v.Set("$skip", strconv.Itoa(q.Skip))
	}
	return v
}

// expand is the query of a single-entity GET that expands the named properties.
func expand(names []string) url.Values {
	return (&Query{Expand: names}).values()
}

// seg escapes an id for use as one path segment.
func seg(id string) string { return "/" + url.PathEscape(id) }

// request is one API call: the body in is sent as JSON when not nil, and the answer must have
// status want.
type request struct {
	method, path string
	query        url.Values
	header       http.Header // sent besides the body's Content-Type
	in           any
	want         int
}

// do sends r and decodes a JSON answer into out unless out is nil. An answer with another status
// than r.want is an *Error; a failure to reach the server is returned as it is, wrapped.
func (c *Client) do(ctx context.Context, r request, out any) error {
	res, body, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	if res.StatusCode != r.want {
		return newError(res.StatusCode, body)
	}
	return decodeAnswer(r, body, out)
}

// send sends r and returns the answer with its body read, whatever its status.
func (c *Client) send(ctx context.Context, r request) (*http.Response, []byte, error) {
	req, err := c.newRequest(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("client: %s %s: %w", r.method, r.path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("client: %s %s: read answer: %w", r.method, r.path, err)
	}
	return res, body, nil
}

// decodeAnswer decodes the JSON answer to r into out unless out is nil.
func decodeAnswer(r request, body []byte, out any) error {
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("client: %s %s: decode answer: %w", r.method, r.path, err)
	}
	return nil
}

// newRequest builds the HTTP request of r.
func (c *Client) newRequest(ctx context.Context, r request) (*http.Request, error) {
	var body io.Reader
	if r.in != nil {
		b, err := json.Marshal(r.in)
		if err != nil {
			return nil, fmt.Errorf("client: %s %s: encode body: %w", r.method, r.path, err)
		}
		body = bytes.NewReader(b)
	}
	target := c.base + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("client: %s %s: %w", r.method, r.path, err)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	if r.in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// entity sends a request answered 200 with one entity.
func entity[T any](ctx context.Context, c *Client, method, path string, query url.Values, in any) (*T, error) {
	v := new(T)
	if err := c.do(ctx, request{method: method, path: path, query: query, in: in, want: http.StatusOK}, v); err != nil {
		return nil, err
	}
	return v, nil
}

// list sends a GET answered 200 with a JSON array.
func list[T any](ctx context.Context, c *Client, path string, query url.Values) ([]*T, error) {
	return listOf[T](ctx, c, http.MethodGet, path, query)
}

// listOf sends a request answered 200 with a JSON array.
func listOf[T any](ctx context.Context, c *Client, method, path string, query url.Values) ([]*T, error) {
	var v []*T
	if err := c.do(ctx, request{method: method, path: path, query: query, want: http.StatusOK}, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// noContent sends a request answered 204 without a body.
func noContent(ctx context.Context, c *Client, method, path string, in any) error {
	return c.do(ctx, request{method: method, path: path, in: in, want: http.StatusNoContent}, nil)
}
