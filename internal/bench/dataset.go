package bench

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/keyward/keyward/internal/sqlstore"
)

// DatasetSpec is the full dataset of `keyward bench seed` (issue 11's scale): 100k contacts,
// 10k locks, 1M grants, 1M log entries over 8 owner accounts.
var DatasetSpec = sqlstore.SeedSpec{Owners: 8, Contacts: 100_000, Locks: 10_000, Grants: 1_000_000, LogEntries: 1_000_000}

// SeedDatabase migrates the database of dsn and writes a dataset of spec's size into it (it must
// hold no owner account yet).
func SeedDatabase(ctx context.Context, dsn string, spec sqlstore.SeedSpec) (*sqlstore.SeedResult, error) {
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return sqlstore.Seed(ctx, db, spec)
}

// WriteSeedResult prints what a seeding wrote: rows per table, the accounts, the time it took.
func WriteSeedResult(w io.Writer, res *sqlstore.SeedResult) error {
	tables := make([]string, 0, len(res.Rows))
	total := 0
	for t, n := range res.Rows {
		tables = append(tables, t)
		total += n
	}
	sort.Strings(tables)
	fmt.Fprintf(w, "| table | rows |\n|---|---|\n")
	for _, t := range tables {
		fmt.Fprintf(w, "| %s | %d |\n", t, res.Rows[t])
	}
	fmt.Fprintf(w, "\n| account | owner | locks | contacts | grants | log entries |\n|---|---|---|---|---|---|\n")
	for _, o := range res.Owners {
		fmt.Fprintf(w, "| %s | %s | %d | %d | %d | %d |\n", o.ID, o.OwnerEmail, o.Locks, o.Contacts, o.Grants, o.LogEntries)
	}
	_, err := fmt.Fprintf(w, "\n%d rows in %s (%.0f rows/s); key user %s (mobile %s, %d active grants)\n",
		total, res.Took.Round(time.Millisecond), float64(total)/res.Took.Seconds(), res.KeyUserEmail, res.KeyMobileID, res.KeyGrants)
	return err
}
