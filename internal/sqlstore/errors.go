package sqlstore

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// SQLite extended result codes and PostgreSQL SQLSTATEs for the constraint violations that the
// store turns into domain errors. They are matched by code, never by message text.
const (
	sqliteConstraintUnique     = 2067
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintForeignKey = 787
	sqliteBusy                 = 5
	pgUniqueViolation          = "23505"
	pgForeignKeyViolation      = "23503"
	pgSerializationFailure     = "40001"
	pgDeadlockDetected         = "40P01"
)

// maxAttempts bounds how often a transaction runs when PostgreSQL ends it as a deadlock's victim
// or for a serialization failure: the transaction did nothing, and running it again once the
// other side has moved on is what the server manual prescribes for these two codes.
const maxAttempts = 3

// isUniqueViolation reports whether err is a unique-index (or primary-key) violation.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqliteConstraintUnique || se.Code() == sqliteConstraintPrimaryKey
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == pgUniqueViolation
}

// isForeignKeyViolation reports whether err is a foreign-key violation.
func isForeignKeyViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqliteConstraintForeignKey
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == pgForeignKeyViolation
}

// isSQLiteBusy reports whether err is SQLite's SQLITE_BUSY, in any of its extended codes.
func isSQLiteBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqliteBusy
}

// conflictCode is the SQLSTATE of err when it ended a PostgreSQL transaction only because of what
// ran beside it (a deadlock or a serialization failure), so that running the same transaction
// again may succeed. SQLite never reports such an error: its writers run one at a time, and its
// busy timeout covers other processes.
func conflictCode(err error) (string, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == pgDeadlockDetected || pe.Code == pgSerializationFailure) {
		return pe.Code, true
	}
	return "", false
}
