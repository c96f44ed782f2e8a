package httpapi

import (
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
)

func TestServer_RequestBodies(t *testing.T) {
	t.Parallel()
	invalid := func(details string) string { return errBody("", "The request is invalid.", details, "") }

	// A body of exactly the limit passes; one byte more does not.
	atLimit := `{"name":"big"` + strings.Repeat(" ", DefaultMaxBodyBytes-len(`{"name":"big"}`)) + `}`
	overLimit := atLimit + " "

	runScenarios(t, newWorld(t), []scenario{
		{Name: "OK", Method: "PUT", Path: "/api/v1/Owners", Body: `{"name":"Holiday Home"}`,
			WantStatus: 200, WantBody: `{"id":"{new}","name":"Holiday Home","active":true}`},
		{Name: "UnknownFieldsIgnored", Method: "PUT", Path: "/api/v1/Owners", Body: `{"ipId":"x","name":"Home","nested":{"a":[1]}}`,
			WantStatus: 200, WantBody: `{"id":"{new}","name":"Home","active":true}`},
		{Name: "ContentTypeWithCharset", Method: "PUT", Path: "/api/v1/Owners", Body: `{"name":"Home"}`,
			Header:     map[string]string{"Content-Type": "application/json;charset=UTF-8"},
			WantStatus: 200, WantBody: `{"id":"{new}","name":"Home","active":true}`},
		{Name: "ExactlyAtLimit", Method: "PUT", Path: "/api/v1/Owners", Body: atLimit,
			WantStatus: 200, WantBody: `{"id":"{new}","name":"big","active":true}`},
		{Name: "ErrTooLarge", Method: "PUT", Path: "/api/v1/Owners", Body: overLimit,
			WantStatus: 400, WantBody: invalid("request body exceeds 1048576 bytes")},
		{Name: "ErrEmpty", Method: "PUT", Path: "/api/v1/Owners",
			WantStatus: 400, WantBody: invalid("the request body is empty; a JSON object is required")},
		{Name: "ErrWhitespaceOnly", Method: "PUT", Path: "/api/v1/Owners", Body: " \r\n\t",
			WantStatus: 400, WantBody: invalid("the request body is empty; a JSON object is required")},
		{Name: "ErrTruncated", Method: "PUT", Path: "/api/v1/Owners", Body: `{"name":`,
			WantStatus: 400, WantBody: invalid("malformed JSON after 8 bytes: unexpected end of JSON input")},
		{Name: "ErrMissingColon", Method: "PUT", Path: "/api/v1/Owners", Body: `{"name" "x"}`,
			WantStatus: 400, WantBody: invalid("malformed JSON after 9 bytes: invalid character '\"' after object key")},
		{Name: "ErrTrailingData", Method: "PUT", Path: "/api/v1/Owners", Body: `{"name":"a"} x`,
			WantStatus: 400, WantBody: invalid("malformed JSON after 14 bytes: invalid character 'x' after top-level value")},
		{Name: "ErrArray", Method: "PUT", Path: "/api/v1/Owners", Body: `[{"name":"a"}]`,
			WantStatus: 400, WantBody: invalid("the request body must be a JSON object")},
		{Name: "ErrNull", Method: "PUT", Path: "/api/v1/Owners", Body: `null`,
			WantStatus: 400, WantBody: invalid("the request body must be a JSON object")},
		{Name: "ErrStringForBoolField", Method: "PUT", Path: "/api/v1/Owners", Body: `{"name":true}`,
			WantStatus: 400, WantBody: invalid(`field "name": expected string`)},
		{Name: "ErrNumberForRole", Method: "PUT", Path: "/api/v1/Owners/{o1}/Permissions", Body: `{"contactId":"c1","role":5}`,
			WantStatus: 400, WantBody: invalid(`field "role": expected string`)},
		{Name: "ErrObjectForString", Method: "PUT", Path: "/api/v1/Owners/{o1}/Permissions", Body: `{"contactId":{"id":"c1"}}`,
			WantStatus: 400, WantBody: invalid(`field "contactId": expected string`)},
	})
}

func TestJSONKind(t *testing.T) {
	tests := []struct {
		Name string
		Body string
		Want string
	}{
		{Name: "Bool", Body: `{"b":"x"}`, Want: `field "b": expected boolean`},
		{Name: "Int", Body: `{"i":"x"}`, Want: `field "i": expected number`},
		{Name: "PointerFloat", Body: `{"f":"x"}`, Want: `field "f": expected number`},
		{Name: "Slice", Body: `{"s":"x"}`, Want: `field "s": expected array`},
		{Name: "Struct", Body: `{"o":"x"}`, Want: `field "o": expected object`},
		{Name: "NestedField", Body: `{"o":{"n":1}}`, Want: `field "o.n": expected string`},
		{Name: "TimeIsNotRFC3339", Body: `{"t":"yesterday"}`, Want: `invalid request body: "yesterday" is not an RFC 3339 date-time with offset (e.g. 2026-01-02T03:04:05.000Z)`},
	}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			var v struct {
				B bool     `json:"b"`
				I int64    `json:"i"`
				F *float64 `json:"f"`
				S []string `json:"s"`
				O struct {
					N string `json:"n"`
				} `json:"o"`
				T keyward.Time `json:"t"`
			}
			err := decodeJSON([]byte(tt.Body), &v)
			e := keyward.ErrorOf(err)
			if e == nil || e.Kind != keyward.KindInvalid {
				t.Fatalf("err = %v, want a 400 *keyward.Error", err)
			}
			if e.Details != tt.Want {
				t.Errorf("details = %q, want %q", e.Details, tt.Want)
			}
		})
	}
}
