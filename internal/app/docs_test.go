package app_test

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/keyward/keyward/api"
	"github.com/keyward/keyward/internal/app/apptest"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// loadDoc parses api/openapi.yaml as the server's tests and /docs read it.
func loadDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestDocs_ListsEveryOperation fetches /docs without a token and checks that it shows every
// operation of the document, under a policy that loads nothing from anywhere.
func TestDocs_ListsEveryOperation(t *testing.T) {
	m := apptest.Start(t, config.Config{Addr: "127.0.0.1:0", DB: sqltest.DSN(t, sqlstore.SQLite)}, io.Discard, io.Discard)
	for _, path := range []string{"/docs", "/Docs/"} {
		t.Run(path, func(t *testing.T) {
			resp, err := http.Get("http://" + m.Addr() + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", got)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			if !regexp.MustCompile(`^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$`).MatchString(csp) {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			page := string(body)
			style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(page)
			if style == nil {
				t.Fatal("the page has no style element")
			}
			sum := sha256.Sum256([]byte(style[1]))
			if hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, "style-src "+hash+";") {
				t.Errorf("the policy does not allow the page's style sheet (%s): %q", hash, csp)
			}
			for _, ref := range []string{"<script", "<link", "href=\"http", "@import", "url(", "src="} {
				if strings.Contains(page, ref) {
					t.Errorf("the page contains %q; it must need nothing from outside", ref)
				}
			}
			n := 0
			for p, item := range loadDoc(t).Paths.Map() {
				for method, op := range item.Operations() {
					n++
					want := `<h3 id="h-` + op.OperationID + `"><span class="method">` + method + `</span> <span class="path">` + html.EscapeString(p) + `</span></h3>`
					if !strings.Contains(page, want) {
						t.Errorf("/docs does not show %s %s (%s)", method, p, op.OperationID)
					}
				}
			}
			if n < 70 {
				t.Errorf("the document has only %d operations", n)
			}
		})
	}
}

// TestDocs_AuthorizationServerDocumented checks the other direction for the trees outside
// /api/v1, whose route tables api/openapi_test.go cannot build: every method of every endpoint
// of the authorization server, /healthz and /metrics is an operation of the document.
func TestDocs_AuthorizationServerDocumented(t *testing.T) {
	m := apptest.Start(t, config.Config{Addr: "127.0.0.1:0", DB: sqltest.DSN(t, sqlstore.SQLite)}, io.Discard, io.Discard)
	doc := loadDoc(t)
	want := map[string][]string{"/healthz": {"GET"}, "/metrics": {"GET"}}
	for _, e := range m.OAuth.Endpoints() {
		if strings.HasPrefix(e.Path, "/connect/") || strings.HasPrefix(e.Path, "/.well-known/") {
			want[e.Path] = e.Methods
		}
	}
	if len(want) < 11 {
		t.Fatalf("only %d paths found: %v", len(want), want)
	}
	for p, methods := range want {
		item := doc.Paths.Value(p)
		if item == nil {
			t.Errorf("%s is not in api/openapi.yaml", p)
			continue
		}
		for _, method := range methods {
			if item.GetOperation(method) == nil {
				t.Errorf("%s %s is not in api/openapi.yaml", method, p)
			}
		}
	}
}
