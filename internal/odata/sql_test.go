package odata

import (
	"fmt"
	"net/url"
	"reflect"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
)

func testSchema() Schema {
	return Schema{
		{Name: "title", Column: "b.title", Type: String},
		{Name: "description", Column: "b.description", Type: String, Nullable: true},
		{Name: "rclSerialNo", Column: "b.rcl_serial_no", Type: Int},
		{Name: "lastSeen", Column: "b.last_seen", Type: Int, Nullable: true},
		{Name: "active", Column: "b.active", Type: Bool},
		{Name: "hidden", Column: "b.hidden", Type: Bool, Nullable: true},
		{Name: "bindDate", Column: "b.bind_date", Type: Time},
		{Name: "unbindDate", Column: "b.unbind_date", Type: Time, Nullable: true},
	}
}

// binder records bound values the way a store does, numbering PostgreSQL-style placeholders.
type binder struct{ args []any }

func (b *binder) bind(v any) string {
	b.args = append(b.args, v)
	return fmt.Sprintf("$%d", len(b.args))
}

// parseQuery builds a Query from $filter and $orderby texts through Parse, as the store gets it.
func parseQuery(t *testing.T, filter, orderBy string) *keyward.Query {
	t.Helper()
	v := url.Values{"$filter": {filter}, "$orderby": {orderBy}}
	q, err := Parse(v)
	if err != nil {
		t.Fatalf("Parse(%v) error: %v", v, err)
	}
	return q
}

const (
	ms20260102 = int64(1767323045000) // 2026-01-02T03:04:05Z
	likeTitle  = `LOWER(b.title) LIKE LOWER($1) ESCAPE '\'`
)

func TestSQLWhere(t *testing.T) {
	tests := []struct {
		name, filter, want string
		args               []any
	}{
		{"StringEq", "title eq 'x'", "b.title = $1", []any{"x"}},
		{"PropertyCaseInsensitive", "Title ne 'x'", "b.title <> $1", []any{"x"}},
		{"StringRange", "title gt 'a' and title le 'z'", "(b.title > $1 AND b.title <= $2)", []any{"a", "z"}},
		{"StringGeLt", "title ge 'a' or title lt 'z'", "(b.title >= $1 OR b.title < $2)", []any{"a", "z"}},
		{"NullableEq", "description eq 'x'", "(b.description IS NOT NULL AND b.description = $1)", []any{"x"}},
		{"NullableNe", "description ne 'x'", "(b.description IS NULL OR b.description <> $1)", []any{"x"}},
		{"NullableGt", "lastSeen gt 3", "(b.last_seen IS NOT NULL AND b.last_seen > $1)", []any{int64(3)}},
		{"BoolOrdering", "active gt false", "b.active > $1", []any{false}},
		{"RelationalWithNullIsFalse", "title gt null or lastSeen le null", "(1 = 0 OR 1 = 0)", nil},
		{"EqNull", "description eq null", "b.description IS NULL", nil},
		{"NullNeOnLeft", "null ne description", "b.description IS NOT NULL", nil},
		{"EqNullNotNullable", "title eq null", "b.title IS NULL", nil},
		{"Int", "rclSerialNo ge 5", "b.rcl_serial_no >= $1", []any{int64(5)}},
		{"NegativeInt", "rclSerialNo ne -1", "b.rcl_serial_no <> $1", []any{int64(-1)}},
		{"LiteralOnLeftFlips", "5 lt rclSerialNo", "b.rcl_serial_no > $1", []any{int64(5)}},
		{"LiteralOnLeftFlipsLe", "5 le rclSerialNo and 9 ge rclSerialNo and 1 gt rclSerialNo",
			"((b.rcl_serial_no >= $1 AND b.rcl_serial_no <= $2) AND b.rcl_serial_no < $3)", []any{int64(5), int64(9), int64(1)}},
		{"BoolEq", "active eq true", "b.active = $1", []any{true}},
		{"BoolNe", "active ne false", "b.active <> $1", []any{false}},
		{"BoolOnLeft", "false eq active", "b.active = $1", []any{false}},
		{"BareBool", "active", "b.active = $1", []any{true}},
		{"NotBareBool", "not active", "NOT (b.active = $1)", []any{true}},
		{"BareNullableBool", "hidden", "(b.hidden IS NOT NULL AND b.hidden = $1)", []any{true}},
		{"Time", "bindDate ge 2026-01-02T03:04:05Z", "b.bind_date >= $1", []any{ms20260102}},
		{"TimeQuotedWithOffset", "bindDate lt '2026-01-02T04:04:05.5+01:00'", "b.bind_date < $1", []any{ms20260102 + 500}},
		{"NullableTime", "unbindDate le 2026-01-02T03:04:05Z", "(b.unbind_date IS NOT NULL AND b.unbind_date <= $1)", []any{ms20260102}},
		{"AndBindsTighter", "title eq 'a' or active and rclSerialNo eq 1",
			"(b.title = $1 OR (b.active = $2 AND b.rcl_serial_no = $3))", []any{"a", true, int64(1)}},
		{"Parentheses", "(title eq 'a' or active) and rclSerialNo eq 1",
			"((b.title = $1 OR b.active = $2) AND b.rcl_serial_no = $3)", []any{"a", true, int64(1)}},
		{"NotOfAnd", "not (title eq 'a' and active)", "NOT (b.title = $1 AND b.active = $2)", []any{"a", true}},
		{"NotOfComparison", "not (title eq 'a')", "NOT (b.title = $1)", []any{"a"}},
		{"NotActiveEqTrue", "not active eq true", "NOT (b.active = $1)", []any{true}},
		{"NotActiveEqFalse", "not active eq false", "NOT (NOT (b.active = $1))", []any{true}},
		{"ConditionNeTrue", "contains(title,'a') ne true", "NOT (" + likeTitle + ")", []any{"%a%"}},
		{"ConditionNeFalse", "(title eq 'a' or active) ne false", "(b.title = $1 OR b.active = $2)", []any{"a", true}},
		{"ConditionEqFalseLogical", "(title eq 'a' or active) eq false", "NOT (b.title = $1 OR b.active = $2)", []any{"a", true}},
		{"Contains", "contains(title,'Ab')", likeTitle, []any{"%Ab%"}},
		{"StartsWith", "startswith(title,'Ab')", likeTitle, []any{"Ab%"}},
		{"EndsWith", "endswith(title,'Ab')", likeTitle, []any{"%Ab"}},
		{"LikeWildcardsEscaped", `contains(title,'50%_a\b')`, likeTitle, []any{`%50\%\_a\\b%`}},
		{"NullableContains", "contains(description,'x')",
			`(b.description IS NOT NULL AND LOWER(b.description) LIKE LOWER($1) ESCAPE '\')`, []any{"%x%"}},
		{"NotNullableContains", "not contains(description,'x')",
			`NOT ((b.description IS NOT NULL AND LOWER(b.description) LIKE LOWER($1) ESCAPE '\'))`, []any{"%x%"}},
		{"InjectionIsBound", "title eq 'x'' OR 1=1 --'", "b.title = $1", []any{"x' OR 1=1 --"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b binder
			where, orderBy, err := SQL(parseQuery(t, tt.filter, ""), testSchema(), b.bind, `"C"`)
			if err != nil {
				t.Fatalf("SQL(%q) error: %v", tt.filter, err)
			}
			if where != tt.want || orderBy != "" {
				t.Errorf("SQL(%q)\n got where %s order %q\nwant where %s", tt.filter, where, orderBy, tt.want)
			}
			if !reflect.DeepEqual(b.args, tt.args) {
				t.Errorf("SQL(%q) args = %#v, want %#v", tt.filter, b.args, tt.args)
			}
		})
	}
}

func TestSQLOrderBy(t *testing.T) {
	tests := []struct {
		name, orderBy, collate, want string
	}{
		{"Asc", "title", "", "b.title ASC NULLS LAST"},
		{"Collate", "title asc", `"C"`, `b.title COLLATE "C" ASC NULLS LAST`},
		{"DescCollate", "Title desc", `"C"`, `b.title COLLATE "C" DESC NULLS FIRST`},
		{"CollateOnlyStrings", "bindDate desc, active, rclSerialNo", `"C"`,
			"b.bind_date DESC NULLS FIRST, b.active ASC NULLS LAST, b.rcl_serial_no ASC NULLS LAST"},
		{"Several", "description desc,title", "",
			"b.description DESC NULLS FIRST, b.title ASC NULLS LAST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b binder
			where, orderBy, err := SQL(parseQuery(t, "", tt.orderBy), testSchema(), b.bind, tt.collate)
			if err != nil {
				t.Fatalf("SQL(%q) error: %v", tt.orderBy, err)
			}
			if orderBy != tt.want || where != "" || b.args != nil {
				t.Errorf("SQL(%q)\n got order %s where %q args %v\nwant order %s", tt.orderBy, orderBy, where, b.args, tt.want)
			}
		})
	}
}

func TestSQLBoth(t *testing.T) {
	var b binder
	q := parseQuery(t, "active", "title desc")
	where, orderBy, err := SQL(q, testSchema(), b.bind, "")
	if err != nil {
		t.Fatal(err)
	}
	if where != "b.active = $1" || orderBy != "b.title DESC NULLS FIRST" {
		t.Errorf("SQL = %q, %q, want %q, %q", where, orderBy, "b.active = $1", "b.title DESC NULLS FIRST")
	}
}

func TestSQLNilQuery(t *testing.T) {
	where, orderBy, err := SQL(nil, testSchema(), (&binder{}).bind, "")
	if where != "" || orderBy != "" || err != nil {
		t.Errorf("SQL(nil) = %q, %q, %v, want empty", where, orderBy, err)
	}
}

func TestSQLErrors(t *testing.T) {
	tests := []struct {
		name, filter, orderBy, want string
	}{
		{"UnknownProperty", "foo eq 1", "", `$filter: unknown property "foo" at position 1`},
		{"UnknownPropertyRightOfAnd", "active and foo eq 1", "", `$filter: unknown property "foo" at position 12`},
		{"UnknownPropertyInFunction", "contains(foo,'x')", "", `$filter: unknown property "foo" at position 10`},
		{"UnknownOrderBy", "", "title, foo desc", `$orderby: unknown property "foo" at position 8`},
		{"StringWithInt", "title eq 5", "", `$filter: cannot compare string property "title" with an integer at position 10`},
		{"StringWithTime", "title lt 2026-01-02T03:04:05Z", "", `$filter: cannot compare string property "title" with a date-time at position 10`},
		{"BoolWithString", "active eq 'true'", "", `$filter: cannot compare boolean property "active" with a string at position 11`},
		{"BoolWithInt", "active eq 1", "", `$filter: cannot compare boolean property "active" with an integer at position 11`},
		{"IntWithDecimal", "rclSerialNo eq 1.5", "", `$filter: cannot compare integer property "rclSerialNo" with a decimal number at position 16`},
		{"IntWithString", "rclSerialNo eq '5'", "", `$filter: cannot compare integer property "rclSerialNo" with a string at position 16`},
		{"TimeWithInt", "bindDate eq 5", "", `$filter: cannot compare date-time property "bindDate" with an integer at position 13`},
		{"TimeWithBadString", "bindDate eq 'tomorrow'", "",
			`$filter: cannot compare date-time property "bindDate" with "tomorrow", which is not an RFC 3339 date-time, at position 13`},
		{"TwoProperties", "title eq description", "", `$filter: comparison at position 7 needs a literal on one side; comparing two properties or expressions is not supported`},
		{"TwoLiterals", "1 eq 1", "", `$filter: comparison at position 3 needs a property on one side`},
		{"LiteralCondition", "true", "", `$filter: a literal is not a condition at position 1`},
		{"LiteralInAnd", "active and 'x'", "", `$filter: a literal is not a condition at position 12`},
		{"StringCondition", "title", "", `$filter: string property "title" is not a condition at position 1; compare it with a value`},
		{"NotOfString", "not title eq 'x'", "",
			`$filter: the operand of "eq" at position 11 is a condition and can only be compared with true or false using eq or ne; to negate a comparison write not (a eq b)`},
		{"ConditionGtTrue", "contains(title,'x') gt true", "",
			`$filter: the operand of "gt" at position 21 is a condition and can only be compared with true or false using eq or ne; to negate a comparison write not (a eq b)`},
		{"FunctionOnBool", "contains(active,'x')", "", `$filter: contains needs a string property, but "active" is boolean, at position 10`},
		{"FunctionOnTime", "startswith(bindDate,'2026')", "", `$filter: startswith needs a string property, but "bindDate" is date-time, at position 12`},
		{"FunctionWithInt", "endswith(title, 5)", "", `$filter: endswith needs a string literal, got an integer at position 17`},
		{"FunctionWithNull", "contains(title, null)", "", `$filter: contains needs a string literal, got null at position 17`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b binder
			where, orderBy, err := SQL(parseQuery(t, tt.filter, tt.orderBy), testSchema(), b.bind, "")
			if err == nil {
				t.Fatalf("SQL(%q, %q) = %q, %q, want error", tt.filter, tt.orderBy, where, orderBy)
			}
			if where != "" || orderBy != "" {
				t.Errorf("SQL returned %q, %q with the error, want empty", where, orderBy)
			}
			checkInvalid(t, err, tt.want)
		})
	}
}

// TestSQLHandBuilt covers trees the parser never builds, which a caller could still construct.
func TestSQLHandBuilt(t *testing.T) {
	title := &keyward.PropertyExpr{Name: "title", Pos: 1}
	lit := &keyward.LiteralExpr{Value: "x", Pos: 5}
	tests := []struct {
		name string
		expr keyward.Expr
		want string
	}{
		{"UnknownOperator", &keyward.BinaryExpr{Op: "xor", Left: title, Right: lit, Pos: 3}, `$filter: unsupported operator "xor" at position 3`},
		{"OneArgument", &keyward.CallExpr{Func: "contains", Args: []keyward.Expr{title}, Pos: 1}, `$filter: contains needs two arguments at position 1`},
		{"LiteralFirst", &keyward.CallExpr{Func: "contains", Args: []keyward.Expr{lit, title}, Pos: 1}, `$filter: contains needs a property and a literal at position 1`},
		{"UnknownFunction", &keyward.CallExpr{Func: "length", Args: []keyward.Expr{title, lit}, Pos: 1}, `$filter: unknown function "length" at position 1`},
		{"LiteralOfOtherType", &keyward.BinaryExpr{Op: "eq", Left: title, Right: &keyward.LiteralExpr{Value: 3.5, Pos: 9}, Pos: 3},
			`$filter: cannot compare string property "title" with a decimal number at position 9`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := SQL(&keyward.Query{Filter: tt.expr}, testSchema(), (&binder{}).bind, "")
			checkInvalid(t, err, tt.want)
		})
	}
	t.Run("UnsupportedNodeIsInternal", func(t *testing.T) {
		_, _, err := SQL(&keyward.Query{Filter: &keyward.NotExpr{}}, testSchema(), (&binder{}).bind, "")
		if err == nil || keyward.ErrorOf(err) != nil {
			t.Errorf("error = %v, want an internal (non-keyward) error", err)
		}
	})
}

func TestCheckSelect(t *testing.T) {
	q := &keyward.Query{Select: []string{"Title", "ACTIVE", "title", "bindDate"}}
	if err := CheckSelect(q, testSchema()); err != nil {
		t.Fatal(err)
	}
	if want := []string{"title", "active", "bindDate"}; !reflect.DeepEqual(q.Select, want) {
		t.Errorf("Select = %q, want %q", q.Select, want)
	}

	q = &keyward.Query{Select: []string{"title", "secret"}}
	checkInvalid(t, CheckSelect(q, testSchema()), `$select: unknown property "secret"`)
	if want := []string{"title", "secret"}; !reflect.DeepEqual(q.Select, want) {
		t.Errorf("Select after error = %q, want unchanged %q", q.Select, want)
	}

	for _, q := range []*keyward.Query{nil, {}} {
		if err := CheckSelect(q, testSchema()); err != nil {
			t.Errorf("CheckSelect(%v) = %v, want nil", q, err)
		}
	}
}

func TestSchemaLookup(t *testing.T) {
	f, ok := testSchema().Lookup("RCLSERIALNO")
	if !ok || f.Name != "rclSerialNo" || f.Column != "b.rcl_serial_no" || f.Type != Int {
		t.Errorf("Lookup = %+v, %t", f, ok)
	}
	if f, ok := testSchema().Lookup("rcl_serial_no"); ok {
		t.Errorf("Lookup by column = %+v, want not found", f)
	}
}

func TestTypeString(t *testing.T) {
	for typ, want := range map[Type]string{String: "string", Int: "integer", Bool: "boolean", Time: "date-time", Type(9): "unknown"} {
		if got := typ.String(); got != want {
			t.Errorf("Type(%d).String() = %q, want %q", int(typ), got, want)
		}
	}
}
