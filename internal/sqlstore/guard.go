package sqlstore

import (
	"context"
	"database/sql"

	"github.com/keyward/keyward/internal/keyward"
)

// rawQueryer is what both *sql.DB and *sql.Tx offer.
type rawQueryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// rowScanner is the one thing store code does with a single-row result.
type rowScanner interface {
	Scan(dest ...any) error
}

// queryer is how every store method reaches the database; guarded implements it.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) rowScanner
}

// guarded is the one door between store code and the database. It refuses text arguments that
// are not valid UTF-8 or hold NUL characters before any engine sees them: PostgreSQL would fail
// the statement (a 500) and SQLite would store the bytes. The HTTP layers refuse such input with
// the field named; this keeps any path that misses a check from storing it on either engine.
type guarded struct{ q rawQueryer }

func (g guarded) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	return g.q.ExecContext(ctx, query, args...)
}

func (g guarded) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	return g.q.QueryContext(ctx, query, args...)
}

func (g guarded) QueryRowContext(ctx context.Context, query string, args ...any) rowScanner {
	if err := checkArgs(args); err != nil {
		return errRow{err}
	}
	return g.q.QueryRowContext(ctx, query, args...)
}

// errRow is a row whose Scan fails with err, for a statement refused before it ran.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// checkArgs refuses the first text argument that keyward.ValidText refuses.
func checkArgs(args []any) error {
	for _, a := range args {
		var s string
		switch v := a.(type) {
		case string:
			s = v
		case *string:
			if v == nil {
				continue
			}
			s = *v
		default:
			continue
		}
		if problem := keyward.TextProblem(s); problem != "" {
			return keyward.Invalidf("a text value of the request %s", problem)
		}
	}
	return nil
}
