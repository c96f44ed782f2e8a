// Package i18n supplies the localized UserErrorMessage of the Management API's error body and the
// texts of the authorization server's pages and e-mails. The texts live in one embedded JSON
// catalog per language, so translators edit data rather than code, and the language is chosen
// from the request's Accept-Language header.
package i18n

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/language"

	"github.com/keyward/keyward/internal/keyward"
)

// defaultLanguage is the catalog used when no supported language matches; the seed requires
// English then, and every other catalog must carry exactly its keys.
const defaultLanguage = "en"

// Catalog holds the messages of every supported language. It is immutable after New and therefore
// safe for concurrent use by all request handlers.
type Catalog struct {
	languages []string            // defaultLanguage first, then the others sorted
	messages  []map[string]string // messages[i] belongs to languages[i]
	matcher   language.Matcher    // supports exactly languages, in that order
}

// New returns the embedded catalogs. It fails when a catalog is not a flat JSON object of
// non-empty strings, or when a language's keys differ from English, so that a broken translation
// stops the server at start rather than showing an empty message to a user. The catalogs are
// read and checked once per process: every caller (the API's error writer, the pages, the
// mails) shares the one immutable Catalog.
func New() (*Catalog, error) {
	return loadEmbedded()
}

// loadEmbedded reads the embedded catalogs on its first call and returns that result ever after.
var loadEmbedded = sync.OnceValues(func() (*Catalog, error) { return load(embedded) })

// UserMessage returns the localized message of a domain error in lang, a tag from Match: the
// catalog entry its UserMessageKeyOf names, and "" for an error without an ErrorCode, which
// carries no user message. It is the one lookup behind the Management API's UserErrorMessage
// and the pages' texts for domain errors, so that both tell a user the same.
func (c *Catalog) UserMessage(lang string, e *keyward.Error) string {
	if e == nil || e.Code == "" {
		return ""
	}
	msg, _ := c.Text(lang, e.UserMessageKeyOf())
	return msg
}

// Match returns the tag of the supported language that best matches acceptLanguage, with the
// fallbacks of Lookup. A handler matches once per request, then passes the tag to Text for every
// string of its response and shows it as the page's lang attribute.
func (c *Catalog) Match(acceptLanguage string) string {
	return c.languages[c.match(acceptLanguage)]
}

// Text returns the message for key in lang, a tag from Match or Languages, formatted by
// fmt.Sprintf with args when there are any; load has checked that every catalog uses English's
// formatting verbs. It falls back to English when lang is not supported or its catalog lacks key,
// and reports false when English lacks key as well, so that a caller can refuse an unknown key
// instead of showing nothing.
func (c *Catalog) Text(lang, key string, args ...any) (string, bool) {
	msg, ok := c.messages[max(slices.Index(c.languages, lang), 0)][key]
	if !ok {
		msg, ok = c.messages[0][key]
	}
	if !ok {
		return "", false
	}
	if len(args) > 0 {
		msg = fmt.Sprintf(msg, args...)
	}
	return msg, true
}

// match returns the index of the catalog that best fits the Accept-Language header, 0 (English)
// when none does.
func (c *Catalog) match(acceptLanguage string) int {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return 0
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return 0
	}
	return i
}

// Languages returns the supported language tags, English first, for documentation and tests.
func (c *Catalog) Languages() []string {
	return slices.Clone(c.languages)
}

// Codes returns the sorted ErrorCodes the catalogs translate: the English keys outside the
// namespaces of interface texts (see isText).
func (c *Catalog) Codes() []string {
	var codes []string
	for code := range c.messages[0] {
		if !isText(code) {
			codes = append(codes, code)
		}
	}
	slices.Sort(codes)
	return codes
}

// Keys returns the sorted English keys that begin with prefix ("" for all of them), so that a
// package can check that every text it names exists and every text of its namespace is used.
// Every other catalog has the same keys.
func (c *Catalog) Keys(prefix string) []string {
	var keys []string
	for key := range c.messages[0] {
		if strings.HasPrefix(key, prefix) {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	return keys
}

// isText reports whether key names an interface text rather than an ErrorCode. Interface texts
// live in lower-case namespaces, "page." for the pages of the authorization server, "mail." for
// its e-mails, "scope." for the descriptions of OAuth scopes and "portal." for the portal's
// pages, which the seed's PascalCase ErrorCodes cannot clash with.
func isText(key string) bool {
	for _, ns := range []string{"page.", "mail.", "scope.", "portal."} {
		if strings.HasPrefix(key, ns) {
			return true
		}
	}
	return false
}
