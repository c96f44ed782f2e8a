package httpapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
)

func TestStatusOf(t *testing.T) {
	tests := []struct {
		Name string
		Err  *keyward.Error
		Want int
	}{
		{Name: "None", Err: nil, Want: 500},
		{Name: "Invalid", Err: keyward.ErrInvalid, Want: 400},
		{Name: "Unauthorized", Err: keyward.ErrNoToken, Want: 401},
		{Name: "PaymentRequired", Err: keyward.ErrInsufficientSmartphoneUserContingent, Want: 402},
		{Name: "Forbidden", Err: keyward.ErrForbidden, Want: 403},
		{Name: "NotFound", Err: keyward.ErrNotFound, Want: 404},
		{Name: "Internal", Err: keyward.ErrInternal, Want: 500},
		{Name: "UnknownKind", Err: &keyward.Error{Kind: 42}, Want: 500},
	}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			if got := statusOf(tt.Err); got != tt.Want {
				t.Errorf("statusOf = %d, want %d", got, tt.Want)
			}
		})
	}
}

func TestChallenge(t *testing.T) {
	tests := []struct {
		Name  string
		Attrs map[string]string
		Want  string
	}{
		{Name: "Nil", Attrs: nil, Want: `Bearer realm="keyward"`},
		{Name: "SortedKeys", Attrs: map[string]string{"scope": "read:grants", "error": "insufficient_scope"},
			Want: `Bearer realm="keyward", error="insufficient_scope", scope="read:grants"`},
		{Name: "RealmNotRepeated", Attrs: map[string]string{"realm": "other", "error": "invalid_token"},
			Want: `Bearer realm="keyward", error="invalid_token"`},
		{Name: "Escaped", Attrs: map[string]string{"error_description": `say "hi" \ bye`},
			Want: `Bearer realm="keyward", error_description="say \"hi\" \\ bye"`},
	}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			if got := challenge(tt.Attrs); got != tt.Want {
				t.Errorf("challenge = %s, want %s", got, tt.Want)
			}
		})
	}
}

// TestWriteError_AfterResponseStarted checks that an error raised once the body is under way is
// logged and not appended to the body.
func TestWriteError_AfterResponseStarted(t *testing.T) {
	var logs bytes.Buffer
	s := newTestServer(nil, &logs)
	rec := httptest.NewRecorder()
	w := &responseWriter{ResponseWriter: rec, status: http.StatusOK}
	_ = writeJSON(w, http.StatusOK, []string{"partial"})
	r := httptest.NewRequest("GET", "/api/v1/Owners", nil)
	s.writeError(w, r, keyward.ErrForbidden)

	if rec.Code != http.StatusOK || rec.Body.String() != `["partial"]` {
		t.Errorf("response = %d %s, want 200 [\"partial\"]", rec.Code, rec.Body)
	}
	recs := logRecords(t, &logs)
	if len(recs) != 1 || recs[0]["msg"] != "error after the response started" || recs[0]["status"] != float64(403) {
		t.Errorf("log = %v, want one record of the late 403", recs)
	}
}

func TestNew(t *testing.T) {
	t.Run("ErrMissingService", func(t *testing.T) {
		defer func() {
			if v := recover(); v == nil || !strings.Contains(v.(string), "Config.Service") {
				t.Errorf("recover() = %v, want a panic naming Config.Service", v)
			}
		}()
		New(Config{Verifier: fakeVerifier{}})
	})
	t.Run("ErrMissingVerifier", func(t *testing.T) {
		defer func() {
			if v := recover(); v == nil || !strings.Contains(v.(string), "Config.Verifier") {
				t.Errorf("recover() = %v, want a panic naming Config.Verifier", v)
			}
		}()
		New(Config{Service: &fakeService{}})
	})
	t.Run("DefaultRequestIDsDiffer", func(t *testing.T) {
		s := New(Config{Service: &fakeService{}, Verifier: fakeVerifier{}, Logger: discardLogger()})
		seen := map[string]bool{}
		for range 3 {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest("GET", "/nope", nil))
			id := rec.Header().Get("X-Request-Id")
			if len(id) != 26 || seen[id] {
				t.Errorf("X-Request-Id = %q, want a fresh 26-character id", id)
			}
			seen[id] = true
		}
	})
	t.Run("DefaultBodyLimit", func(t *testing.T) {
		s := New(Config{Service: &fakeService{}, Verifier: fakeVerifier{}, Logger: discardLogger()})
		if s.maxBody != DefaultMaxBodyBytes {
			t.Errorf("maxBody = %d, want %d", s.maxBody, DefaultMaxBodyBytes)
		}
	})
}

// TestServer_AbortHandlerPanicPropagates checks that http.ErrAbortHandler, net/http's way to abort
// a response, is not turned into a 500.
func TestServer_AbortHandlerPanicPropagates(t *testing.T) {
	s := newTestServer(&fakeService{FindOwnerFunc: func(context.Context, string) (*keyward.Owner, error) {
		panic(http.ErrAbortHandler)
	}}, io.Discard)
	req := httptest.NewRequest("GET", "/api/v1/Owners/o1", nil)
	req.Header.Set("Authorization", "Bearer good")
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recover() = %v, want http.ErrAbortHandler", v)
		}
	}()
	s.ServeHTTP(httptest.NewRecorder(), req)
	t.Error("ServeHTTP returned; want the panic to reach net/http")
}
