package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

// args collects the values of a statement and hands out their $n placeholders.
type args []any

// bind records v and returns its placeholder.
func (a *args) bind(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// writeValues writes the tuples of a multi-row INSERT's VALUES: rows tuples of width
// placeholders, numbered in the order of the statement's arguments. On SQLite they are
// positional ("?"): the driver looks a numbered parameter up by name, in a list as long as the
// statement's parameters, which made binding a 256-parameter statement cost more than running
// it; positional ones bind at no cost.
func (d dialect) writeValues(b *strings.Builder, rows, width int) {
	p := 0
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range width {
			if j > 0 {
				b.WriteString(", ")
			}
			if p++; d.engine == SQLite {
				b.WriteByte('?')
			} else {
				b.WriteString("$" + strconv.Itoa(p))
			}
		}
		b.WriteByte(')')
	}
}

// listSpec describes one list query: the columns and FROM clause, the fixed conditions, the
// OData whitelist, and the default order that keeps paging stable.
type listSpec struct {
	selectFrom   string   // "SELECT ... FROM ..."
	where        []string // fixed conditions, joined by AND
	schema       odata.Schema
	defaultOrder string
}

// list runs spec with the OData query q and calls scan for every row. A client's list (q not
// nil) without $top is capped at keyward.MaxTop rows, and a longer one is refused rather than
// silently truncated. An internal read (q nil: the members of a group, the entities a response
// embeds) is neither paged nor capped, since its size is not the client's choice.
func (s *store) list(ctx context.Context, spec listSpec, a args, q *keyward.Query, scan func(*sql.Rows) error) error {
	where, order := spec.where, spec.defaultOrder
	if q != nil {
		if err := odata.CheckSelect(q, spec.schema); err != nil {
			return err
		}
		w, o, err := odata.SQL(q, spec.schema, a.bind, s.d.collate)
		if err != nil {
			return err
		}
		if w != "" {
			where = append(where[:len(where):len(where)], "("+w+")")
		}
		if o != "" {
			order = o + ", " + spec.defaultOrder
		}
	}
	var b strings.Builder
	b.WriteString(spec.selectFrom)
	if len(where) > 0 {
		b.WriteString(" WHERE " + strings.Join(where, " AND "))
	}
	b.WriteString(" ORDER BY " + order)
	capped := q != nil && q.Top == nil
	switch {
	case capped:
		b.WriteString(" LIMIT " + a.bind(keyward.MaxTop+1) + " OFFSET " + a.bind(q.Skip))
	case q != nil:
		b.WriteString(" LIMIT " + a.bind(*q.Top) + " OFFSET " + a.bind(q.Skip))
	}

	rows, err := s.q.QueryContext(ctx, b.String(), a...)
	if err != nil {
		return fmt.Errorf("sqlstore: list: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if n++; capped && n > keyward.MaxTop {
			return keyward.Invalidf("the list holds more than %d items; request it in pages with $top and $skip", keyward.MaxTop)
		}
		if err := scan(rows); err != nil {
			return fmt.Errorf("sqlstore: list: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: list: %w", err)
	}
	return nil
}

// Nullable column helpers: the database keeps NULL, the domain keeps nil pointers.

func nullTime(t *keyward.Time) any {
	if t == nil {
		return nil
	}
	return t.Millis()
}

func timePtr(v sql.NullInt64) *keyward.Time {
	if !v.Valid {
		return nil
	}
	t := keyward.TimeFromMillis(v.Int64)
	return &t
}

// timeIn is timePtr for a row scanned into one allocation: it stores the time in *at, a field
// of the row, instead of allocating it.
func timeIn(at *keyward.Time, v sql.NullInt64) *keyward.Time {
	if !v.Valid {
		return nil
	}
	*at = keyward.TimeFromMillis(v.Int64)
	return at
}

// strIn is strPtr for a row scanned into one allocation: it points into the row's own field.
func strIn(v *sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}

func strPtr(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}

func int64Ptr(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

// first returns the single element of a by-id lookup or notFound.
func first[T any](list []*T, err error, notFound error) (*T, error) {
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, notFound
	}
	return list[0], nil
}

// setClause builds "a = $1, b = $2" from the non-nil fields of an update.
type setClause struct {
	parts []string
	a     *args
}

func (c *setClause) add(column string, v any) {
	c.parts = append(c.parts, column+" = "+c.a.bind(v))
}

func (c *setClause) String() string { return strings.Join(c.parts, ", ") }

func joinAnd(conds []string) string { return strings.Join(conds, " AND ") }

// forUpdate is appended to a SELECT that must hold the rows it read until the transaction ends,
// where two transactions read and then write the same row outside an owner account's lock.
func (d dialect) forUpdate() string {
	if d.engine == Postgres {
		return " FOR UPDATE"
	}
	return "" // a SQLite write transaction holds the whole database already
}

// in renders "col is one of ids" with the whole list as one parameter, so the statement's text
// is the same for every length and is prepared once: col = ANY($1) with a text array on
// PostgreSQL, col IN (SELECT value FROM json_each($1)) with a JSON array on SQLite. An empty
// list matches nothing.
func (d dialect) in(col string, ids []string, a *args) string {
	if len(ids) == 0 {
		return "1 = 0"
	}
	if d.engine == Postgres {
		return col + " = ANY(" + a.bind(ids) + ")"
	}
	list, _ := json.Marshal(ids) // a []string always marshals
	return col + " IN (SELECT value FROM json_each(" + a.bind(string(list)) + "))"
}

// ListSchemas returns the OData whitelist of every entity a client can list, by the entity's
// keyward type name ("Contact"), so that tests can be generated from what clients may query.
func ListSchemas() map[string]odata.Schema {
	return map[string]odata.Schema{
		"Owner":      ownerSchema,
		"Permission": permissionSchema,
		"BoundLock":  boundLockSchema,
		"LockGroup":  lockGroupSchema,
		"Contact":    contactSchema,
		"BoundCard":  boundCardSchema,
		"Grant":      grantSchema,
		"IPUser":     ipUserSchema,
		"LogEntry":   logEntrySchema,
	}
}
