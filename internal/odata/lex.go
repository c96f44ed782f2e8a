package odata

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/keyward/keyward/internal/keyward"
)

// tokKind classifies a token of $filter or $orderby.
type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokString
	tokInt
	tokDecimal
	tokTime
	tokLParen
	tokRParen
	tokComma
)

// token is one lexeme. pos is the 1-based character offset in the option text, which is what
// error messages report, so a client can point at the mistake.
type token struct {
	kind tokKind
	text string // as written
	pos  int
	val  any // the literal value of tokString, tokInt, tokDecimal and tokTime
}

// lexer splits option text into tokens. It works on runes so that positions count characters,
// not bytes, and non-ASCII text in a string literal does not shift later positions.
type lexer struct {
	opt string // option name for error messages
	src []rune
	i   int
}

// tokenize returns all tokens of src, ending with tokEOF.
func tokenize(opt, src string) ([]token, error) {
	l := &lexer{opt: opt, src: []rune(src)}
	var toks []token
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		if t.kind == tokEOF {
			return toks, nil
		}
	}
}

func (l *lexer) next() (token, error) {
	for l.i < len(l.src) && unicode.IsSpace(l.src[l.i]) {
		l.i++
	}
	start := l.i
	if start == len(l.src) {
		return token{kind: tokEOF, pos: start + 1}, nil
	}
	c := l.src[start]
	switch {
	case c == '(':
		return l.punct(tokLParen), nil
	case c == ')':
		return l.punct(tokRParen), nil
	case c == ',':
		return l.punct(tokComma), nil
	case c == '\'':
		return l.str()
	case isDigit(c) || (c == '-' && l.digitAt(start+1)):
		if l.isDateTime() {
			return l.dateTime()
		}
		return l.number()
	case isIdentStart(c):
		for l.i < len(l.src) && isIdentPart(l.src[l.i]) {
			l.i++
		}
		return token{kind: tokIdent, text: string(l.src[start:l.i]), pos: start + 1}, nil
	}
	return token{}, invalid(l.opt, "unexpected character %q at position %d", string(c), start+1)
}

// punct reads a one-character token.
func (l *lexer) punct(k tokKind) token {
	l.i++
	return token{kind: k, text: string(l.src[l.i-1]), pos: l.i}
}

// str reads a single-quoted string; a doubled quote stands for one quote, as in OData.
func (l *lexer) str() (token, error) {
	start := l.i
	var b strings.Builder
	for l.i++; l.i < len(l.src); l.i++ {
		if l.src[l.i] != '\'' {
			b.WriteRune(l.src[l.i])
			continue
		}
		if l.i+1 < len(l.src) && l.src[l.i+1] == '\'' {
			b.WriteRune('\'')
			l.i++
			continue
		}
		l.i++
		return token{kind: tokString, text: string(l.src[start:l.i]), pos: start + 1, val: b.String()}, nil
	}
	return token{}, invalid(l.opt, "unterminated string literal at position %d", start+1)
}

// number reads an integer (int64) or a decimal with optional fraction and exponent (float64).
func (l *lexer) number() (token, error) {
	start := l.i
	if l.src[l.i] == '-' {
		l.i++
	}
	l.digits()
	decimal := false
	if l.i < len(l.src) && l.src[l.i] == '.' && l.digitAt(l.i+1) {
		l.i++
		l.digits()
		decimal = true
	}
	if l.i < len(l.src) && (l.src[l.i] == 'e' || l.src[l.i] == 'E') {
		j := l.i + 1
		if j < len(l.src) && (l.src[j] == '+' || l.src[j] == '-') {
			j++
		}
		if l.digitAt(j) {
			l.i = j
			l.digits()
			decimal = true
		}
	}
	text := string(l.src[start:l.i])
	t := token{text: text, pos: start + 1}
	var err error
	if decimal {
		t.kind = tokDecimal
		t.val, err = strconv.ParseFloat(text, 64)
	} else {
		t.kind = tokInt
		t.val, err = strconv.ParseInt(text, 10, 64)
	}
	if err != nil {
		return token{}, invalid(l.opt, "number %s out of range at position %d", text, start+1)
	}
	return t, nil
}

// isDateTime reports whether a date (four digits and a dash) starts at the cursor.
func (l *lexer) isDateTime() bool {
	for k := range 4 {
		if !l.digitAt(l.i + k) {
			return false
		}
	}
	return l.i+4 < len(l.src) && l.src[l.i+4] == '-'
}

// dateTime reads an unquoted RFC 3339 date-time. A space before a trailing "hh:mm" offset is
// read as "+": an unencoded "+01:00" in a URL arrives as " 01:00", and nothing else in the
// grammar can follow a date-time that way.
func (l *lexer) dateTime() (token, error) {
	start := l.i
	for l.i < len(l.src) && strings.ContainsRune("0123456789-:.+TtZz", l.src[l.i]) {
		l.i++
	}
	text := string(l.src[start:l.i])
	if l.spaceOffsetAt(l.i) {
		text += "+" + string(l.src[l.i+1:l.i+6])
		l.i += 6
	}
	v, err := keyward.ParseTime(text)
	if err != nil {
		return token{}, invalid(l.opt, "invalid date-time %q at position %d, expected RFC 3339 like 2026-01-02T03:04:05Z", text, start+1)
	}
	return token{kind: tokTime, text: string(l.src[start:l.i]), pos: start + 1, val: v}, nil
}

// spaceOffsetAt reports whether " hh:mm" starts at i and ends the token.
func (l *lexer) spaceOffsetAt(i int) bool {
	if i+6 > len(l.src) || l.src[i] != ' ' || l.src[i+3] != ':' {
		return false
	}
	for _, k := range []int{1, 2, 4, 5} {
		if !l.digitAt(i + k) {
			return false
		}
	}
	return i+6 == len(l.src) || !isIdentPart(l.src[i+6])
}

func (l *lexer) digits() {
	for l.digitAt(l.i) {
		l.i++
	}
}

func (l *lexer) digitAt(i int) bool { return i < len(l.src) && isDigit(l.src[i]) }

func isDigit(c rune) bool { return c >= '0' && c <= '9' }

func isIdentStart(c rune) bool { return c == '_' || unicode.IsLetter(c) }

func isIdentPart(c rune) bool { return isIdentStart(c) || unicode.IsDigit(c) }

// isIdent reports whether s is a property name as $filter and $orderby accept it.
func isIdent(s string) bool {
	for i, c := range s {
		if !isIdentPart(c) || i == 0 && !isIdentStart(c) {
			return false
		}
	}
	return s != ""
}
