package odata

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
)

// show prints a filter tree as an S-expression with every node's position, so a table row states
// structure, literal types and positions at once.
func show(e keyward.Expr) string {
	switch e := e.(type) {
	case nil:
		return "<nil>"
	case *keyward.BinaryExpr:
		return fmt.Sprintf("(%s@%d %s %s)", e.Op, e.Pos, show(e.Left), show(e.Right))
	case *keyward.NotExpr:
		return fmt.Sprintf("(not@%d %s)", e.Pos, show(e.X))
	case *keyward.PropertyExpr:
		return fmt.Sprintf("%s@%d", e.Name, e.Pos)
	case *keyward.CallExpr:
		args := make([]string, len(e.Args))
		for i, a := range e.Args {
			args[i] = show(a)
		}
		return fmt.Sprintf("(%s@%d %s)", e.Func, e.Pos, strings.Join(args, " "))
	case *keyward.LiteralExpr:
		return fmt.Sprintf("%s@%d", showValue(e.Value), e.Pos)
	}
	return fmt.Sprintf("<%T>", e)
}

func showValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("str:%q", v)
	case int64:
		return fmt.Sprintf("int:%d", v)
	case float64:
		return fmt.Sprintf("dec:%g", v)
	case bool:
		return fmt.Sprintf("bool:%t", v)
	case keyward.Time:
		return "time:" + v.String()
	}
	return fmt.Sprintf("<%T>", v)
}

func TestParseFilter(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"Eq", "name eq 'x'", `(eq@6 name@1 str:"x"@9)`},
		{"Operators", "a ne 1 or b gt 2 or c ge 3 or d lt 4 or e le 5",
			"(or@38 (or@28 (or@18 (or@8 (ne@3 a@1 int:1@6) (gt@13 b@11 int:2@16)) (ge@23 c@21 int:3@26)) (lt@33 d@31 int:4@36)) (le@43 e@41 int:5@46))"},
		{"KeywordsCaseInsensitive", "A GT 5 AnD b Eq TRUE OR NOT c",
			"(or@22 (and@8 (gt@3 A@1 int:5@6) (eq@14 b@12 bool:true@17)) (not@25 c@29))"},
		{"AndBindsTighterThanOr", "a eq 1 or b eq 2 and c eq 3",
			"(or@8 (eq@3 a@1 int:1@6) (and@18 (eq@13 b@11 int:2@16) (eq@24 c@22 int:3@27)))"},
		{"OrIsLeftAssociative", "a or b or c", "(or@8 (or@3 a@1 b@6) c@11)"},
		{"AndIsLeftAssociative", "a and b and c", "(and@9 (and@3 a@1 b@7) c@13)"},
		{"ParenthesesOverride", "(a or b) and c", "(and@10 (or@4 a@2 b@7) c@14)"},
		{"NestedParentheses", "((a eq 1))", "(eq@5 a@3 int:1@8)"},
		{"NotBindsTighterThanComparison", "not a eq b", "(eq@7 (not@1 a@5) b@10)"},
		{"NotOfParenthesized", "not (a eq 1)", "(not@1 (eq@8 a@6 int:1@11))"},
		{"DoubleNot", "not not active", "(not@1 (not@5 active@9))"},
		{"NotBindsTighterThanAnd", "not a and b", "(and@7 (not@1 a@5) b@11)"},
		{"LiteralOnLeft", "5 lt n", "(lt@3 int:5@1 n@6)"},
		{"BareProperty", "active", "active@1"},
		{"PropertyNameAsWritten", "IsActive eq true", "(eq@10 IsActive@1 bool:true@13)"},
		{"IdentifierCharacters", "_a1 eq 1", "(eq@5 _a1@1 int:1@8)"},
		{"Whitespace", " \ta\teq\n1 ", "(eq@5 a@3 int:1@8)"},
		{"NoSpaceAroundParens", "(a eq 1)and(b eq 2)", "(and@9 (eq@4 a@2 int:1@7) (eq@15 b@13 int:2@18))"},
		{"StringEscape", "a eq 'it''s'", `(eq@3 a@1 str:"it's"@6)`},
		{"EmptyString", "a eq ''", `(eq@3 a@1 str:""@6)`},
		{"OnlyAQuote", "a eq ''''", `(eq@3 a@1 str:"'"@6)`},
		{"StringWithOperators", "a eq 'x and y eq (z)'", `(eq@3 a@1 str:"x and y eq (z)"@6)`},
		{"PositionsCountCharacters", "a eq 'äöü' or b eq 1", `(or@12 (eq@3 a@1 str:"äöü"@6) (eq@17 b@15 int:1@20))`},
		{"NegativeInteger", "a gt -7", "(gt@3 a@1 int:-7@6)"},
		{"LargestInteger", "a eq 9223372036854775807", "(eq@3 a@1 int:9223372036854775807@6)"},
		{"Decimal", "a eq 1.5", "(eq@3 a@1 dec:1.5@6)"},
		{"Exponent", "a eq 2e3", "(eq@3 a@1 dec:2000@6)"},
		{"NegativeDecimalExponent", "a eq -0.5E-2", "(eq@3 a@1 dec:-0.005@6)"},
		{"False", "a eq false", "(eq@3 a@1 bool:false@6)"},
		{"Null", "a eq Null", "(eq@3 a@1 null@6)"},
		{"DateTimeUTC", "a ge 2026-01-02T03:04:05Z", "(ge@3 a@1 time:2026-01-02T03:04:05.000Z@6)"},
		{"DateTimeOffsetAndNanos", "a lt 2026-01-02T03:04:05.123456789+01:00",
			"(lt@3 a@1 time:2026-01-02T02:04:05.123Z@6)"},
		{"DateTimeOffsetPlusAsSpace", "a lt 2026-01-02T03:04:05 01:00 and b",
			"(and@32 (lt@3 a@1 time:2026-01-02T02:04:05.000Z@6) b@36)"},
		{"DateTimeNegativeOffset", "a lt 2026-01-02T03:04:05-02:30", "(lt@3 a@1 time:2026-01-02T05:34:05.000Z@6)"},
		{"DateTimeInParens", "(a lt 2026-01-02T03:04:05Z)", "(lt@4 a@2 time:2026-01-02T03:04:05.000Z@7)"},
		{"Contains", "contains(title,'x')", `(contains@1 title@10 str:"x"@16)`},
		{"FunctionNameCaseInsensitive", "StartsWith( Title , 'a' )", `(startswith@1 Title@13 str:"a"@21)`},
		{"EndsWithAndMore", "endswith(t,'z') and not contains(t,'%')",
			`(and@17 (endswith@1 t@10 str:"z"@12) (not@21 (contains@25 t@34 str:"%"@36)))`},
		{"FunctionWithNonStringLiteral", "contains(t, 5)", "(contains@1 t@10 int:5@13)"},
		{"FunctionComparedWithTrue", "contains(t,'a') eq true", `(eq@17 (contains@1 t@10 str:"a"@12) bool:true@20)`},
		{"MaxDepthParentheses", strings.Repeat("(", MaxDepth) + "a" + strings.Repeat(")", MaxDepth), "a@33"},
		{"MaxLength", "a eq '" + strings.Repeat("x", MaxOptionLength-7) + "'",
			fmt.Sprintf("(eq@3 a@1 str:%q@6)", strings.Repeat("x", MaxOptionLength-7))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseFilter(tt.in)
			if err != nil {
				t.Fatalf("ParseFilter(%q) error: %v", tt.in, err)
			}
			if got := show(e); got != tt.want {
				t.Errorf("ParseFilter(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseFilterErrors(t *testing.T) {
	deep := strings.Repeat("(", MaxDepth+1) + "a" + strings.Repeat(")", MaxDepth+1)
	tests := []struct {
		name, in, want string
	}{
		{"MissingOperand", "name eq", `$filter: unexpected end of input at position 8, expected a property, a literal or "("`},
		{"TrailingToken", "name eq 'x' xyz", `$filter: unexpected token "xyz" at position 13, expected an operator`},
		{"ChainedComparison", "a eq 1 eq 2", `$filter: unexpected token "eq" at position 8, expected an operator`},
		{"TwoProperties", "a b", `$filter: unexpected token "b" at position 3, expected an operator`},
		{"UnclosedParen", "(a eq 1", `$filter: unexpected end of input at position 8, expected ")"`},
		{"ExtraCloseParen", "a eq 1)", `$filter: unexpected token ")" at position 7, expected an operator`},
		{"EmptyParens", "()", `$filter: unexpected token ")" at position 2, expected a property, a literal or "("`},
		{"OperatorAsOperand", "and eq 1", `$filter: unexpected token "and" at position 1, expected a property, a literal or "("`},
		{"ComparisonKeywordAsOperand", "a eq ge", `$filter: unexpected token "ge" at position 6, expected a property, a literal or "("`},
		{"DanglingAnd", "a and", `$filter: unexpected end of input at position 6, expected a property, a literal or "("`},
		{"DanglingNot", "not", `$filter: unexpected end of input at position 4, expected a property, a literal or "("`},
		{"Comma", "a eq 1, b", `$filter: unexpected token "," at position 7, expected an operator`},
		{"UnterminatedString", "'abc", `$filter: unterminated string literal at position 1`},
		{"UnterminatedAfterEscape", "a eq 'it''", `$filter: unterminated string literal at position 6`},
		{"UnexpectedCharacter", "a # b", `$filter: unexpected character "#" at position 3`},
		{"DoubleQuotes", `a eq "x"`, `$filter: unexpected character "\"" at position 6`},
		{"LoneMinus", "a eq -", `$filter: unexpected character "-" at position 6`},
		{"UnexpectedCharacterAfterUnicode", "a eq 'ü' ; b", `$filter: unexpected character ";" at position 10`},
		{"IntegerOverflow", "a eq 99999999999999999999", `$filter: number 99999999999999999999 out of range at position 6`},
		{"DecimalOverflow", "a eq 1e999", `$filter: number 1e999 out of range at position 6`},
		{"BadMonth", "a eq 2026-13-01T00:00:00Z",
			`$filter: invalid date-time "2026-13-01T00:00:00Z" at position 6, expected RFC 3339 like 2026-01-02T03:04:05Z`},
		{"DateOnly", "a eq 2026-01-02",
			`$filter: invalid date-time "2026-01-02" at position 6, expected RFC 3339 like 2026-01-02T03:04:05Z`},
		{"DateTimeWithoutOffset", "a eq 2026-01-02T03:04:05",
			`$filter: invalid date-time "2026-01-02T03:04:05" at position 6, expected RFC 3339 like 2026-01-02T03:04:05Z`},
		{"SpaceThenNotAnOffset", "a eq 2026-01-02T03:04:05 01:00x",
			`$filter: invalid date-time "2026-01-02T03:04:05" at position 6, expected RFC 3339 like 2026-01-02T03:04:05Z`},
		{"UnknownFunction", "length(a) eq 1", `$filter: unknown function "length" at position 1, supported are contains, startswith and endswith`},
		{"FunctionLiteralFirst", "contains('x', a)", `$filter: unexpected token "'x'" at position 10, expected a property`},
		{"FunctionKeywordAsProperty", "contains(null, 'x')", `$filter: unexpected token "null" at position 10, expected a property`},
		{"FunctionMissingComma", "contains(a 'x')", `$filter: unexpected token "'x'" at position 12, expected ","`},
		{"FunctionPropertySecond", "contains(a, b)", `$filter: unexpected token "b" at position 13, expected a literal`},
		{"FunctionUnclosed", "contains(a, 'x'", `$filter: unexpected end of input at position 16, expected ")"`},
		{"FunctionThreeArgs", "contains(a, 'x', 'y')", `$filter: unexpected token "," at position 16, expected ")"`},
		{"FunctionNoArgs", "contains()", `$filter: unexpected token ")" at position 10, expected a property`},
		{"TooDeepParentheses", deep, `$filter: nesting deeper than 32 levels at position 33`},
		{"TooDeepNot", strings.Repeat("not ", MaxDepth+1) + "a", `$filter: nesting deeper than 32 levels at position 129`},
		{"TooLong", "a eq '" + strings.Repeat("x", MaxOptionLength-6) + "'", `$filter: 2049 characters, longer than the limit of 2048`},
		{"InvalidUTF8", "a eq '\xff'", `$filter: not valid UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseFilter(tt.in)
			if err == nil {
				t.Fatalf("ParseFilter(%q) = %s, want error", tt.in, show(e))
			}
			checkInvalid(t, err, tt.want)
		})
	}
}

// checkInvalid asserts that err is a 400 without ErrorCode carrying exactly the details want.
func checkInvalid(t *testing.T, err error, want string) {
	t.Helper()
	kerr := keyward.ErrorOf(err)
	if kerr == nil {
		t.Fatalf("error %v (%T) is not a *keyward.Error", err, err)
	}
	if !errors.Is(err, keyward.ErrInvalid) {
		t.Errorf("error kind %v code %q, want ErrInvalid", kerr.Kind, kerr.Code)
	}
	if kerr.Details != want {
		t.Errorf("ErrorDetails\n got %s\nwant %s", kerr.Details, want)
	}
}

func intPtr(n int) *int { return &n }

func TestParse(t *testing.T) {
	tests := []struct {
		name   string
		query  string
		want   keyward.Query
		filter string // show(want filter), "" for none
	}{
		{name: "Empty", query: ""},
		{name: "EmptyOptionsIgnored", query: "$filter=&$top=&$skip=&$orderby=&$select=&expand=&"},
		{name: "BlankOptionIgnored", query: "$filter=%20%20&$top=%20"},
		{name: "OtherParametersIgnored", query: "foo=bar&dryRun=true&=y&Select=x"},
		{name: "Filter", query: "$filter=" + url.QueryEscape("active eq true"), filter: "(eq@8 active@1 bool:true@11)"},
		{name: "OptionNameCaseInsensitive", query: "$FILTER=a&$Top=3", want: keyward.Query{Top: intPtr(3)}, filter: "a@1"},
		{name: "TopZero", query: "$top=0", want: keyward.Query{Top: intPtr(0)}},
		{name: "TopMax", query: "$top=1000", want: keyward.Query{Top: intPtr(1000)}},
		{name: "TopSpaces", query: "$top=%205%20", want: keyward.Query{Top: intPtr(5)}},
		{name: "TopEmptyAndValue", query: "$top=&$top=7", want: keyward.Query{Top: intPtr(7)}},
		{name: "Skip", query: "$skip=250", want: keyward.Query{Skip: 250}},
		{name: "SkipLeadingZeros", query: "$skip=007", want: keyward.Query{Skip: 7}},
		{name: "Select", query: "$select=id,%20title%20,,ID,", want: keyward.Query{Select: []string{"id", "title", "ID"}}},
		{name: "SelectStar", query: "$select=id,*", want: keyward.Query{}},
		{name: "OrderBy", query: "$orderby=" + url.QueryEscape("name desc, Created ASC,,x,"), want: keyward.Query{OrderBy: []keyward.OrderTerm{
			{Property: "name", Desc: true, Pos: 1},
			{Property: "Created", Pos: 12},
			{Property: "x", Pos: 25},
		}}},
		{name: "OrderByDefaultAsc", query: "$orderby=lockTimestamp", want: keyward.Query{OrderBy: []keyward.OrderTerm{{Property: "lockTimestamp", Pos: 1}}}},
		{name: "Expand", query: "expand=supportedFeatures,%20statistics", want: keyward.Query{Expand: []string{"supportedFeatures", "statistics"}}},
		{name: "ExpandBothSpellingsMerged", query: "$expand=a,b&expand=b,c&Expand=d", want: keyward.Query{Expand: []string{"a", "b", "d", "c"}}},
		{name: "ExpandRepeated", query: "expand=a&expand=b", want: keyward.Query{Expand: []string{"a", "b"}}},
		{name: "All", query: "$filter=a&$orderby=b&$select=c&$top=1&$skip=2&expand=e",
			want:   keyward.Query{OrderBy: []keyward.OrderTerm{{Property: "b", Pos: 1}}, Select: []string{"c"}, Top: intPtr(1), Skip: 2, Expand: []string{"e"}},
			filter: "a@1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			q, err := Parse(v)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.query, err)
			}
			if got := show(q.Filter); (q.Filter != nil || tt.filter != "") && got != tt.filter {
				t.Errorf("Filter\n got %s\nwant %s", got, tt.filter)
			}
			q.Filter = nil
			if !reflect.DeepEqual(*q, tt.want) {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tt.query, showQuery(q), showQuery(&tt.want))
			}
		})
	}
}

func showQuery(q *keyward.Query) string {
	top := "nil"
	if q.Top != nil {
		top = fmt.Sprint(*q.Top)
	}
	return fmt.Sprintf("OrderBy=%+v Select=%#v Top=%s Skip=%d Expand=%#v", q.OrderBy, q.Select, top, q.Skip, q.Expand)
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, query, want string
	}{
		{"TopTooLarge", "$top=5000", `$top: must be an integer between 0 and 1000, got "5000"`},
		{"TopNegative", "$top=-1", `$top: must be an integer between 0 and 1000, got "-1"`},
		{"TopPlusSign", "$top=%2B5", `$top: must be an integer between 0 and 1000, got "+5"`},
		{"TopNotANumber", "$top=abc", `$top: must be an integer between 0 and 1000, got "abc"`},
		{"TopDecimal", "$top=1.0", `$top: must be an integer between 0 and 1000, got "1.0"`},
		{"TopOverflow", "$top=99999999999999999999", `$top: must be an integer between 0 and 1000, got "99999999999999999999"`},
		{"SkipNegative", "$skip=-1", `$skip: must be a non-negative integer, got "-1"`},
		{"SkipOverflow", "$skip=99999999999999999999", `$skip: must be a non-negative integer, got "99999999999999999999"`},
		{"SelectInvalidName", "$select=id,%20a%20b", `$select: invalid property name "a b" at position 5`},
		{"SelectPath", "$select=lockType/id", `$select: invalid property name "lockType/id" at position 1`},
		{"SelectInvalidUTF8", "$select=%FF", `$select: not valid UTF-8`},
		{"OrderByBadDirection", "$orderby=name%20up", `$orderby: unexpected token "up" at position 6, expected "asc", "desc" or ","`},
		{"OrderByTwoDirections", "$orderby=name%20desc%20asc", `$orderby: unexpected token "asc" at position 11, expected "asc", "desc" or ","`},
		{"OrderByLiteral", "$orderby='x'", `$orderby: unexpected token "'x'" at position 1, expected a property`},
		{"OrderByDirectionFirst", "$orderby=,(", `$orderby: unexpected token "(" at position 2, expected a property`},
		{"OrderByBadCharacter", "$orderby=a%3Bb", `$orderby: unexpected character ";" at position 2`},
		{"FilterError", "$filter=a%20eq", `$filter: unexpected end of input at position 5, expected a property, a literal or "("`},
		{"UnknownOption", "$count=true", `$count: unsupported query option; supported are $filter, $orderby, $select, $top, $skip and $expand`},
		{"UnknownOptionEmpty", "$format=", `$format: unsupported query option; supported are $filter, $orderby, $select, $top, $skip and $expand`},
		{"Repeated", "$top=1&$top=2", `$top: given more than once`},
		{"RepeatedDifferentCase", "$filter=a&$Filter=b", `$filter: given more than once`},
		{"ExpandTooLong", "expand=" + strings.Repeat("a", MaxOptionLength+1), `$expand: 2049 characters, longer than the limit of 2048`},
		{"FirstErrorInKeyOrder", "$top=x&$filter=(", `$filter: unexpected end of input at position 2, expected a property, a literal or "("`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			q, err := Parse(v)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want error", tt.query, showQuery(q))
			}
			checkInvalid(t, err, tt.want)
		})
	}
}
