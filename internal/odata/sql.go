package odata

import (
	"fmt"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// SQL translates q into SQL fragments for SQLite and PostgreSQL alike. where is a boolean
// expression without "WHERE" ("" when q has no filter) that is safe to join to other conditions
// with AND: every AND/OR it contains is parenthesized. orderBy is the ORDER BY list without the
// keywords ("" when q has none). Property names are resolved through s, so only trusted column
// expressions reach the SQL text; every literal goes through bind, which records the value and
// returns its placeholder. collate, when not empty, is appended to string sort keys (the
// PostgreSQL store passes `"C"` to sort like SQLite). Errors are 400s naming the position.
func SQL(q *keyward.Query, s Schema, bind func(v any) string, collate string) (where, orderBy string, err error) {
	if q == nil {
		return "", "", nil
	}
	if q.Filter != nil {
		r := &renderer{schema: s, bind: bind}
		if where, err = r.cond(q.Filter); err != nil {
			return "", "", err
		}
	}
	if orderBy, err = renderOrderBy(q.OrderBy, s, collate); err != nil {
		return "", "", err
	}
	return where, orderBy, nil
}

// renderOrderBy spells out NULLS FIRST/LAST because SQLite and PostgreSQL sort NULL at
// opposite ends by default.
func renderOrderBy(terms []keyward.OrderTerm, s Schema, collate string) (string, error) {
	out := make([]string, 0, len(terms))
	for _, t := range terms {
		f, ok := s.Lookup(t.Property)
		if !ok {
			return "", invalid("$orderby", "unknown property %q at position %d", t.Property, t.Pos)
		}
		term := f.Column
		if f.Type == String && collate != "" {
			term += " COLLATE " + collate
		}
		if t.Desc {
			term += " DESC NULLS FIRST"
		} else {
			term += " ASC NULLS LAST"
		}
		out = append(out, term)
	}
	return strings.Join(out, ", "), nil
}

// renderer turns a filter tree into SQL. Every method renders a condition that is either atomic
// or wrapped in parentheses, so callers can combine the results without regard to precedence.
type renderer struct {
	schema Schema
	bind   func(any) string
}

// cond renders e in a boolean context.
func (r *renderer) cond(e keyward.Expr) (string, error) {
	switch e := e.(type) {
	case *keyward.BinaryExpr:
		if isLogical(e) {
			return r.logical(e)
		}
		return r.compare(e)
	case *keyward.NotExpr:
		x, err := r.cond(e.X)
		return negate(e.X, x), err
	case *keyward.CallExpr:
		return r.call(e)
	case *keyward.PropertyExpr:
		return r.boolProperty(e)
	case *keyward.LiteralExpr:
		return "", filterError("a literal is not a condition at position %d", e.Pos)
	}
	return "", fmt.Errorf("odata: unsupported expression %T", e)
}

func (r *renderer) logical(e *keyward.BinaryExpr) (string, error) {
	left, err := r.cond(e.Left)
	if err != nil {
		return "", err
	}
	right, err := r.cond(e.Right)
	if err != nil {
		return "", err
	}
	return "(" + left + " " + strings.ToUpper(e.Op) + " " + right + ")", nil
}

// compare renders a comparison of a property, or of a condition, with a literal. A literal on
// the left is moved to the right by flipping the operator.
func (r *renderer) compare(e *keyward.BinaryExpr) (string, error) {
	left, right, op := e.Left, e.Right, e.Op
	if flipOp(op) == "" {
		return "", filterError("unsupported operator %q at position %d", op, e.Pos)
	}
	if _, ok := left.(*keyward.LiteralExpr); ok {
		left, right, op = right, left, flipOp(op)
	}
	lit, ok := right.(*keyward.LiteralExpr)
	if !ok {
		return "", filterError("comparison at position %d needs a literal on one side; comparing two properties or expressions is not supported", e.Pos)
	}
	switch x := left.(type) {
	case *keyward.LiteralExpr:
		return "", filterError("comparison at position %d needs a property on one side", e.Pos)
	case *keyward.PropertyExpr:
		return r.compareProperty(x, op, lit, e.Pos)
	}
	return r.compareCondition(left, op, lit, e.Pos)
}

func (r *renderer) compareProperty(p *keyward.PropertyExpr, op string, lit *keyward.LiteralExpr, pos int) (string, error) {
	f, err := r.field(p)
	if err != nil {
		return "", err
	}
	if lit.Value == nil {
		return nullCheck(f, op, pos)
	}
	v, err := r.value(f, lit)
	if err != nil {
		return "", err
	}
	return twoValued(f, op, f.Column+" "+sqlOp(op)+" "+r.bind(v)), nil
}

// compareCondition renders "cond eq true" and its variants, which OData allows and which
// "not active eq true" becomes, since not binds tighter than eq.
func (r *renderer) compareCondition(x keyward.Expr, op string, lit *keyward.LiteralExpr, pos int) (string, error) {
	b, ok := lit.Value.(bool)
	if !ok || (op != "eq" && op != "ne") {
		return "", filterError("the operand of %q at position %d is a condition and can only be compared with true or false using eq or ne; to negate a comparison write not (a eq b)", op, pos)
	}
	c, err := r.cond(x)
	if err != nil || b == (op == "eq") {
		return c, err
	}
	return negate(x, c), nil
}

// call renders contains/startswith/endswith as a case-insensitive LIKE, which behaves the same on
// SQLite (LIKE ignores ASCII case) and PostgreSQL (LIKE is case-sensitive) only with LOWER on
// both sides.
func (r *renderer) call(e *keyward.CallExpr) (string, error) {
	if len(e.Args) != 2 {
		return "", filterError("%s needs two arguments at position %d", e.Func, e.Pos)
	}
	p, okP := e.Args[0].(*keyward.PropertyExpr)
	lit, okL := e.Args[1].(*keyward.LiteralExpr)
	if !okP || !okL {
		return "", filterError("%s needs a property and a literal at position %d", e.Func, e.Pos)
	}
	f, err := r.field(p)
	if err != nil {
		return "", err
	}
	if f.Type != String {
		return "", filterError("%s needs a string property, but %q is %s, at position %d", e.Func, f.Name, f.Type, p.Pos)
	}
	s, ok := lit.Value.(string)
	if !ok {
		return "", filterError("%s needs a string literal, got %s at position %d", e.Func, describe(lit.Value), lit.Pos)
	}
	pattern, ok := likePattern(e.Func, s)
	if !ok {
		return "", filterError("unknown function %q at position %d", e.Func, e.Pos)
	}
	return twoValued(f, "eq", "LOWER("+f.Column+") LIKE LOWER("+r.bind(pattern)+`) ESCAPE '\'`), nil
}

// boolProperty renders a boolean property standing alone, as in "$filter=active".
func (r *renderer) boolProperty(p *keyward.PropertyExpr) (string, error) {
	f, err := r.field(p)
	if err != nil {
		return "", err
	}
	if f.Type != Bool {
		return "", filterError("%s property %q is not a condition at position %d; compare it with a value", f.Type, f.Name, p.Pos)
	}
	return twoValued(f, "eq", f.Column+" = "+r.bind(true)), nil
}

func (r *renderer) field(p *keyward.PropertyExpr) (Field, error) {
	f, ok := r.schema.Lookup(p.Name)
	if !ok {
		return Field{}, filterError("unknown property %q at position %d", p.Name, p.Pos)
	}
	return f, nil
}

// value type-checks lit against f and converts it to the value stored in f's column.
func (r *renderer) value(f Field, lit *keyward.LiteralExpr) (any, error) {
	switch v := lit.Value.(type) {
	case string:
		if f.Type == String {
			return v, nil
		}
		if f.Type == Time {
			t, err := keyward.ParseTime(v)
			if err != nil {
				return nil, filterError("cannot compare date-time property %q with %q, which is not an RFC 3339 date-time, at position %d", f.Name, v, lit.Pos)
			}
			return t.Millis(), nil
		}
	case int64:
		if f.Type == Int {
			return v, nil
		}
	case bool:
		if f.Type == Bool {
			return v, nil
		}
	case keyward.Time:
		if f.Type == Time {
			return v.Millis(), nil
		}
	}
	return nil, filterError("cannot compare %s property %q with %s at position %d", f.Type, f.Name, describe(lit.Value), lit.Pos)
}

// nullCheck renders a comparison with null: "eq null" and "ne null" test for null (SQL's "= NULL"
// would never match), and gt, ge, lt and le with null are false, as OData's lifted relational
// operators are.
func nullCheck(f Field, op string, pos int) (string, error) {
	switch op {
	case "eq":
		return f.Column + " IS NULL", nil
	case "ne":
		return f.Column + " IS NOT NULL", nil
	case "gt", "ge", "lt", "le":
		return "1 = 0", nil
	}
	return "", filterError("operator %q cannot compare with null at position %d", op, pos)
}

// twoValued makes a comparison on a nullable column true or false, never NULL, so that it keeps
// OData's meaning under "not": in OData "null ne 'x'" is true and "not (null eq 'x')" is true,
// while SQL would give NULL and drop the row.
func twoValued(f Field, op, expr string) string {
	switch {
	case !f.Nullable:
		return expr
	case op == "ne":
		return "(" + f.Column + " IS NULL OR " + expr + ")"
	}
	return "(" + f.Column + " IS NOT NULL AND " + expr + ")"
}

// negate renders NOT of the condition c rendered from x, adding parentheses unless x is an
// AND/OR, which is parenthesized already.
func negate(x keyward.Expr, c string) string {
	if b, ok := x.(*keyward.BinaryExpr); ok && isLogical(b) {
		return "NOT " + c
	}
	return "NOT (" + c + ")"
}

func isLogical(e *keyward.BinaryExpr) bool { return e.Op == "and" || e.Op == "or" }

// flipOp returns the operator that means the same with the operands swapped ("" if unknown).
func flipOp(op string) string {
	switch op {
	case "eq", "ne":
		return op
	case "gt":
		return "lt"
	case "ge":
		return "le"
	case "lt":
		return "gt"
	case "le":
		return "ge"
	}
	return ""
}

func sqlOp(op string) string {
	switch op {
	case "eq":
		return "="
	case "ne":
		return "<>"
	case "gt":
		return ">"
	case "ge":
		return ">="
	case "lt":
		return "<"
	}
	return "<="
}

// likePattern builds the LIKE pattern of a function, escaping LIKE's own wildcards (and the
// escape character) so the client's text matches literally.
func likePattern(fn, s string) (string, bool) {
	s = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
	switch fn {
	case "contains":
		return "%" + s + "%", true
	case "startswith":
		return s + "%", true
	case "endswith":
		return "%" + s, true
	}
	return "", false
}

// describe names a literal's kind in error messages.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a decimal number"
	case bool:
		return "a boolean"
	case keyward.Time:
		return "a date-time"
	}
	return fmt.Sprintf("a %T", v)
}

func filterError(format string, a ...any) error { return invalid("$filter", format, a...) }
