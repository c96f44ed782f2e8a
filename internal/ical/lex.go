package ical

import (
	"strings"
	"unicode/utf8"
)

// contentLine is one unfolded RFC 5545 content line: NAME *(;PARAM=VALUE) : VALUE.
type contentLine struct {
	line   int // the first physical line, 1-based, for error details
	name   string
	params []param
	value  string
}

// param is a property parameter; names are upper-cased, values kept as written (quotes removed).
type param struct {
	name   string
	values []string
}

// physical is a logical line before parsing, with the physical line it starts on.
type physical struct {
	line int
	text string
}

// unfold splits text into logical lines (RFC 5545 §3.1): lines end in CRLF or LF, and a line that
// begins with a space or a tab continues the previous one without that first character. Empty
// lines are skipped. Each physical line is checked for characters RFC 5545 forbids so that the
// error names the line where they are.
func unfold(text string) ([]physical, error) {
	var out []physical
	var b strings.Builder
	open := false
	flush := func() {
		if open && b.Len() > 0 {
			out[len(out)-1].text = b.String()
			b.Reset()
		}
	}
	for i, s := range strings.Split(text, "\n") {
		n := i + 1
		s = strings.TrimSuffix(s, "\r")
		if err := checkChars(n, s); err != nil {
			return nil, err
		}
		switch {
		case s == "":
			flush()
			open = false
		case s[0] == ' ' || s[0] == '\t':
			if !open {
				return nil, malformed(n, "a folded line (starting with a space or tab) must follow a content line")
			}
			if b.Len() == 0 {
				b.WriteString(out[len(out)-1].text)
			}
			b.WriteString(s[1:])
		default:
			flush()
			out = append(out, physical{line: n, text: s})
			open = true
		}
	}
	flush()
	return out, nil
}

// checkChars rejects invalid UTF-8 and control characters other than the tab.
func checkChars(n int, s string) error {
	if !utf8.ValidString(s) {
		return malformed(n, "the line is not valid UTF-8")
	}
	for _, r := range s {
		if (r < 0x20 && r != '\t') || r == 0x7f {
			return malformed(n, "control character %U is not allowed", r)
		}
	}
	return nil
}

// isNameChar reports whether c may appear in a property or parameter name (iana-token, x-name).
func isNameChar(c byte) bool {
	return c == '-' || ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z')
}

// scanName returns the length of the name at the start of s.
func scanName(s string) int {
	i := 0
	for i < len(s) && isNameChar(s[i]) {
		i++
	}
	return i
}

// parseLine splits a logical line into name, parameters and value.
func parseLine(p physical) (contentLine, error) {
	s := p.text
	n := scanName(s)
	if n == 0 || n == len(s) || (s[n] != ';' && s[n] != ':') {
		return contentLine{}, malformed(p.line, "%q is not a content line (want NAME[;PARAM=VALUE]:VALUE)", clip(s))
	}
	cl := contentLine{line: p.line, name: strings.ToUpper(s[:n])}
	s = s[n:]
	for s[0] == ';' {
		var pr param
		var err error
		if pr, s, err = parseParam(p.line, cl.name, s[1:]); err != nil {
			return contentLine{}, err
		}
		cl.params = append(cl.params, pr)
	}
	cl.value = s[1:]
	return cl, nil
}

// parseParam parses one parameter after its ';' and returns the rest, which starts with ';' or ':'.
func parseParam(line int, prop, s string) (param, string, error) {
	n := scanName(s)
	if n == 0 || n == len(s) || s[n] != '=' {
		return param{}, "", malformed(line, "%s: invalid parameter %q (want NAME=VALUE)", prop, clip(s))
	}
	pr := param{name: strings.ToUpper(s[:n])}
	s = s[n:] // starts with '='
	for s != "" && (len(pr.values) == 0 || s[0] == ',') {
		s = s[1:]
		var v string
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return param{}, "", malformed(line, "%s: parameter %s has an unterminated quoted value", prop, pr.name)
			}
			v, s = s[1:end+1], s[end+2:]
		} else {
			end := strings.IndexAny(s, `",;:`)
			if end < 0 || s[end] == '"' {
				return param{}, "", malformed(line, "%s: parameter %s has an invalid value", prop, pr.name)
			}
			v, s = s[:end], s[end:]
		}
		pr.values = append(pr.values, v)
	}
	if s == "" || (s[0] != ';' && s[0] != ':') {
		return param{}, "", malformed(line, "%s: parameter %s has an invalid value", prop, pr.name)
	}
	return pr, s, nil
}

// clip shortens text quoted in an error detail.
func clip(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}
