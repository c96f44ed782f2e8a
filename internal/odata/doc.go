// Package odata reads the OData query options of Keyward's list endpoints (decisions §6) into a
// keyward.Query, checks it against a per-entity whitelist, renders it as portable SQL, and
// applies $select to responses. It accepts the subset that Tapkey clients are known to send,
// and rejects everything else with a 400 whose ErrorDetails name the option and, where it
// helps, the 1-based character position, e.g.
//
//	$filter: unexpected token "xyz" at position 12, expected an operator
//	$top: must be an integer between 0 and 1000, got "5000"
//
// # Query options
//
// $filter, $orderby, $select, $top and $skip, plus expand (or $expand). Option names are matched
// case-insensitively. An option with an empty value is ignored, because clients send dangling
// "&$select=&"; an option given twice with values is an error, as is any other "$" option
// ($count, $search, $format, ...). Parameters without "$" other than expand are left to the
// caller. Each option is limited to MaxOptionLength characters and must be valid UTF-8.
//
//   - $top: a non-negative integer up to keyward.MaxTop (1000).
//   - $skip: a non-negative integer.
//   - $select: a comma list of property names; empty items are dropped; "*" means all.
//   - $orderby: a comma list of "property [asc|desc]"; asc is the default.
//   - expand, $expand: a comma list of names, merged, duplicates dropped; the service checks them.
//
// # $filter
//
// Operators, case-insensitive, tightest first (as in OData's operator table):
//
//	not          negation, binding tighter than comparison: write "not (a eq 1)"
//	eq ne gt ge lt le
//	and
//	or
//	( )          grouping, nested at most MaxDepth levels
//
// Literals:
//
//	'O''Brien'                  string; a quote inside is doubled
//	42  -7                      integer (int64)
//	1.5  2e3                    decimal (float64)
//	true  false  null
//	2026-01-02T03:04:05Z        RFC 3339 date-time, unquoted, as keyward.Time
//	2026-01-02T03:04:05.1+01:00 (an unencoded "+" that arrived as a space is accepted)
//
// Functions contains, startswith and endswith take a property and a literal. Properties are
// identifiers, returned as written; the schema resolves them case-insensitively. A boolean
// property may stand alone ("active", "not active").
//
// # Types and SQL
//
// A Schema lists each entity's filterable properties with their column and Type; nothing else
// reaches SQL, and every literal is bound as a parameter. A property is compared with a literal
// (either side); comparing two properties is not supported. String properties take string
// literals, compared exactly; Int properties take integers; Bool properties take true/false
// (false sorts before true); Time properties take date-times (or a quoted RFC 3339 string) and are compared
// as Unix milliseconds, their stored form. eq null and ne null become IS NULL and IS NOT NULL;
// gt, ge, lt and le with null are false, as OData's lifted relational operators are.
// Comparisons on nullable columns keep OData's two-valued logic (null ne 'x' is true), so "not"
// means the same as in OData.
//
// The functions are case-insensitive and match their argument literally (% and _ are escaped):
// LOWER(col) LIKE LOWER(pattern) ESCAPE '\', which SQLite and PostgreSQL evaluate alike for
// ASCII text; outside ASCII, SQLite's LOWER leaves letters unchanged. Sort keys carry explicit
// NULLS LAST (asc) or NULLS FIRST (desc) because the two engines differ by default, and string
// keys may carry a collation so PostgreSQL sorts like SQLite.
package odata
