package portal

import (
	"regexp"
	"slices"

	"github.com/keyward/keyward/internal/keyward"
)

// fieldErrors are the texts shown next to a form's fields, by field name; "" is the form as a
// whole.
type fieldErrors map[string]string

// refusal is a form the user must correct: its status and the texts by field.
type refusal struct {
	status int
	errors fieldErrors
}

// quoted is a field name in single or double quotes in an error's English details, which is how
// the service names the field at fault ("field \"name\" is required").
var quoted = regexp.MustCompile(`["']([A-Za-z]+)["']`)

// fieldError turns a domain refusal of a form into the text next to the field at fault: the
// field the error's details name among fields, else the first of fields. The text is the
// error's localized message (the API's UserErrorMessage) or its kind's text, followed by the
// English details, which say precisely what is wrong. An error that is not the user's to
// correct (a 403 or 404 without an ErrorCode, an internal error) is returned as is, for the
// error page; a refusal with an ErrorCode (an unverified address is a 403 EmailNotVerified) is
// the form's to show.
func (s *Server) fieldError(rq *request, err error, fields ...string) (*refusal, error) {
	e := keyward.ErrorOf(err)
	if e == nil || e.Kind == keyward.KindInternal || (e.Code == "" && e.Kind != keyward.KindInvalid && e.Kind != keyward.KindPaymentRequired) {
		return nil, err
	}
	s.log.InfoContext(rq.ctx, "portal: form refused", "path", rq.r.URL.Path, "error", err)
	text := s.userText(rq, e)
	if e.Code == "" && e.Details != "" {
		text += " (" + e.Details + ")"
	}
	return &refusal{status: e.Kind.Status(), errors: fieldErrors{fieldNamed(e.Details, fields): text}}, nil
}

// fieldNamed is the first quoted name in details that is one of fields, else fields[0] ("" for
// none).
func fieldNamed(details string, fields []string) string {
	for _, m := range quoted.FindAllStringSubmatch(details, -1) {
		if slices.Contains(fields, m[1]) {
			return m[1]
		}
	}
	if len(fields) == 0 {
		return ""
	}
	return fields[0]
}
