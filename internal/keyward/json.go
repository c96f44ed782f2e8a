package keyward

import (
	"encoding/json"
	"strconv"
)

// AppendJSONString appends s as encoding/json writes it, HTML characters, U+2028 and U+2029
// escaped and invalid UTF-8 replaced. A string of printable ASCII without a quote, a backslash or
// an HTML character, as ids and a log's vocabulary are, is copied between quotes; any other goes
// through json.Marshal, so that the two never differ.
func AppendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always marshals
			return append(dst, b...)
		}
	}
	return append(append(append(dst, '"'), s...), '"')
}

// objectWriter appends the members of one JSON object in the order of names, the i-th only when
// bit i of keep is set: an entity that writes itself calls one method per member, in the order of
// its struct's fields.
type objectWriter struct {
	dst   []byte
	names []string
	keep  uint64
	i     int  // the next member's index in names
	wrote bool // whether a member was written, so the next one needs a comma
}

// member reports whether the next member is kept and, if so, appends its key.
func (o *objectWriter) member() bool {
	i := o.i
	o.i++
	if o.keep&(1<<i) == 0 {
		return false
	}
	if o.wrote {
		o.dst = append(o.dst, ',')
	}
	o.wrote = true
	o.dst = append(append(append(o.dst, '"'), o.names[i]...), '"', ':')
	return true
}

func (o *objectWriter) string(s string) {
	if o.member() {
		o.dst = AppendJSONString(o.dst, s)
	}
}

func (o *objectWriter) optString(s *string) {
	if !o.member() {
		return
	}
	if s == nil {
		o.dst = append(o.dst, "null"...)
	} else {
		o.dst = AppendJSONString(o.dst, *s)
	}
}

func (o *objectWriter) int(n int64) {
	if o.member() {
		o.dst = strconv.AppendInt(o.dst, n, 10)
	}
}

func (o *objectWriter) time(t Time) {
	if o.member() {
		o.dst = t.AppendJSON(o.dst)
	}
}
