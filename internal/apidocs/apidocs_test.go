package apidocs_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/keyward/keyward/internal/apidocs"
)

const spec = `openapi: 3.1.0
info: {title: Tiny, version: "1"}
tags: [{name: t}]
paths:
  /x:
    get:
      tags: [t]
      operationId: getX
      responses: {"200": {description: the x, content: {application/json: {schema: {$ref: "#/components/schemas/X"}}}}}
components:
  schemas:
    X: {type: object, properties: {id: {type: string}}}
`

func get(h http.Handler) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/docs", nil))
	return rec
}

// TestDeferred renders on the first request exactly the page New renders at once, and answers an
// invalid document with a 500 that names no internal error, where New refuses it.
func TestDeferred(t *testing.T) {
	now, err := apidocs.New([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	want, got := get(now), get(apidocs.Deferred([]byte(spec)))
	if got.Code != 200 || !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) || !bytes.Contains(got.Body.Bytes(), []byte("getX")) ||
		got.Header().Get("Content-Security-Policy") != want.Header().Get("Content-Security-Policy") {
		t.Errorf("deferred page: %d, %d bytes, CSP %q; want 200 and New's %d bytes, CSP %q", got.Code, got.Body.Len(),
			got.Header().Get("Content-Security-Policy"), want.Body.Len(), want.Header().Get("Content-Security-Policy"))
	}
	bad := []byte("openapi: 3.1.0\npaths: {}\n")
	if _, err := apidocs.New(bad); err == nil {
		t.Error("New accepted a document without info")
	}
	rec := get(apidocs.Deferred(bad))
	if rec.Code != 500 || rec.Body.String() != "the documentation could not be rendered\n" {
		t.Errorf("deferred invalid document: %d %q; want 500 and the plain refusal", rec.Code, rec.Body.String())
	}
}
