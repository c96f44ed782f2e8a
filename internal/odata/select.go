package odata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Select applies $select to a response: v (an entity or a slice of entities) is marshalled and
// each object keeps only the top-level keys named in fields, compared case-insensitively, in
// their original order and spelling. A slice stays an array, and a null entity stays null. The
// result is a json.RawMessage, so the response is deterministic. With no fields v is returned
// as it is.
func Select(v any, fields []string) (any, error) {
	if len(fields) == 0 {
		return v, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the response encoder decides about escaping, not this step
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("odata: select: marshal %T: %w", v, err)
	}
	raw := bytes.TrimSpace(buf.Bytes())
	if len(raw) > 0 && raw[0] == '[' {
		return selectArray(raw, fields)
	}
	return selectObject(raw, fields)
}

func selectArray(raw []byte, fields []string) (json.RawMessage, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, fmt.Errorf("odata: select: %w", err)
	}
	out := []byte{'['}
	for i, e := range elems {
		obj, err := selectObject(e, fields)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, obj...)
	}
	return append(out, ']'), nil
}

// selectObject filters one JSON object by reading it token by token, which keeps the key order
// that a map would lose.
func selectObject(raw []byte, fields []string) (json.RawMessage, error) {
	if string(raw) == "null" {
		return json.RawMessage("null"), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("odata: select: %.20s is not a JSON object", raw)
	}
	out := []byte{'{'}
	for dec.More() {
		key, val, err := nextMember(dec)
		if err != nil {
			return nil, err
		}
		if !selected(key, fields) {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		k, _ := json.Marshal(key) // a string always marshals
		out = append(append(append(out, k...), ':'), val...)
	}
	return append(out, '}'), nil
}

// nextMember reads one "key": value pair of an object.
func nextMember(dec *json.Decoder) (string, json.RawMessage, error) {
	t, err := dec.Token()
	if err != nil {
		return "", nil, fmt.Errorf("odata: select: %w", err)
	}
	key, _ := t.(string) // inside an object the decoder only yields string keys here
	var val json.RawMessage
	if err := dec.Decode(&val); err != nil {
		return "", nil, fmt.Errorf("odata: select: value of %q: %w", key, err)
	}
	return key, val, nil
}

func selected(key string, fields []string) bool {
	for _, f := range fields {
		if strings.EqualFold(f, key) {
			return true
		}
	}
	return false
}
