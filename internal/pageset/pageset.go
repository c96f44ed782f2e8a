// Package pageset holds the HTML pages of a server's browser layer (the account pages, the
// portal): embedded templates, each page the layout with the page's own file, in every language
// of the catalogs, and the one style sheet the layout inlines, which the pages' policy allows by
// its hash. A page is parsed in a language the first time it is asked for in it, not when
// the server starts: the pages of six languages, parsed ahead, were some 10 MB of the resident
// memory of a server that shows none of them (most serve only the API), a quarter of it at rest.
// The templates are embedded in the binary, so whether they parse is decided when it is built,
// and the tests parse every page in every language (Check).
package pageset

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
)

// Spec says where a set's templates are and what their functions are.
type Spec struct {
	What  string // the set's name in errors ("portal", "account")
	Files fs.FS
	// Dir is the templates' directory in Files: layout.html, which defines the template
	// "layout", one file per page, name.html, and the pages' style sheet, style.css, which the
	// layout inlines (Set.CSS) and the pages' policy allows by its hash (Set.StyleSource).
	Dir   string
	Langs []string
	// Funcs are the templates' functions in a language: "t" looks texts up in it.
	Funcs func(lang string) template.FuncMap
}

// Set is the pages of one Spec. It is safe for concurrent use.
type Set struct {
	what  string
	names []string // the pages, sorted
	css   string   // the style sheet
	// pages holds, per language and page, the page's parse, run on its first use only.
	pages map[string]map[string]func() (*template.Template, error)
}

// layout is the name of the layout's file and template.
const layout = "layout"

// style is the name of the style sheet's file.
const style = "style.css"

// New makes the set of spec's pages, every .html file of spec.Dir but the layout; it parses
// none of them.
func New(spec Spec) (*Set, error) {
	files, err := fs.Glob(spec.Files, path.Join(spec.Dir, "*.html"))
	if err != nil {
		return nil, fmt.Errorf("%s: list pages: %w", spec.What, err)
	}
	css, err := fs.ReadFile(spec.Files, path.Join(spec.Dir, style))
	if err != nil {
		return nil, fmt.Errorf("%s: read style: %w", spec.What, err)
	}
	s := &Set{what: spec.What, css: string(css), pages: make(map[string]map[string]func() (*template.Template, error), len(spec.Langs))}
	for _, f := range files { // sorted, as Glob returns them
		if name := strings.TrimSuffix(path.Base(f), ".html"); name != layout {
			s.names = append(s.names, name)
		}
	}
	for _, lang := range spec.Langs {
		byName := make(map[string]func() (*template.Template, error), len(s.names))
		for _, name := range s.names {
			byName[name] = sync.OnceValues(func() (*template.Template, error) { return parse(spec, lang, name) })
		}
		s.pages[lang] = byName
	}
	return s, nil
}

// parse parses page name in lang: the layout, then the page's file.
func parse(spec Spec, lang, name string) (*template.Template, error) {
	t, err := template.New(layout).Funcs(spec.Funcs(lang)).ParseFS(spec.Files, path.Join(spec.Dir, layout+".html"))
	if err != nil {
		return nil, fmt.Errorf("%s: parse layout: %w", spec.What, err)
	}
	if t, err = t.ParseFS(spec.Files, path.Join(spec.Dir, name+".html")); err != nil {
		return nil, fmt.Errorf("%s: parse page %s: %w", spec.What, name, err)
	}
	return t, nil
}

// Page returns page name in lang, parsed on its first call. An unknown page or language is an
// error, as is a page that does not parse, on every call.
func (s *Set) Page(lang, name string) (*template.Template, error) {
	parsed, ok := s.pages[lang][name]
	if !ok {
		return nil, fmt.Errorf("%s: no page %q in %q", s.what, name, lang)
	}
	return parsed()
}

// CSS is the pages' style sheet, for the layout to inline.
func (s *Set) CSS() template.CSS { return template.CSS(s.css) }

// StyleSource is the Content-Security-Policy source that allows the inlined style sheet.
func (s *Set) StyleSource() string { return HashSource(s.css) }

// HashSource is the Content-Security-Policy source expression that allows exactly the inline
// text t (a style sheet or a script), by its SHA-256.
func HashSource(t string) string {
	sum := sha256.Sum256([]byte(t))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// Check parses every page in every language and returns the first failure, in the order of
// the languages and the names: the tests' guard that every page parses.
func (s *Set) Check() error {
	for _, lang := range slices.Sorted(maps.Keys(s.pages)) {
		for _, name := range s.names {
			if _, err := s.Page(lang, name); err != nil {
				return err
			}
		}
	}
	return nil
}
