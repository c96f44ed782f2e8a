package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/oauth"
	"github.com/keyward/keyward/internal/sqlstore"
)

// malformed are parameter values no endpoint may look up or store: PostgreSQL refuses both in
// TEXT columns, SQLite would store them.
var malformed = []struct{ name, raw, description string }{
	{"NUL", "a%00b", "contains a NUL character"},
	{"InvalidUTF8", "a%ffb", "is not valid UTF-8"},
}

// oauthRequest is one request to the authorization server, built raw so that it can carry any
// bytes.
type oauthRequest struct {
	method, path, query, form, basic string
	base                             string // the node, the fixture's when ""
	bearer                           string // an access token for the Authorization header
}

func (e *authEnv) send(t *testing.T, q oauthRequest, cookie string) response {
	t.Helper()
	base := q.base
	if base == "" {
		base = e.base
	}
	target := base + q.path
	if q.query != "" {
		target += "?" + q.query
	}
	req, err := http.NewRequest(q.method, target, strings.NewReader(q.form))
	e.must(err)
	if q.method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if q.basic != "" {
		req.Header.Set("Authorization", "Basic "+q.basic)
	}
	if q.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+q.bearer)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	res, err := http.DefaultClient.Do(req)
	e.must(err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	e.must(err)
	return response{status: res.StatusCode, header: res.Header, body: strings.TrimSuffix(string(raw), "\n")}
}

// malformedRequests generates, for every endpoint and every parameter it reads, the requests
// that carry a malformed value: in the query of every method but OPTIONS, and in the form body
// of a POST.
func malformedRequests(endpoints []oauth.Endpoint, raw string) map[string]oauthRequest {
	reqs := map[string]oauthRequest{}
	for _, ep := range endpoints {
		for _, param := range ep.Params {
			pair := url.QueryEscape(param) + "=" + raw
			for _, method := range ep.Methods {
				if method == http.MethodOptions {
					continue // a CORS preflight reads no parameter; the request it precedes is refused
				}
				reqs[method+" "+ep.Path+" query "+param] = oauthRequest{method: method, path: ep.Path, query: pair}
				if method == http.MethodPost {
					reqs[method+" "+ep.Path+" form "+param] = oauthRequest{method: method, path: ep.Path, form: pair}
				}
			}
		}
	}
	return reqs
}

// TestMalformedParametersEverywhere sends every parameter of every endpoint with a NUL and with
// invalid UTF-8: the JSON endpoints answer 400 invalid_request naming the parameter, the pages
// an error page with status 400, and nothing is stored.
func TestMalformedParametersEverywhere(t *testing.T) {
	forEachAuthEnv(t, func(t *testing.T, e *authEnv) {
		endpoints := e.m.OAuth.Endpoints()
		pages := map[string]bool{}
		for _, ep := range endpoints {
			pages[ep.Path] = ep.Page
		}
		before := rowCounts(t, e.m.Store)
		for _, bad := range malformed {
			reqs := malformedRequests(endpoints, bad.raw)
			reqs["POST /connect/token basic client_id"] = oauthRequest{method: http.MethodPost, path: "/connect/token",
				form: "grant_type=client_credentials", basic: "YQBi" + "OnNlY3JldA=="} // base64("a\x00b:secret")
			for name, q := range reqs {
				t.Run(bad.name+"/"+name, func(t *testing.T) {
					param := name[strings.LastIndexByte(name, ' ')+1:]
					description := "the parameter '" + param + "' " + bad.description
					if q.basic != "" {
						description = "the HTTP Basic client_id contains a NUL character"
					}
					res := e.send(t, q, "")
					if pages[q.path] {
						p := &apitest.Page{Status: res.status, Body: res.body}
						got := []any{p.Status, res.header.Get("Content-Type"), p.Text("code"), p.Text("description")}
						want := []any{400, "text/html; charset=utf-8", "Error: invalid_request", description}
						if diff := cmp.Diff(want, got); diff != "" {
							t.Errorf("(-want +got):\n%s", diff)
						}
						return
					}
					want := `{"error":"invalid_request","error_description":"` + description + `"}`
					if res.status != 400 || res.body != want {
						t.Errorf("got %d %s\nwant 400 %s", res.status, res.body, want)
					}
				})
			}
		}
		if diff := cmp.Diff(before, rowCounts(t, e.m.Store)); diff != "" {
			t.Errorf("rows changed (-before +after):\n%s", diff)
		}
	})
}

// rowCounts counts the rows of every table.
func rowCounts(t *testing.T, db *sqlstore.DB) map[string]int {
	t.Helper()
	ctx := context.Background()
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.Engine() == sqlstore.Postgres {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`
	}
	rows, err := db.SQL().QueryContext(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	counts := map[string]int{}
	for _, table := range tables {
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	return counts
}

// internalText are fragments of the errors Go, the drivers and Keyward's own layers produce;
// none may reach a client.
var internalText = []string{"sql", "database", "closed", "oauth:", "keyward", "%!", "no rows", "context", "The resource was not found"}

// TestNoInternalErrorText breaks the database and sends every endpoint every method it serves,
// with every parameter it reads set, signed out and with a session cookie: each answer is a
// refusal or the generic server error, and none carries internal error text.
func TestNoInternalErrorText(t *testing.T) {
	forEachAuthEnv(t, func(t *testing.T, e *authEnv) {
		endpoints := e.m.OAuth.Endpoints()
		e.must(e.m.Store.Close())
		const serverError = `{"error":"server_error","error_description":"the server failed to process the request"}`
		for _, ep := range endpoints {
			values := url.Values{}
			for _, p := range ep.Params {
				values.Set(p, "x")
			}
			variants := []url.Values{values}
			if slices.Contains(ep.Params, "grant_type") {
				for _, g := range []string{"client_credentials", "authorization_code", "refresh_token", "http://tapkey.net/oauth/token_exchange"} {
					v := url.Values{}
					for k, vs := range values {
						v[k] = vs
					}
					v.Set("grant_type", g)
					variants = append(variants, v)
				}
			}
			for _, method := range ep.Methods {
				for i, v := range variants {
					for _, cookie := range []string{"", "kw_session=abc; kw_presession=def"} {
						q := oauthRequest{method: method, path: ep.Path, query: v.Encode()}
						if method == http.MethodPost {
							q = oauthRequest{method: method, path: ep.Path, form: v.Encode()}
						}
						t.Run(fmt.Sprintf("%s %s %d cookie=%t", method, ep.Path, i, cookie != ""), func(t *testing.T) {
							res := e.send(t, q, cookie)
							for _, frag := range internalText {
								if strings.Contains(res.body, frag) {
									t.Errorf("%d: the answer contains %q:\n%s", res.status, frag, res.body)
								}
							}
							if res.status == 500 && !ep.Page && res.body != serverError {
								t.Errorf("500 body %s, want %s", res.body, serverError)
							}
							if res.status == 500 && ep.Page && !strings.Contains(res.body, "Something went wrong on our side. Please try again later.") {
								t.Errorf("500 page without the generic text:\n%s", res.body)
							}
						})
					}
				}
			}
		}
	})
}
