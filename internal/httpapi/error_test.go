package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/requestid"
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

// TestWriteError pins how errors that no request of the real service produces are written: a
// wrapped sentinel, an internal error with details, and a handler's nil entity.
func TestWriteError(t *testing.T) {
	tests := []struct {
		Name       string
		Err        error
		WantStatus int
		WantBody   string
	}{
		{Name: "WrappedDomainError", Err: fmt.Errorf("service: find owner: %w", keyward.ErrNotFound),
			WantStatus: 404, WantBody: errBody("", "The resource was not found.", "", "")},
		{Name: "InternalKindHidesDetails", Err: keyward.ErrInternal.WithCause(errors.New("disk full")).WithDetails("table grants"),
			WantStatus: 500, WantBody: internalBody},
		{Name: "NilEntityIsInternal", Err: writeEntity[keyward.Owner](httptest.NewRecorder(), nil, nil),
			WantStatus: 500, WantBody: internalBody},
	}
	s := newTestServer(newWorld(t), io.Discard)
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			r := httptest.NewRequest("GET", "/api/v1/Owners/o1", nil)
			r = r.WithContext(requestid.With(r.Context(), testRequestID))
			s.writeError(&responseWriter{ResponseWriter: rec, status: http.StatusOK}, r, tt.Err)
			if rec.Code != tt.WantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.WantStatus)
			}
			checkBody(t, rec.Body.Bytes(), tt.WantBody)
		})
	}
}

// TestWriteError_AfterResponseStarted checks that an error raised once the body is under way is
// logged and not appended to the body.
func TestWriteError_AfterResponseStarted(t *testing.T) {
	var logs bytes.Buffer
	s := newTestServer(newWorld(t), &logs)
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
	w := newWorld(t)
	services := w.svc.Services()
	noGrants := services
	noGrants.Grants = nil
	for name, cfg := range map[string]Config{
		"ErrMissingServices": {Verifier: w},
		"ErrMissingService":  {Services: noGrants, Verifier: w},
		"ErrMissingVerifier": {Services: services},
	} {
		t.Run(name, func(t *testing.T) {
			want := map[string]string{"ErrMissingServices": "httpapi: New needs Config.Services.Owners",
				"ErrMissingService": "httpapi: New needs Config.Services.Grants", "ErrMissingVerifier": "httpapi: New needs Config.Verifier"}[name]
			defer func() {
				if v := recover(); v != want {
					t.Errorf("recover() = %v, want the panic %q", v, want)
				}
			}()
			New(cfg)
		})
	}
	t.Run("DefaultRequestIDsDiffer", func(t *testing.T) {
		s := New(Config{Services: services, Verifier: w, Logger: discardLogger()})
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
		s := New(Config{Services: services, Verifier: w, Logger: discardLogger()})
		if s.maxBody != DefaultMaxBodyBytes {
			t.Errorf("maxBody = %d, want %d", s.maxBody, DefaultMaxBodyBytes)
		}
	})
}

// TestServer_AbortHandlerPanicPropagates checks that http.ErrAbortHandler, net/http's way to abort
// a response, is not turned into a 500.
func TestServer_AbortHandlerPanicPropagates(t *testing.T) {
	s := newTestServer(newWorld(t), io.Discard)
	req := httptest.NewRequest("GET", "/api/v1/Owners/o1", nil)
	req.Header.Set("Authorization", "Bearer abort")
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recover() = %v, want http.ErrAbortHandler", v)
		}
	}()
	s.ServeHTTP(httptest.NewRecorder(), req)
	t.Error("ServeHTTP returned; want the panic to reach net/http")
}
