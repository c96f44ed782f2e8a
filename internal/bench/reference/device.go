package reference

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// LogInserts is the log ingestion's reference: the rows of an upload written with one prepared
// INSERT per row in one transaction per batch, into a table with the log's columns and indexes,
// without HTTP, JSON, signatures or Keyward.
type LogInserts struct {
	db   *sql.DB
	stmt string
}

// NewLogInserts creates the reference's table in db.
func NewLogInserts(ctx context.Context, db *sql.DB) (*LogInserts, error) {
	for _, ddl := range []string{
		`CREATE TABLE reference_log (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, bound_lock_id TEXT NOT NULL, entry_no BIGINT NOT NULL,
			lock_timestamp BIGINT NOT NULL, received_at BIGINT NOT NULL, bound_card_id TEXT, contact_id TEXT, log_type TEXT NOT NULL,
			command TEXT NOT NULL, result TEXT, reason TEXT, grant_id TEXT, seq BIGINT NOT NULL, kind_seq BIGINT NOT NULL,
			lock_kind_seq BIGINT NOT NULL)`,
		`CREATE UNIQUE INDEX reference_log_entry_no ON reference_log (bound_lock_id, entry_no)`,
		`CREATE UNIQUE INDEX reference_log_seq ON reference_log (owner_id, seq)`,
		`CREATE INDEX reference_log_lock ON reference_log (bound_lock_id, seq)`,
		`CREATE UNIQUE INDEX reference_log_export ON reference_log (owner_id, log_type, command, kind_seq)`,
		`CREATE UNIQUE INDEX reference_log_lock_export ON reference_log (bound_lock_id, log_type, command, lock_kind_seq)`,
	} {
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			return nil, fmt.Errorf("reference: %w", err)
		}
	}
	return &LogInserts{db: db, stmt: `INSERT INTO reference_log (id, owner_id, bound_lock_id, entry_no, lock_timestamp, received_at,
		bound_card_id, contact_id, log_type, command, result, reason, grant_id, seq, kind_seq, lock_kind_seq)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $14)`}, nil
}

// Insert writes the entries of one lock in one transaction with a prepared statement. The lock
// also stands for its account, so that writers of different locks share nothing but the table.
func (r *LogInserts) Insert(ctx context.Context, lock string, entries []lockproto.LogEntry) error {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, r.stmt)
	if err != nil {
		return err
	}
	now := time.Now().UnixMilli()
	for _, e := range entries {
		if _, err := stmt.ExecContext(ctx, fmt.Sprint(lock, "-", e.EntryNo), lock, lock, int64(e.EntryNo), e.LockTimestamp.UnixMilli(), now,
			nil, e.ContactID, e.LogType, e.Command, e.Result, e.Reason, e.GrantID, int64(e.EntryNo)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Drop removes the reference's table.
func (r *LogInserts) Drop(ctx context.Context) error {
	_, err := r.db.ExecContext(ctx, `DROP TABLE reference_log`)
	return err
}

// MobileKeys are the keys a fetch answered, decoded, for the key fetch's reference to sign again.
func MobileKeys(fetched *keyward.MobileKeys) ([]*lockproto.MobileKey, error) {
	keys := make([]*lockproto.MobileKey, len(fetched.Keys))
	for i, k := range fetched.Keys {
		var env lockproto.Envelope
		if err := json.Unmarshal(k.Key, &env); err != nil {
			return nil, err
		}
		keys[i] = new(lockproto.MobileKey)
		if err := json.Unmarshal(env.Payload, keys[i]); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// KeySigner is the key fetch reference's signer: an Ed25519 key as a key-signing key is.
func KeySigner() lockproto.Signer {
	return lockproto.Signer{KID: "ksk-ref", Key: ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))}
}

// SignKeys signs every key: the work a key fetch cannot avoid, without the store, the grants'
// lookup or the answer's assembly.
func SignKeys(signer lockproto.Signer, keys []*lockproto.MobileKey) error {
	for _, k := range keys {
		if _, err := lockproto.SignMobileKey(signer, k); err != nil {
			return err
		}
	}
	return nil
}
