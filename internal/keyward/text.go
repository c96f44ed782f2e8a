package keyward

import (
	"strings"
	"unicode/utf8"
)

// ValidText reports whether s may be stored and shown as text: valid UTF-8 without NUL
// characters. PostgreSQL refuses both in text columns, SQLite would store them, and neither has a
// use in a name, an identifier or a query; every input boundary and the store check it.
func ValidText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// TextProblem says in words what makes s invalid text, "" when it is valid, for ErrorDetails.
func TextProblem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case strings.ContainsRune(s, 0):
		return "contains a NUL character"
	}
	return ""
}
