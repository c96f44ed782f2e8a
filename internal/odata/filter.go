package odata

import (
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// parser is a recursive-descent parser over the tokens of one option. Precedence, tightest
// first: not, comparison, and, or — the order of OData's operator table.
type parser struct {
	opt   string
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

// advance returns the current token and moves on; it stays on the final tokEOF.
func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// unexpected reports t where the parser wanted what.
func (p *parser) unexpected(t token, what string) error {
	if t.kind == tokEOF {
		return invalid(p.opt, "unexpected end of input at position %d, expected %s", t.pos, what)
	}
	return invalid(p.opt, "unexpected token %q at position %d, expected %s", t.text, t.pos, what)
}

// enter counts one level of nesting at t and refuses to go deeper than MaxDepth, so a hostile
// filter cannot exhaust the stack.
func (p *parser) enter(t token) error {
	if p.depth++; p.depth > MaxDepth {
		return invalid(p.opt, "nesting deeper than %d levels at position %d", MaxDepth, t.pos)
	}
	return nil
}

func (p *parser) or() (keyward.Expr, error) {
	return p.chain("or", p.and)
}

func (p *parser) and() (keyward.Expr, error) {
	return p.chain("and", p.comparison)
}

// chain parses operands joined by the keyword op, associating to the left.
func (p *parser) chain(op string, operand func() (keyward.Expr, error)) (keyward.Expr, error) {
	left, err := operand()
	for err == nil && isKeyword(p.peek(), op) {
		t := p.advance()
		var right keyward.Expr
		if right, err = operand(); err == nil {
			left = &keyward.BinaryExpr{Op: op, Left: left, Right: right, Pos: t.pos}
		}
	}
	return left, err
}

// comparison parses an operand and at most one comparison; "a eq b eq c" is an error.
func (p *parser) comparison() (keyward.Expr, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	op := strings.ToLower(t.text)
	if t.kind != tokIdent || !isComparison(op) {
		return left, nil
	}
	p.advance()
	right, err := p.unary()
	if err != nil {
		return nil, err
	}
	return &keyward.BinaryExpr{Op: op, Left: left, Right: right, Pos: t.pos}, nil
}

func (p *parser) unary() (keyward.Expr, error) {
	if !isKeyword(p.peek(), "not") {
		return p.primary()
	}
	t := p.advance()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	return &keyward.NotExpr{X: x, Pos: t.pos}, nil
}

func (p *parser) primary() (keyward.Expr, error) {
	t := p.peek()
	if lit, ok := literal(t); ok {
		p.advance()
		return lit, nil
	}
	switch {
	case t.kind == tokLParen:
		return p.paren()
	case t.kind == tokIdent && !isReserved(t.text):
		p.advance()
		if p.peek().kind == tokLParen {
			return p.call(t)
		}
		return &keyward.PropertyExpr{Name: t.text, Pos: t.pos}, nil
	}
	return nil, p.unexpected(t, `a property, a literal or "("`)
}

func (p *parser) paren() (keyward.Expr, error) {
	if err := p.enter(p.advance()); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.advance(); t.kind != tokRParen {
		return nil, p.unexpected(t, `")"`)
	}
	return e, nil
}

// call parses fn(property, literal), the only argument shape the supported functions take.
func (p *parser) call(fn token) (keyward.Expr, error) {
	name := strings.ToLower(fn.text)
	if name != "contains" && name != "startswith" && name != "endswith" {
		return nil, invalid(p.opt, "unknown function %q at position %d, supported are contains, startswith and endswith", fn.text, fn.pos)
	}
	p.advance() // "("
	prop := p.advance()
	if prop.kind != tokIdent || isReserved(prop.text) || isLiteralKeyword(prop.text) {
		return nil, p.unexpected(prop, "a property")
	}
	if t := p.advance(); t.kind != tokComma {
		return nil, p.unexpected(t, `","`)
	}
	arg := p.advance()
	lit, ok := literal(arg)
	if !ok {
		return nil, p.unexpected(arg, "a literal")
	}
	if t := p.advance(); t.kind != tokRParen {
		return nil, p.unexpected(t, `")"`)
	}
	args := []keyward.Expr{&keyward.PropertyExpr{Name: prop.text, Pos: prop.pos}, lit}
	return &keyward.CallExpr{Func: name, Args: args, Pos: fn.pos}, nil
}

// literal converts a literal token (including the keywords true, false and null) to its node.
func literal(t token) (*keyward.LiteralExpr, bool) {
	switch t.kind {
	case tokString, tokInt, tokDecimal, tokTime:
		return &keyward.LiteralExpr{Value: t.val, Pos: t.pos}, true
	case tokIdent:
		switch strings.ToLower(t.text) {
		case "true":
			return &keyward.LiteralExpr{Value: true, Pos: t.pos}, true
		case "false":
			return &keyward.LiteralExpr{Value: false, Pos: t.pos}, true
		case "null":
			return &keyward.LiteralExpr{Value: nil, Pos: t.pos}, true
		}
	}
	return nil, false
}

func isKeyword(t token, kw string) bool { return t.kind == tokIdent && strings.EqualFold(t.text, kw) }

func isComparison(op string) bool {
	switch op {
	case "eq", "ne", "gt", "ge", "lt", "le":
		return true
	}
	return false
}

// isReserved reports operator keywords, which can never name a property.
func isReserved(s string) bool {
	s = strings.ToLower(s)
	return s == "and" || s == "or" || s == "not" || isComparison(s)
}

func isLiteralKeyword(s string) bool {
	s = strings.ToLower(s)
	return s == "true" || s == "false" || s == "null"
}
