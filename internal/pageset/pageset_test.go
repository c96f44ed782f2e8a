package pageset_test

import (
	"html/template"
	"maps"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/keyward/keyward/internal/pageset"
)

// files is a layout and three pages, one of which does not parse.
var files = fstest.MapFS{
	"pages/layout.html": {Data: []byte(`{{define "layout"}}<p>{{t "hello"}}</p>{{template "content" .}}{{end}}`)},
	"pages/home.html":   {Data: []byte(`{{define "content"}}<b>{{.}}</b>{{end}}`)},
	"pages/about.html":  {Data: []byte(`{{define "content"}}<i>{{.}}</i>{{end}}`)},
	"pages/broken.html": {Data: []byte(`{{define "content"}}{{if}}{{end}}`)},
	"pages/style.css":   {Data: []byte(`p {}`)},
}

// texts are the one text of the templates, per language.
var texts = map[string]string{"en": "Hello", "de": "Hallo"}

// newSet makes the set of files in English and German and counts the parses (each asks for
// the functions of its language once).
func newSet(t *testing.T, f fstest.MapFS) (*pageset.Set, map[string]int) {
	t.Helper()
	parses := map[string]int{}
	s, err := pageset.New(pageset.Spec{What: "test", Files: f, Dir: "pages", Langs: []string{"en", "de"},
		Funcs: func(lang string) template.FuncMap {
			parses[lang]++
			return template.FuncMap{"t": func(key string) string { return texts[lang] }}
		}})
	if err != nil {
		t.Fatal(err)
	}
	return s, parses
}

// render runs page name in lang's layout with data.
func render(t *testing.T, s *pageset.Set, lang, name string, data any) string {
	t.Helper()
	tmpl, err := s.Page(lang, name)
	if err != nil {
		t.Fatalf("Page(%s, %s): %v", lang, name, err)
	}
	var b strings.Builder
	if err := tmpl.ExecuteTemplate(&b, "layout", data); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestSet_ParsesAPageOnItsFirstUse checks that New parses nothing, that a page is parsed once
// per language, on its first use, with that language's functions, and that each page of a
// language is a template of its own.
func TestSet_ParsesAPageOnItsFirstUse(t *testing.T) {
	s, parses := newSet(t, files)
	if len(parses) != 0 {
		t.Fatalf("New parsed %v; want nothing parsed before a page is asked for", parses)
	}
	for range 2 {
		if got, want := render(t, s, "en", "home", "x"), "<p>Hello</p><b>x</b>"; got != want {
			t.Errorf("home in en = %q, want %q", got, want)
		}
	}
	if got, want := render(t, s, "de", "home", "<y>"), "<p>Hallo</p><b>&lt;y&gt;</b>"; got != want {
		t.Errorf("home in de = %q, want %q", got, want)
	}
	// about defines its own "content" beside the layout: parsed into one template with home,
	// one of the two would show the other's.
	if got, want := render(t, s, "en", "about", "z"), "<p>Hello</p><i>z</i>"; got != want {
		t.Errorf("about in en = %q, want %q", got, want)
	}
	if got, want := render(t, s, "en", "home", "x"), "<p>Hello</p><b>x</b>"; got != want {
		t.Errorf("home in en after about = %q, want %q", got, want)
	}
	if want := map[string]int{"en": 2, "de": 1}; !maps.Equal(parses, want) {
		t.Errorf("parses %v, want %v", parses, want)
	}
}

// TestSet_Refusals checks the errors of an unknown page, an unknown language, and a page that
// does not parse, which Check reports too.
func TestSet_Refusals(t *testing.T) {
	s, _ := newSet(t, files)
	for _, c := range []struct{ lang, name, want string }{
		{"en", "missing", `test: no page "missing" in "en"`},
		{"fr", "home", `test: no page "home" in "fr"`},
		{"en", "layout", `test: no page "layout" in "en"`},
		{"en", "style", `test: no page "style" in "en"`},
		{"de", "broken", `test: parse page broken: template: broken.html:1: missing value for if`},
	} {
		for range 2 { // a page that does not parse is refused again, not served half-parsed
			if _, err := s.Page(c.lang, c.name); err == nil || err.Error() != c.want {
				t.Errorf("Page(%s, %s) = %v, want %q", c.lang, c.name, err, c.want)
			}
		}
	}
	badLayout := fstest.MapFS{"pages/layout.html": {Data: []byte(`{{define "layout"}}`)}, "pages/home.html": files["pages/home.html"],
		"pages/style.css": files["pages/style.css"]}
	unparsed, _ := newSet(t, badLayout)
	if _, err := unparsed.Page("en", "home"); err == nil || !strings.HasPrefix(err.Error(), "test: parse layout: ") {
		t.Errorf("Page with a broken layout = %v, want the layout's error", err)
	}
	if err := s.Check(); err == nil || !strings.HasPrefix(err.Error(), "test: parse page broken:") {
		t.Errorf("Check = %v, want the broken page's error", err)
	}
	good := fstest.MapFS{"pages/layout.html": files["pages/layout.html"], "pages/home.html": files["pages/home.html"],
		"pages/style.css": files["pages/style.css"]}
	if s, _ := newSet(t, good); s.Check() != nil {
		t.Errorf("Check of pages that parse = %v, want nil", s.Check())
	}
}

// TestSet_Style checks that the set carries its style sheet and the policy source that allows
// it (the SHA-256 of "p {}", computed apart), and that a set without a style sheet is refused.
func TestSet_Style(t *testing.T) {
	s, _ := newSet(t, files)
	if got, want := s.CSS(), template.CSS("p {}"); got != want {
		t.Errorf("CSS = %q, want %q", got, want)
	}
	if got, want := s.StyleSource(), "'sha256-SNJDlN1Iy2mnt7DOjQIyDb2LQE6O5PQiSZomcdzawQ4='"; got != want {
		t.Errorf("StyleSource = %s, want %s", got, want)
	}
	unstyled := maps.Clone(files)
	delete(unstyled, "pages/style.css")
	_, err := pageset.New(pageset.Spec{What: "test", Files: unstyled, Dir: "pages", Langs: []string{"en"}})
	if want := "test: read style: open pages/style.css: file does not exist"; err == nil || err.Error() != want {
		t.Errorf("New without a style sheet = %v, want %q", err, want)
	}
}
