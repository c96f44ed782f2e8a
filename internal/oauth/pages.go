package oauth

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

//go:embed pages/*.html pages/style.css
var pageFiles embed.FS

// formPostScript submits the response_mode=form_post page on load. It is the only script of
// any page, allowed by its hash in the Content-Security-Policy.
const formPostScript = "document.forms[0].submit();"

// pageSet is the parsed pages, each a clone of the layout with its own "content".
type pageSet struct {
	pages map[string]*template.Template
	text  texts
	css   template.CSS
	csp   string // the policy of every page but form_post
	cspFP string // the policy of the form_post page, which may run formPostScript
}

// parsePages parses the embedded templates once; a broken template stops New.
func parsePages() (*pageSet, error) {
	css, err := pageFiles.ReadFile("pages/style.css")
	if err != nil {
		return nil, fmt.Errorf("oauth: read style: %w", err)
	}
	ps := &pageSet{pages: map[string]*template.Template{}, text: pageTexts(), css: template.CSS(css)}
	base := "default-src 'none'; style-src " + hashSource(string(css)) + "; img-src https: http:; base-uri 'none'; frame-ancestors 'none'"
	ps.csp, ps.cspFP = base, base+"; script-src "+hashSource(formPostScript)
	layout, err := template.New("layout").Funcs(template.FuncMap{"t": ps.text.get}).ParseFS(pageFiles, "pages/layout.html")
	if err != nil {
		return nil, fmt.Errorf("oauth: parse layout: %w", err)
	}
	for _, name := range []string{"login", "signup", "message", "consent", "account", "formpost"} {
		clone, err := layout.Clone()
		if err != nil {
			return nil, fmt.Errorf("oauth: clone layout: %w", err)
		}
		if ps.pages[name], err = clone.ParseFS(pageFiles, "pages/"+name+".html"); err != nil {
			return nil, fmt.Errorf("oauth: parse page %s: %w", name, err)
		}
	}
	return ps, nil
}

// hashSource is the CSP source expression that allows exactly the inline text s.
func hashSource(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// pageData is what the layout renders; View is the page's own data.
type pageData struct {
	Title  string
	Error  string
	Notice string
	CSS    template.CSS
	Script template.JS
	View   any
}

// render writes a page with the headers every page carries: no caching (pages hold CSRF tokens
// and codes), no framing (clickjacking of the consent page, RFC 9700 §4.16), no referrer (the
// URL may carry a return path with the client's state), and a policy that runs no script.
func (s *Server) render(w http.ResponseWriter, status int, name string, d pageData) error {
	tmpl, ok := s.pages.pages[name]
	if !ok {
		return fmt.Errorf("oauth: no page %q", name)
	}
	d.CSS = s.pages.css
	csp := s.pages.csp
	if name == "formpost" {
		d.Script, csp = template.JS(formPostScript), s.pages.cspFP
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "layout", d); err != nil {
		return fmt.Errorf("oauth: render %s: %w", name, err)
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

// t returns a page text for a key named in code.
func (s *Server) t(key string, args ...any) string { return s.pages.text.must(key, args...) }

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
	return fmt.Sprintf("oauth: page %d: %s %s %s", e.status, e.title, e.view.Code, e.view.Description)
}

// oauthPageError shows an OAuth error that must not be redirected (RFC 6749 §4.1.2.1): the code
// and the English description, as the JSON endpoints would give them.
func (s *Server) oauthPageError(e *oauthError) *pageError {
	return &pageError{status: http.StatusBadRequest, title: s.t("error.title"), view: messageView{
		Text: s.t("error.text"), Code: e.code, Description: sanitizeDescription(e.description),
	}}
}

// page adapts a page handler: a *pageError becomes its page, an *oauthError the error page, a
// *keyward.Error its English text, and anything else is logged and shown as a generic 500 page.
func (s *Server) page(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		pe, ok := errors.AsType[*pageError](err)
		if oe, isOAuth := errors.AsType[*oauthError](err); !ok && isOAuth {
			pe, ok = s.oauthPageError(oe), true
		}
		if ke := keyward.ErrorOf(err); !ok && ke != nil && ke.Kind != keyward.KindInternal {
			pe, ok = &pageError{status: http.StatusBadRequest, title: s.t("error.title"), view: messageView{Text: ke.Error()}}, true
		}
		if !ok {
			s.log.ErrorContext(r.Context(), "oauth: page failed", "method", r.Method, "path", r.URL.Path, "error", err)
			pe = &pageError{status: http.StatusInternalServerError, title: s.t("error.title"), view: messageView{Text: s.t("error.server")}}
		}
		if err := s.render(w, pe.status, "message", pageData{Title: pe.title, View: pe.view}); err != nil {
			s.log.ErrorContext(r.Context(), "oauth: render error page", "error", err)
			http.Error(w, strings.TrimSpace(s.t("error.server")), http.StatusInternalServerError)
		}
	})
}
