package client

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Error is an answer other than the one the route documents: its status and the seed's error
// body. An answer that is not that body (a proxy's page, say) keeps its text in ErrorMessage.
type Error struct {
	Status           int    `json:"-"`
	ErrorCode        string `json:"ErrorCode"` // the seed's code ("Duplicate"), "" when it names none
	ErrorMessage     string `json:"ErrorMessage"`
	ErrorDetails     string `json:"ErrorDetails"`
	UserErrorMessage string `json:"UserErrorMessage"` // localized by the request's Accept-Language
}

// newError reads an error answer.
func newError(status int, body []byte) *Error {
	e := &Error{Status: status}
	if json.Unmarshal(body, e) != nil || e.ErrorMessage == "" {
		return &Error{Status: status, ErrorMessage: strings.TrimSpace(string(body))}
	}
	return e
}

// Error shows the status, code, message and details on one line, as keyward.Error does.
func (e *Error) Error() string {
	s := fmt.Sprintf("client: status %d", e.Status)
	if e.ErrorCode != "" {
		s += " " + e.ErrorCode
	}
	if e.ErrorMessage != "" {
		s += ": " + e.ErrorMessage
	}
	if e.ErrorDetails != "" {
		s = strings.TrimSuffix(s, ".") + ": " + e.ErrorDetails
	}
	return s
}
