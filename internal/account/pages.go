package account

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"

	"github.com/keyward/keyward/internal/i18n"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/pageset"
	"github.com/keyward/keyward/internal/param"
)

//go:embed pages/*.html pages/style.css
var pageFiles embed.FS

// formPostScript submits the response_mode=form_post page on load. It is the only script of
// any page, allowed by its hash in the Content-Security-Policy.
const formPostScript = "document.forms[0].submit();"

// appName is the product name in every page's header and title; a name is not translated.
const appName = "Keyward"

// pageSet is the pages, parsed per language on first use, with their style (pageset), and
// their policies.
type pageSet struct {
	*pageset.Set
	csp   string // the policy of every page but form_post
	cspFP string // the policy of the form_post page, which may run formPostScript
}

// loadPages makes the page set on its first call, once per process, and returns that result
// ever after: the templates and the catalogs they take their texts from are the same for every
// server. A missing style sheet stops New.
var loadPages = sync.OnceValues(newPages)

// newPages makes the page set of every language and its policies; it parses no page.
func newPages() (*pageSet, error) {
	catalog, err := i18n.New()
	if err != nil {
		return nil, fmt.Errorf("account: load texts: %w", err)
	}
	funcs := func(lang string) template.FuncMap {
		return template.FuncMap{
			"t":       func(key string, args ...any) (string, error) { return text(catalog, lang, key, args...) },
			"appName": func() string { return appName },
		}
	}
	pages, err := pageset.New(pageset.Spec{What: "account", Files: pageFiles, Dir: "pages", Langs: catalog.Languages(), Funcs: funcs})
	if err != nil {
		return nil, err
	}
	base := "default-src 'none'; style-src " + pages.StyleSource() + "; img-src https: http:; base-uri 'none'; frame-ancestors 'none'"
	return &pageSet{Set: pages, csp: base, cspFP: base + "; script-src " + pageset.HashSource(formPostScript)}, nil
}

// pageData is what the layout renders; View is the page's own data. Lang, the language of the
// texts, is set by render.
type pageData struct {
	Lang   string
	Title  string
	Error  string
	Notice string
	CSS    template.CSS
	Script template.JS
	View   any
}

// render writes a page in the request's language with the headers every page carries: no
// caching (pages hold CSRF tokens and codes), no framing (clickjacking of the consent page, RFC
// 9700 §4.16), no referrer (the URL may carry a return path with the client's state), and a
// policy that runs no script.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) error {
	d.Lang = s.lang(r)
	tmpl, err := s.pages.Page(d.Lang, name)
	if err != nil {
		return err
	}
	d.CSS = s.pages.CSS()
	csp := s.pages.csp
	if name == "formpost" {
		d.Script, csp = template.JS(formPostScript), s.pages.cspFP
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "layout", d); err != nil {
		return fmt.Errorf("account: render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	noStore(w)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// messageView is the data of the message page: a text, an optional OAuth error and a link.
type messageView struct {
	Text              string
	Code, Description string
	LinkURL, LinkText string
}

// pageError is a refusal shown as the message page with a status.
type pageError struct {
	status int
	title  string
	view   messageView
}

func (e *pageError) Error() string {
	return fmt.Sprintf("account: page %d: %s %s %s", e.status, e.title, e.view.Code, e.view.Description)
}

// Refusal returns the error page with status and the text of key in the request's language, and
// the error code when it is not "", for a handler to return.
func (s *Server) Refusal(r *http.Request, status int, key, code string) error {
	return &pageError{status: status, title: s.t(r, "page.error.title"), view: messageView{Text: s.t(r, key), Code: code}}
}

// ProtocolError is a refusal that a page shows with its error code and English description, as
// the JSON endpoints would give them: an OAuth error of the authorization endpoint that must not
// be redirected (RFC 6749 §4.1.2.1).
type ProtocolError interface {
	error
	ErrorCode() string
	ErrorDescription() string
}

// protocolPage shows a protocol error, or a malformed parameter (*param.Error) as OAuth's
// invalid_request, so that the pages under /connect and /account answer bad input alike.
func (s *Server) protocolPage(r *http.Request, err error) (*pageError, bool) {
	code, description := "", ""
	if pe, ok := errors.AsType[*param.Error](err); ok {
		code, description = "invalid_request", pe.Description
	} else if pe, ok := errors.AsType[ProtocolError](err); ok {
		code, description = pe.ErrorCode(), pe.ErrorDescription()
	} else {
		return nil, false
	}
	return &pageError{status: http.StatusBadRequest, title: s.t(r, "page.error.title"), view: messageView{
		Text: s.t(r, "page.error.text"), Code: code, Description: param.Sanitize(description),
	}}, true
}

// Handle adapts a page handler, and is the one place where a page's error becomes its answer: a
// refusal (Refusal, a protocol error, a malformed parameter) becomes its page, a domain error
// the error page of its kind (domainPage), and anything else is logged and shown as a generic
// 500 page without internal text.
func (s *Server) Handle(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		pe, ok := errors.AsType[*pageError](err)
		if !ok {
			pe, ok = s.protocolPage(r, err)
		}
		if !ok {
			pe, ok = s.domainPage(r, err)
		}
		if !ok {
			s.log.ErrorContext(r.Context(), "account: page failed", "method", r.Method, "path", r.URL.Path, "error", err)
			pe = &pageError{status: http.StatusInternalServerError, title: s.t(r, "page.error.title"), view: messageView{Text: s.t(r, "page.error.server")}}
		}
		if err := s.render(w, r, pe.status, "message", pageData{Title: pe.title, View: pe.view}); err != nil {
			s.log.ErrorContext(r.Context(), "account: render error page", "error", err)
			http.Error(w, strings.TrimSpace(s.t(r, "page.error.server")), http.StatusInternalServerError)
		}
	})
}

// kindTexts are the page texts of the domain errors without an ErrorCode, by kind.
var kindTexts = map[keyward.Kind]string{
	keyward.KindInvalid:         "page.error.invalid",
	keyward.KindUnauthorized:    "page.error.unauthorized",
	keyward.KindPaymentRequired: "page.error.paymentRequired",
	keyward.KindForbidden:       "page.error.forbidden",
	keyward.KindNotFound:        "page.error.notFound",
}

// KindTextKey is the catalog key of the page text that tells a user about a domain error of the
// kind that has no ErrorCode of its own; the portal shows the same texts.
func KindTextKey(k keyward.Kind) string { return kindTexts[k] }

// domainText is what a page tells a user about a domain error, in the request's language: the
// message of its ErrorCode (i18n.Catalog.UserMessage, the lookup behind the Management API's
// UserErrorMessage), else the text of its kind. It reports false for an internal error and for
// an error that is no domain error, which show no text of their own.
func (s *Server) domainText(r *http.Request, e *keyward.Error) (string, bool) {
	if e == nil || e.Kind == keyward.KindInternal {
		return "", false
	}
	if msg := s.catalog.UserMessage(s.lang(r), e); msg != "" {
		return msg, true
	}
	return s.t(r, KindTextKey(e.Kind)), true
}

// domainPage shows a domain error that no handler turned into a refusal of its own, with the
// status of its kind (Kind.Status, the one mapping the Management API uses too), its localized
// text and its ErrorCode, so that a client's mistake is never a 500 and the API, the pages and
// the portal agree. The English message and details, which may speak of the store, are logged,
// never shown.
func (s *Server) domainPage(r *http.Request, err error) (*pageError, bool) {
	e := keyward.ErrorOf(err)
	text, ok := s.domainText(r, e)
	if !ok {
		return nil, false
	}
	s.log.InfoContext(r.Context(), "account: page refused", "method", r.Method, "path", r.URL.Path, "error", err)
	return &pageError{status: e.Kind.Status(), title: s.t(r, "page.error.title"), view: messageView{Text: text, Code: e.Code}}, true
}

// noStore forbids caching: pages hold CSRF tokens and codes.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}
