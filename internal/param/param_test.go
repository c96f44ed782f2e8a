package param_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/param"
)

func TestSingleForm(t *testing.T) {
	for _, tt := range []struct{ name, contentType, body, want string }{
		{"Repeated", "application/x-www-form-urlencoded", "a=1&b=2&a=3", "the parameter 'a' is repeated; RFC 6749 section 3.2 allows each parameter once"},
		{"NUL", "application/x-www-form-urlencoded", "a%22b=x%00y", "the parameter 'a'b' contains a NUL character"},
		{"NotAForm", "application/json", "{}", "the request body must be application/x-www-form-urlencoded"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.contentType)
			_, err := param.SingleForm(httptest.NewRecorder(), r)
			if pe, ok := err.(*param.Error); !ok || pe.Description != tt.want {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}
