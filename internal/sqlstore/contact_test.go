package sqlstore_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// TestEnsureContact_Statements checks what EnsureContact runs inside an account's transaction:
// on PostgreSQL one statement, whether the contact is new or held (a fallback to looking and
// storing apart would answer the same, only slower); on SQLite the lookup, and the insert when
// the contact is new.
func TestEnsureContact_Statements(t *testing.T) {
	ctx := context.Background()
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := sqltest.OpenOnce(t, engine)
			o := &keyward.Owner{ID: "o1", Name: "One", Active: true, CreatedAt: keyward.TimeFromMillis(1000)}
			if err := db.InNewOwnerTx(ctx, o, func(keyward.OwnerTx) error { return nil }); err != nil {
				t.Fatal(err)
			}
			statements := sqlstore.ObserveStatements(t, db)
			ensure := func(id, identifier string) []string {
				t.Helper()
				before := len(statements())
				var got *keyward.Contact
				err := db.InOwnerTx(ctx, o.ID, func(tx keyward.OwnerTx) (err error) {
					got, err = tx.EnsureContact(ctx, &keyward.Contact{ID: id, OwnerID: o.ID, IPID: keyward.IPTapkey,
						Identifier: apitest.Ptr(identifier), CreatedAt: keyward.TimeFromMillis(2000)})
					return err
				})
				if err != nil || got.ID != "c1" {
					t.Fatalf("EnsureContact(%s) = %v, %v; want c1", id, got, err)
				}
				var ran []string
				for _, st := range statements()[before+1:] { // after the account's lock
					ran = append(ran, strings.Fields(st.Query)[0]+" "+strings.Fields(st.Query)[1])
				}
				return ran
			}
			want := map[sqlstore.Engine][2][]string{
				sqlstore.Postgres: {{"WITH fresh"}, {"WITH fresh"}},
				sqlstore.SQLite:   {{"SELECT id,", "INSERT INTO"}, {"SELECT id,"}},
			}[engine]
			if got := ensure("c1", "ada@example.com"); !slices.Equal(got, want[0]) {
				t.Errorf("a new contact ran %q, want %q", got, want[0])
			}
			if got := ensure("c2", "ADA@example.com"); !slices.Equal(got, want[1]) {
				t.Errorf("a held contact ran %q, want %q", got, want[1])
			}
		})
	}
}
