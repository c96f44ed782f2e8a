package account

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The pages the authorization server shows in the middle of an authorization request: the
// consent page and the self-submitting form_post page. Their templates and texts live here with
// the other pages; what they say is the authorization server's to decide.

// Field is one hidden form field.
type Field struct{ Name, Value string }

// HiddenFields lists v's values in name order.
func HiddenFields(v url.Values) []Field {
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.Sort(names)
	var fields []Field
	for _, name := range names {
		for _, value := range v[name] {
			fields = append(fields, Field{name, value})
		}
	}
	return fields
}

// formPostView is the data of the response_mode=form_post page.
type formPostView struct {
	Action string
	Params []Field
}

// FormPost renders the response_mode=form_post page, which posts params to action as soon as
// it loads.
func (s *Server) FormPost(w http.ResponseWriter, r *http.Request, action string, params []Field) error {
	return s.render(w, r, http.StatusOK, "formpost", pageData{Title: s.t(r, "page.formpost.title"), View: formPostView{Action: action, Params: params}})
}

// ConsentPage is what the consent page asks a signed-in person: whether the client may have the
// scopes. The form posts Params to Action; "Not you?" signs out and returns to Return.
type ConsentPage struct {
	Session        *Session
	Client         string // the client's name
	LogoURL        string // shown only when it is an http or https URL
	Again          bool   // the user granted the client something before
	Scopes         []string
	Action, Return string
	Params         []Field
}

// consentView is the data of the consent page.
type consentView struct {
	ClientName, LogoURL, Email         string
	Again                              bool
	Scopes                             []scopeView
	Action, LogoutAction, Return, CSRF string
	Params                             []Field
}

// Consent renders the consent page, with the scopes described in the request's language and the
// form's CSRF token bound to the session.
func (s *Server) Consent(w http.ResponseWriter, r *http.Request, p ConsentPage) error {
	logo := p.LogoURL
	if !strings.HasPrefix(logo, "https://") && !strings.HasPrefix(logo, "http://") {
		logo = ""
	}
	return s.render(w, r, http.StatusOK, "consent", pageData{Title: s.t(r, "page.consent.title"), View: consentView{
		ClientName: p.Client, LogoURL: logo, Email: p.Session.User.Email, Again: p.Again,
		Scopes: s.describeScopes(s.lang(r), p.Scopes), Action: p.Action,
		LogoutAction: s.endpoint(pathLogout), Return: p.Return, CSRF: s.csrfToken(p.Session.raw),
		Params: p.Params,
	}})
}
