package portal

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/keyward/keyward/internal/i18n"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/pageset"
)

//go:embed pages/*.html pages/style.css
var pageFiles embed.FS

// appName is the product name in every page's header and title; a name is not translated.
const appName = "Keyward"

// pageSet is the pages, parsed per language on first use, with their style (pageset), and their
// policy.
type pageSet struct {
	*pageset.Set
	csp string
}

// loadPages makes the page set once per process; a missing style sheet stops New.
var loadPages = sync.OnceValues(newPages)

// newPages makes the page set of every language and its policy; it parses no page.
func newPages() (*pageSet, error) {
	catalog, err := i18n.New()
	if err != nil {
		return nil, err
	}
	pages, err := pageset.New(pageset.Spec{What: "portal", Files: pageFiles, Dir: "pages", Langs: catalog.Languages(),
		Funcs: func(lang string) template.FuncMap { return templateFuncs(catalog, lang) }})
	if err != nil {
		return nil, err
	}
	// The policy of the portal's pages: no script at all, the one inline style by its hash,
	// forms only to this server, no framing.
	return &pageSet{Set: pages, csp: "default-src 'none'; style-src " + pages.StyleSource() +
		"; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"}, nil
}

// templateFuncs are the functions of the templates in lang. A text key that the catalog lacks
// fails the page's rendering, so that a test finds it instead of a user seeing the key.
func templateFuncs(catalog *i18n.Catalog, lang string) template.FuncMap {
	return template.FuncMap{
		"appName": func() string { return appName },
		"t": func(key string, args ...any) (string, error) {
			msg, ok := catalog.Text(lang, key, args...)
			if !ok {
				return "", fmt.Errorf("portal: no text %q in the catalog", key)
			}
			return msg, nil
		},
		"localTime": localTime,
		"isoTime":   isoTime,
		"deref":     deref,
	}
}

// localTime shows an instant in a lock's time zone with the zone named, the way the portal
// shows every time: "2027-03-29 09:00 CEST (Europe/Vienna)". An unknown zone shows UTC.
func localTime(t any, zone string) string {
	var at time.Time
	switch v := t.(type) {
	case keyward.Time:
		at = v.Time
	case *keyward.Time:
		if v == nil {
			return "—"
		}
		at = v.Time
	case time.Time:
		at = v
	default:
		return fmt.Sprint(t)
	}
	loc, err := keyward.LoadLocation(zone)
	if err != nil || zone == "" {
		loc, zone = time.UTC, "UTC"
	}
	return at.In(loc).Format("2006-01-02 15:04 MST") + " (" + zone + ")"
}

// isoTime is the machine-readable form of an instant for a <time datetime> attribute.
func isoTime(t any) string {
	switch v := t.(type) {
	case keyward.Time:
		return v.UTC().Format(time.RFC3339)
	case *keyward.Time:
		if v != nil {
			return v.UTC().Format(time.RFC3339)
		}
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	}
	return ""
}

// deref shows an optional text, "" for none.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// pageData is what the layout renders; View is the page's own data.
type pageData struct {
	Lang      string
	Title     string
	CSS       template.CSS
	User      string         // the signed-in user's address
	CSRF      string         // the session's form token
	Owner     *keyward.Owner // the account the page belongs to; nil on the portal's own pages
	Section   string         // the navigation entry the page belongs to
	Notice    string
	Error     string
	Here      string // the page's path and query, where the language switch returns to
	Languages []languageOption
	View      any
}

// languageOption is one entry of the language switch.
type languageOption struct {
	Tag, Name string
	Current   bool
}

// languageNames are the languages' names in themselves, as a language menu shows them.
var languageNames = map[string]string{
	"en": "English", "de": "Deutsch", "es": "Español", "fr": "Français", "it": "Italiano", "nl": "Nederlands",
}

// render writes page name with status in the request's language, with the headers of every
// page: no caching (pages hold CSRF tokens), no framing, no referrer, no script.
func (s *Server) render(rq *request, status int, name string, d pageData) error {
	tmpl, err := s.pages.Page(rq.lang, name)
	if err != nil {
		return err
	}
	d.Lang, d.CSS, d.Here = rq.lang, s.pages.CSS(), rq.r.URL.RequestURI()
	if rq.se != nil {
		d.User, d.CSRF = rq.se.User.Email, rq.csrf
	}
	for _, tag := range s.catalog.Languages() {
		d.Languages = append(d.Languages, languageOption{Tag: tag, Name: languageNames[tag], Current: tag == rq.lang})
	}
	if d.Notice == "" {
		d.Notice = s.notice(rq)
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "layout", d); err != nil {
		return fmt.Errorf("portal: render %s: %w", name, err)
	}
	h := rq.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", s.pages.csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	rq.w.WriteHeader(status)
	_, err = rq.w.Write(buf.Bytes())
	return err
}

// notice is the text of the page's ?notice= key, which a redirect after a successful form sets
// ("portal.notice.<key>"); an unknown key shows nothing.
func (s *Server) notice(rq *request) string {
	key := rq.r.URL.Query().Get("notice")
	if key == "" || strings.ContainsAny(key, " /") {
		return ""
	}
	msg, _ := s.catalog.Text(rq.lang, "portal.notice."+key)
	return msg
}

// t is the text of a key the code names, in the request's language; TestTextsExist checks that
// every such key exists.
func (s *Server) t(rq *request, key string, args ...any) string {
	msg, ok := s.catalog.Text(rq.lang, key, args...)
	if !ok {
		return key
	}
	return msg
}

// redirect answers a successful form with 303 to a page of the portal and an optional notice.
func redirect(rq *request, to, notice string) error {
	if notice != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "notice=" + notice
	}
	http.Redirect(rq.w, rq.r, to, http.StatusSeeOther)
	return nil
}
