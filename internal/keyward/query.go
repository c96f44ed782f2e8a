package keyward

// Query is a parsed OData query (decisions §6): the options a list request may carry. The odata
// package builds it; the store turns it into SQL against a whitelist of properties. A filter's
// Query is nil only for Keyward's own reads, which are neither paged nor capped at MaxTop; a
// client's list always has one (odata.Parse never answers nil), so its length is bounded.
type Query struct {
	Filter  Expr
	OrderBy []OrderTerm
	Select  []string
	Top     *int
	Skip    int
	Expand  []string
}

// MaxTop is the largest page a list serves; a list without $top that holds more is refused.
const MaxTop = 1000

// Expr is a node of a $filter expression.
type Expr interface{ exprNode() }

// BinaryExpr is a comparison (eq ne gt ge lt le) or a logical and/or.
type BinaryExpr struct {
	Op          string // "eq", "ne", "gt", "ge", "lt", "le", "and", "or"
	Left, Right Expr
	Pos         int // 1-based offset of the operator in $filter
}

// NotExpr negates X.
type NotExpr struct {
	X   Expr
	Pos int
}

// PropertyExpr names an entity property.
type PropertyExpr struct {
	Name string
	Pos  int
}

// LiteralExpr is a constant: string, int64, float64, bool, Time, or nil for null.
type LiteralExpr struct {
	Value any
	Pos   int
}

// CallExpr is a function call: contains, startswith, endswith (two arguments each).
type CallExpr struct {
	Func string
	Args []Expr
	Pos  int
}

// OrderTerm is one $orderby item.
type OrderTerm struct {
	Property string
	Desc     bool
	Pos      int
}

func (*BinaryExpr) exprNode()   {}
func (*NotExpr) exprNode()      {}
func (*PropertyExpr) exprNode() {}
func (*LiteralExpr) exprNode()  {}
func (*CallExpr) exprNode()     {}
