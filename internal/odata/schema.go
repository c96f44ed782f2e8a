package odata

import (
	"slices"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// Type is the type of a filterable property. It decides which literals a property may be
// compared with and which operators apply.
type Type int

// The property types. String is the zero value because most properties are strings.
const (
	String Type = iota // TEXT; eq/ne/gt/ge/lt/le, contains/startswith/endswith
	Int                // INTEGER/BIGINT; compared with integer literals only
	Bool               // BOOLEAN (0/1 on SQLite); false sorts before true
	Time               // BIGINT Unix milliseconds; compared with date-time literals
)

// String names the type in error messages.
func (t Type) String() string {
	switch t {
	case String:
		return "string"
	case Int:
		return "integer"
	case Bool:
		return "boolean"
	case Time:
		return "date-time"
	}
	return "unknown"
}

// Field is one property a client may filter, order or select by. Column is a trusted SQL
// expression (such as "b.title") written by the store, never taken from the request; it should
// be a plain column or parenthesized, since it is embedded next to operators.
type Field struct {
	Name     string // the JSON property name, e.g. "boundLockId"
	Column   string
	Type     Type
	Nullable bool // the column may hold NULL; comparisons then keep OData's two-valued logic
}

// Schema is the whitelist of one entity's properties. Only properties listed here reach SQL,
// which is what makes rendering client-written filters safe.
type Schema []Field

// Lookup finds a field by name, ignoring case: .NET clients write "Active" for "active".
func (s Schema) Lookup(name string) (Field, bool) {
	for _, f := range s {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return Field{}, false
}

// CheckSelect verifies that every $select name is in the schema and rewrites q.Select to the
// schema's spelling without duplicates, so later steps can compare names exactly.
func CheckSelect(q *keyward.Query, s Schema) error {
	if q == nil || len(q.Select) == 0 {
		return nil
	}
	names := make([]string, 0, len(q.Select))
	for _, name := range q.Select {
		f, ok := s.Lookup(name)
		if !ok {
			return keyward.Invalidf("$select: unknown property %q", name)
		}
		if !slices.Contains(names, f.Name) {
			names = append(names, f.Name)
		}
	}
	q.Select = names
	return nil
}
