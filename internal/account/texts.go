package account

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/keyward/keyward/internal/i18n"
)

// The user-facing texts of the pages and e-mails live in the i18n catalogs: "page.*" for the
// pages, "mail.*" for the verification e-mail and "scope.<name>" for the consent page's scope
// descriptions. Each request is answered in the language its Accept-Language header prefers.

// LanguageCookie holds the language a user picked with the portal's language switch; it wins
// over Accept-Language on every page. It is no secret and needs no prefix.
const LanguageCookie = "kw_lang"

// lang returns the language the user picked (LanguageCookie), else the catalog language that
// best matches the request's Accept-Language header.
func (s *Server) lang(r *http.Request) string {
	return Language(s.catalog, r)
}

// Language is the catalog language of a request: the picked one, else the best match of
// Accept-Language.
func Language(catalog *i18n.Catalog, r *http.Request) string {
	if c, err := r.Cookie(LanguageCookie); err == nil && slices.Contains(catalog.Languages(), c.Value) {
		return c.Value
	}
	return catalog.Match(r.Header.Get("Accept-Language"))
}

// text returns the text for key in lang, formatted with args when there are any. A missing key
// is an error, so that a template naming an unknown text fails its test instead of showing the
// key.
func text(catalog *i18n.Catalog, lang, key string, args ...any) (string, error) {
	msg, ok := catalog.Text(lang, key, args...)
	if !ok {
		return "", fmt.Errorf("account: no text %q in the catalog", key)
	}
	return msg, nil
}

// mustText returns the text for a key the code names itself; TestPageTextsMatchTheirUses checks
// that every such key exists, so the fallback to the key never shows.
func (s *Server) mustText(lang, key string, args ...any) string {
	msg, err := text(s.catalog, lang, key, args...)
	if err != nil {
		return key
	}
	return msg
}

// t returns the text for a key named in code, in the request's language.
func (s *Server) t(r *http.Request, key string, args ...any) string {
	return s.mustText(s.lang(r), key, args...)
}

// scopeView is one line of the consent page.
type scopeView struct {
	Name, Description string
}

// describeScopes pairs each scope with its description in lang, in the order requested; a scope
// the catalog does not describe shows its name.
func (s *Server) describeScopes(lang string, scopes []string) []scopeView {
	views := make([]scopeView, 0, len(scopes))
	for _, sc := range scopes {
		d, ok := s.catalog.Text(lang, "scope."+sc)
		if !ok {
			d = sc
		}
		views = append(views, scopeView{Name: sc, Description: d})
	}
	return views
}
