package odata

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/keyward/keyward/internal/keyward"
)

// Limits that keep a hostile query from costing more than a normal one. They are generous for
// real clients: an "id eq '…' or …" list, as Tapkey clients send, fits about 40 ids.
const (
	MaxOptionLength = 2048 // characters per query option
	MaxDepth        = 32   // nested parentheses and "not"s in $filter
)

// Parse reads the OData query options of a list request (decisions §6). Options with an empty
// value are ignored, because real clients send a dangling "&$select=&"; parameters without "$"
// other than expand belong to the caller. Every error is a 400 *keyward.Error whose details name
// the option and, for $filter and $orderby, the 1-based character position.
func Parse(v url.Values) (*keyward.Query, error) {
	q := &keyward.Query{}
	byName := make(map[string][]string, len(v))
	for _, k := range slices.Sorted(maps.Keys(v)) {
		name := strings.ToLower(k)
		byName[name] = append(byName[name], v[k]...)
	}
	// Sorted, so that the same bad request always reports the same error.
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		if err := parseOption(q, name, byName[name]); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// parseOption applies one query parameter (name lower-cased) to q.
func parseOption(q *keyward.Query, name string, values []string) error {
	if name == "expand" || name == "$expand" {
		return parseExpand(q, values)
	}
	if !strings.HasPrefix(name, "$") {
		return nil
	}
	apply := optionParser(name)
	if apply == nil {
		return keyward.Invalidf("%s: unsupported query option; supported are $filter, $orderby, $select, $top, $skip and $expand", name)
	}
	text, err := single(name, values)
	if err != nil || text == "" {
		return err
	}
	return apply(q, text)
}

// optionParser returns the function that reads the (non-empty, checked) text of a system query
// option into the query, or nil for an option Keyward does not support.
func optionParser(name string) func(*keyward.Query, string) error {
	switch name {
	case "$filter":
		return parseFilterOption
	case "$orderby":
		return parseOrderByOption
	case "$select":
		return parseSelectOption
	case "$top":
		return parseTop
	case "$skip":
		return parseSkip
	}
	return nil
}

// single returns the one non-empty value of an option, "" when there is none, and checks the
// length and encoding limits.
func single(name string, values []string) (string, error) {
	var text string
	for _, s := range values {
		if strings.TrimSpace(s) == "" {
			continue
		}
		if text != "" {
			return "", keyward.Invalidf("%s: given more than once", name)
		}
		if err := checkText(name, s); err != nil {
			return "", err
		}
		text = s
	}
	return text, nil
}

// checkText rejects text that is not UTF-8 (it would reach the database) or too long.
func checkText(name, s string) error {
	if !utf8.ValidString(s) {
		return keyward.Invalidf("%s: not valid UTF-8", name)
	}
	if n := utf8.RuneCountInString(s); n > MaxOptionLength {
		return keyward.Invalidf("%s: %d characters, longer than the limit of %d", name, n, MaxOptionLength)
	}
	return nil
}

func parseTop(q *keyward.Query, text string) error {
	n, ok := parseCount(text)
	if !ok || n > keyward.MaxTop {
		return keyward.Invalidf("$top: must be an integer between 0 and %d, got %q", keyward.MaxTop, text)
	}
	q.Top = &n
	return nil
}

func parseSkip(q *keyward.Query, text string) error {
	n, ok := parseCount(text)
	if !ok {
		return keyward.Invalidf("$skip: must be a non-negative integer, got %q", text)
	}
	q.Skip = n
	return nil
}

// parseCount accepts only decimal digits (no sign) around optional spaces.
func parseCount(text string) (int, bool) {
	s := strings.TrimSpace(text)
	for _, c := range s {
		if !isDigit(c) {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func parseSelectOption(q *keyward.Query, text string) error {
	items := splitList(text)
	for _, it := range items {
		if it.text == "*" {
			q.Select = nil // "all properties", the same as no $select
			return nil
		}
		if !isIdent(it.text) {
			return keyward.Invalidf("$select: invalid property name %q at position %d", it.text, it.pos)
		}
		q.Select = append(q.Select, it.text)
	}
	return nil
}

func parseExpand(q *keyward.Query, values []string) error {
	for _, s := range values {
		if err := checkText("$expand", s); err != nil {
			return err
		}
		for _, it := range splitList(s) {
			if !slices.Contains(q.Expand, it.text) {
				q.Expand = append(q.Expand, it.text)
			}
		}
	}
	return nil
}

// item is one element of a comma list with its 1-based character position.
type item struct {
	text string
	pos  int
}

// splitList splits a comma list, trims the items and drops empty ones.
func splitList(s string) []item {
	var items []item
	pos := 1
	for part := range strings.SplitSeq(s, ",") {
		trimmed := strings.TrimLeftFunc(part, isSpace)
		lead := utf8.RuneCountInString(part) - utf8.RuneCountInString(trimmed)
		if trimmed = strings.TrimRightFunc(trimmed, isSpace); trimmed != "" {
			items = append(items, item{text: trimmed, pos: pos + lead})
		}
		pos += utf8.RuneCountInString(part) + 1
	}
	return items
}

func isSpace(c rune) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func parseOrderByOption(q *keyward.Query, text string) error {
	toks, err := tokenize("$orderby", text)
	if err != nil {
		return err
	}
	p := &parser{opt: "$orderby", toks: toks}
	for {
		for p.peek().kind == tokComma {
			p.advance()
		}
		t := p.advance()
		if t.kind == tokEOF {
			return nil
		}
		if t.kind != tokIdent {
			return p.unexpected(t, "a property")
		}
		term := keyward.OrderTerm{Property: t.text, Pos: t.pos}
		if dir := p.peek(); isKeyword(dir, "asc") || isKeyword(dir, "desc") {
			term.Desc = isKeyword(p.advance(), "desc")
		}
		if end := p.peek(); end.kind != tokComma && end.kind != tokEOF {
			return p.unexpected(end, `"asc", "desc" or ","`)
		}
		q.OrderBy = append(q.OrderBy, term)
	}
}

func parseFilterOption(q *keyward.Query, text string) error {
	e, err := ParseFilter(text)
	q.Filter = e
	return err
}

// ParseFilter parses the text of a $filter option into an expression tree; positions in the
// tree and in errors are 1-based character offsets in text.
func ParseFilter(text string) (keyward.Expr, error) {
	if err := checkText("$filter", text); err != nil {
		return nil, err
	}
	toks, err := tokenize("$filter", text)
	if err != nil {
		return nil, err
	}
	p := &parser{opt: "$filter", toks: toks}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.unexpected(t, "an operator")
	}
	return e, nil
}

// invalid is the 400 error of every syntax problem, prefixed with the option name.
func invalid(opt, format string, a ...any) error {
	return keyward.Invalidf("%s: %s", opt, fmt.Sprintf(format, a...))
}
