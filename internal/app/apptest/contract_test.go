package apptest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestChecker pins the validation rule on hand-made exchanges, so that the harness cannot pass
// vacuously: each case names the mismatch it must report, or none. Each exchange is sent twice:
// the first is checked by the JSON Schema 2020-12 validator, the second by the fast one, and
// both must report the same.
func TestChecker(t *testing.T) {
	const apiError = `{"ErrorCode":"","ErrorMessage":"Bad request.","ErrorDetails":"x","UserErrorMessage":""}`
	tests := []struct {
		name, method, path, reqType, reqBody string
		status                               int
		respType, respBody                   string
		want                                 string // a substring of the one failure; "" for none
	}{
		{"HealthOK", "GET", "/healthz", "", "", 200, "application/json; charset=utf-8", `{"status":"ok"}`, ""},
		{"CaseInsensitivePath", "GET", "/HEALTHZ/", "", "", 200, "application/json", `{"status":"ok"}`, ""},
		{"BodyMismatch", "GET", "/healthz", "", "", 200, "application/json", `{"status":"fine"}`, "the response does not match GET /healthz"},
		{"NullNotAllowed", "GET", "/healthz", "", "", 200, "application/json", `{"status":null}`, "the response does not match GET /healthz"},
		{"UndocumentedStatus", "GET", "/healthz", "", "", 418, "application/json", `{"status":"ok"}`, "status is not supported"},
		{"WrongContentType", "GET", "/healthz", "", "", 200, "text/plain", `ok`, "the response does not match GET /healthz"},
		{"UndocumentedPath404", "GET", "/nowhere", "", "", 404, "application/json", `{}`, ""},
		{"UndocumentedPathAnswered", "GET", "/nowhere", "", "", 200, "application/json", `{}`, "the path is not in the document"},
		{"HTMLPageSkipped", "GET", "/account/login", "", "", 200, "text/html", `<p>`, ""},
		{"InvalidRequestRefused", "PUT", "/api/v1/Owners", "application/json", `[1]`, 400, "application/json", apiError, ""},
		{"InvalidRequestAccepted", "POST", "/connect/token", "application/x-www-form-urlencoded", `client_id=a`, 200, "application/json",
			`{"access_token":"a","token_type":"Bearer","expires_in":1,"scope":""}`, "the request does not match POST /connect/token"},
		{"RefusalWithWrongBody", "PUT", "/api/v1/Owners", "application/json", `[1]`, 400, "application/json", `{"error":"x"}`, "the response does not match PUT /api/v1/Owners"},
		{"UndocumentedMethodRefused", "DELETE", "/api/v1/Owners", "", "", 404, "application/json", apiError, ""},
		{"UndocumentedMethodOAuthBody", "GET", "/connect/token", "", "", 400, "application/json", `{"error":"invalid_request","error_description":"x"}`, ""},
		{"UndocumentedMethodWrongBody", "GET", "/connect/token", "", "", 400, "application/json", apiError, "does not match components/schemas/OAuthError"},
		{"UndocumentedMethodAnswered", "DELETE", "/api/v1/Owners", "", "", 200, "application/json", `[]`, "the method is not documented"},
		{"MetricsOnAPIListener", "GET", "/metrics", "", "", 404, "application/json", `{"error":"invalid_request","error_description":"x"}`, ""},
	}
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		for _, pass := range []string{"strict", "fast"} {
			t.Run(tc.name+"/"+pass, func(t *testing.T) {
				ch := &checker{c: c}
				h := ch.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					io.Copy(io.Discard, r.Body)
					w.Header().Set("Content-Type", tc.respType)
					w.WriteHeader(tc.status)
					io.WriteString(w, tc.respBody)
				}))
				req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.reqBody))
				if tc.reqType != "" {
					req.Header.Set("Content-Type", tc.reqType)
				}
				h.ServeHTTP(httptest.NewRecorder(), req)
				switch {
				case tc.want == "" && len(ch.failures) != 0:
					t.Errorf("failures %q, want none", ch.failures)
				case tc.want != "" && (len(ch.failures) != 1 || !strings.Contains(ch.failures[0], tc.want)):
					t.Errorf("failures %q, want one containing %q", ch.failures, tc.want)
				}
			})
		}
	}
}
