package odata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// Select applies $select to a response: v (an entity or a slice of entities) is marshalled and
// each object keeps only the top-level keys named in fields, compared case-insensitively, in
// their original order and spelling. A slice stays an array, and a null entity stays null. The
// result is a json.RawMessage, so the response is deterministic. It is escaped as json.Marshal
// escapes (HTML characters too), as every response is, so that it can be written as it is,
// without a second pass of the encoder over it. With no fields v is returned as it is.
func Select(v any, fields []string) (any, error) {
	if len(fields) == 0 {
		return v, nil
	}
	buf := encoded.Get().(*bytes.Buffer)
	defer putEncoded(buf)
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		return nil, fmt.Errorf("odata: select: marshal %T: %w", v, err)
	}
	raw := bytes.TrimSpace(buf.Bytes())
	if len(raw) > 0 && raw[0] == '[' {
		return selectArray(raw, fields)
	}
	return selectObject(raw, fields)
}

// encoded holds the buffers the entities are encoded into before their members are selected:
// a page of the log export is some 300 kB, which a new buffer would grow to by doubling on
// every request. The selection is a copy, so a buffer is free again once Select returns.
var encoded = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putEncoded returns buf to encoded, unless an unusually large answer grew it past 4 MB: keeping
// that would hold its memory for good.
func putEncoded(buf *bytes.Buffer) {
	if buf.Cap() > 4<<20 {
		return
	}
	buf.Reset()
	encoded.Put(buf)
}

// selectArray filters each object of a JSON array. It and selectObject scan the encoder's output
// in place instead of decoding it token by token (a log-export page of 500 entries spent most of
// its time in json.Decoder.Token, several times the cost of encoding the page), and each object
// once: filtering it finds where it ends.
func selectArray(raw []byte, fields []string) (json.RawMessage, error) {
	out := make([]byte, 0, len(raw))
	out = append(out, '[')
	i := skipSpace(raw, 1)
	for n := 0; i < len(raw) && raw[i] != ']'; n++ {
		if n > 0 {
			out = append(out, ',')
		}
		var err error
		if out, i, err = appendObject(out, raw, i, fields); err != nil {
			return nil, err
		}
		if i = skipSpace(raw, i); i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	if i >= len(raw) {
		return nil, fmt.Errorf("odata: select: unterminated array")
	}
	return append(out, ']'), nil
}

// selectObject filters one JSON object member by member, which keeps the key order that a map
// would lose; keys and values are copied as they are.
func selectObject(raw []byte, fields []string) (json.RawMessage, error) {
	out, end, err := appendObject(nil, raw, 0, fields)
	if err == nil && skipSpace(raw, end) != len(raw) {
		err = fmt.Errorf("odata: select: %.20s follows the object", raw[end:])
	}
	return out, err
}

// appendObject appends the object (or null) that starts at raw[i], filtered as selectObject
// does, to dst, and returns the index just after it: an array's objects go straight into the
// array.
func appendObject(dst, raw []byte, i int, fields []string) ([]byte, int, error) {
	if bytes.HasPrefix(raw[i:], []byte("null")) {
		return append(dst, "null"...), i + len("null"), nil
	}
	if i >= len(raw) || raw[i] != '{' {
		return nil, 0, fmt.Errorf("odata: select: %.20s is not a JSON object", raw[min(i, len(raw)):])
	}
	out := append(dst, '{')
	start := len(out)
	i = skipSpace(raw, i+1)
	for i < len(raw) && raw[i] != '}' {
		if raw[i] != '"' {
			return nil, 0, fmt.Errorf("odata: select: bad key at %.20s", raw[i:])
		}
		keyEnd, err := stringEnd(raw, i)
		if err != nil {
			return nil, 0, err
		}
		key := raw[i:keyEnd]
		colon := skipSpace(raw, keyEnd)
		if colon >= len(raw) || raw[colon] != ':' {
			return nil, 0, fmt.Errorf("odata: select: no ':' after key %s", key)
		}
		valStart := skipSpace(raw, colon+1)
		valEnd, err := valueEnd(raw, valStart)
		if err != nil {
			return nil, 0, err
		}
		if ok, err := keySelected(key, fields); err != nil {
			return nil, 0, err
		} else if ok {
			if len(out) > start {
				out = append(out, ',')
			}
			out = append(append(append(out, key...), ':'), raw[valStart:valEnd]...)
		}
		if i = skipSpace(raw, valEnd); i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	if i >= len(raw) {
		return nil, 0, fmt.Errorf("odata: select: unterminated object")
	}
	return append(out, '}'), i + 1, nil
}

// keySelected reports whether the quoted key is one of fields. Only a key with an escape needs
// decoding; the others are compared where they are, without a string of their own.
func keySelected(quoted []byte, fields []string) (bool, error) {
	if bytes.IndexByte(quoted, '\\') < 0 {
		name := quoted[1 : len(quoted)-1]
		for _, f := range fields {
			if len(f) == len(name) && strings.EqualFold(f, string(name)) {
				return true, nil
			}
		}
		return false, nil
	}
	var name string
	if err := json.Unmarshal(quoted, &name); err != nil {
		return false, fmt.Errorf("odata: select: key %s: %w", quoted, err)
	}
	return selected(name, fields), nil
}

// skipSpace returns the index of the first non-space byte of b at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the index just after the JSON value that starts at b[i]. b is the output of
// encoding/json, so the value is well formed; only its extent is found: strings are skipped by
// their escapes, objects and arrays by their depth.
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, fmt.Errorf("odata: select: value expected")
	}
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			end, err := stringEnd(b, j)
			if err != nil {
				return 0, err
			}
			if depth == 0 {
				return end, nil
			}
			j = end - 1
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 { // the end of a scalar that closes its container
				return j, nil
			}
			if depth--; depth == 0 {
				return j + 1, nil
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return j, nil
			}
		}
	}
	if depth > 0 {
		return 0, fmt.Errorf("odata: select: unterminated value")
	}
	return len(b), nil
}

// stringEnd returns the index just after the string that starts at b[i] == '"'.
func stringEnd(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); {
		q := bytes.IndexByte(b[j:], '"')
		if q < 0 {
			break
		}
		q += j
		escapes := 0 // a quote after an odd number of backslashes is escaped
		for p := q - 1; p > i && b[p] == '\\'; p-- {
			escapes++
		}
		if escapes%2 == 0 {
			return q + 1, nil
		}
		j = q + 1
	}
	return 0, fmt.Errorf("odata: select: unterminated string")
}

func selected(key string, fields []string) bool {
	for _, f := range fields {
		if strings.EqualFold(f, key) {
			return true
		}
	}
	return false
}
