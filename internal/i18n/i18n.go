// Package i18n supplies the localized UserErrorMessage of the Management API's error body. The
// texts live in one embedded JSON catalog per language, so translators edit data rather than code,
// and the language is chosen from the request's Accept-Language header.
package i18n

import (
	"slices"

	"golang.org/x/text/language"
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

// New loads the embedded catalogs. It fails when a catalog is not a flat JSON object of non-empty
// strings, or when a language's keys differ from English, so that a broken translation stops the
// server at start rather than showing an empty message to a user.
func New() (*Catalog, error) {
	return load(embedded)
}

// Lookup returns the message for code in the language that best matches acceptLanguage, an HTTP
// Accept-Language header whose quality values are honoured. It falls back to English when the
// header is empty or malformed or names no supported language, and to the English text when the
// chosen catalog lacks code. It returns "" for the empty code and for a code English lacks, since
// errors without an ErrorCode carry an empty UserErrorMessage.
func (c *Catalog) Lookup(acceptLanguage, code string) string {
	if code == "" {
		return ""
	}
	if msg, ok := c.messages[c.match(acceptLanguage)][code]; ok {
		return msg
	}
	return c.messages[0][code]
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

// Codes returns the sorted message keys of the English catalog, which every other catalog shares.
func (c *Catalog) Codes() []string {
	codes := make([]string, 0, len(c.messages[0]))
	for code := range c.messages[0] {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	return codes
}
