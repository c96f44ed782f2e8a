// Package reference holds the programs Keyward's benchmark measures Keyward against: each does
// only the work a request cannot avoid (sign one JWT; verify one and write a JSON object; write
// a JSON object; one single-row insert transaction; one keyset page of the log), with the same
// libraries and keys Keyward uses, so that the ratio of Keyward to its reference is the cost of
// everything else Keyward does (routing, permissions, the store's queries, shaping answers).
package reference

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/token"
)

// AccessToken is the JOSE type Keyward's access tokens carry.
var AccessToken = token.Type{Typ: "at+jwt", Name: "access tokens"}

// memKeys is a token.Store in memory: the reference signs with a key of the same kind and size
// as Keyward's (token makes it), without a database.
type memKeys struct {
	mu   sync.Mutex
	keys []*keyward.SigningKey
}

func (m *memKeys) CreateSigningKey(_ context.Context, k *keyward.SigningKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys = append(m.keys, k)
	return nil
}

func (m *memKeys) FindSigningKeys(context.Context) ([]*keyward.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*keyward.SigningKey(nil), m.keys...), nil
}

// NewKeys makes a signer with one fresh key, as internal/token makes Keyward's (RS256).
func NewKeys(ctx context.Context) (*token.Keys, error) {
	return token.Load(ctx, &memKeys{}, time.Now, slog.New(slog.DiscardHandler))
}

// claims are the claims of an access token as Keyward writes them.
type claims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Audience  []string `json:"aud"`
	ClientID  string   `json:"client_id"`
	Scope     string   `json:"scope"`
	IssuedAt  int64    `json:"iat"`
	NotBefore int64    `json:"nbf"`
	Expiry    int64    `json:"exp"`
	ID        string   `json:"jti"`
}

// Sign signs one access token with the claims Keyward's access tokens carry.
func Sign(ctx context.Context, keys *token.Keys, subject string) (string, error) {
	now := time.Now()
	return keys.Sign(ctx, AccessToken, claims{Issuer: "http://reference", Subject: subject, Audience: []string{"reference"},
		ClientID: subject, Scope: "read:core-entities", IssuedAt: now.Unix(), NotBefore: now.Unix(),
		Expiry: now.Add(time.Hour).Unix(), ID: keyward.NewID(now)})
}

// Signer answers every request with one freshly signed access token in a token response: the
// work token issuance cannot avoid.
func Signer(keys *token.Keys) http.Handler {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, err := Sign(r.Context(), keys, fmt.Sprint("client-", n.Add(1)))
		if err != nil {
			http.Error(w, "sign", http.StatusInternalServerError)
			return
		}
		writeJSON(w, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600, "scope": "read:core-entities"})
	})
}

// VerifyJSON verifies the RS256 signature of each request's bearer token with keys' signing key,
// decodes its claims and answers body, a JSON document (the one Keyward answered): the work an
// authenticated read cannot avoid when it checks the token afresh. It calls go-jose itself,
// since package token remembers the tokens it verified, which Keyward's side profits from and
// this side must not.
func VerifyJSON(ctx context.Context, keys *token.Keys, body []byte) (http.Handler, error) {
	set := keys.JWKS(ctx)
	if len(set.Keys) != 1 {
		return nil, fmt.Errorf("reference: %d signing keys, want 1", len(set.Keys))
	}
	public := set.Keys[0].Key
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !verify(raw, public) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		writeBody(w, body)
	}), nil
}

// verify reports whether raw is an RS256 JWS signed with public whose claims decode and have
// not expired.
func verify(raw string, public any) bool {
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return false
	}
	payload, err := jws.Verify(public)
	if err != nil {
		return false
	}
	var c claims
	return json.Unmarshal(payload, &c) == nil && c.Expiry >= time.Now().Unix()
}

// JSON answers body, a JSON document: the least an HTTP JSON API does.
func JSON(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeBody(w, body) })
}

func writeBody(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(body)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(v)
}

// Inserts is the raw insert reference: one single-row INSERT in its own transaction, on a table
// of a grant's columns with a primary key and one index, on the engine Keyward runs on.
type Inserts struct{ db *sql.DB }

// NewInserts creates the reference's table in db.
func NewInserts(ctx context.Context, db *sql.DB) (*Inserts, error) {
	for _, ddl := range []string{
		`CREATE TABLE reference_grants (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, bound_lock_id TEXT NOT NULL,
			contact_id TEXT NOT NULL, time_restriction_ical TEXT, created_at BIGINT NOT NULL)`,
		`CREATE INDEX reference_grants_lock ON reference_grants (owner_id, bound_lock_id)`,
	} {
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			return nil, fmt.Errorf("reference: %w", err)
		}
	}
	return &Inserts{db: db}, nil
}

// Insert writes row i in one transaction and commits it.
func (r *Inserts) Insert(ctx context.Context, i int64) error {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO reference_grants (id, owner_id, bound_lock_id, contact_id, created_at)
		VALUES ($1, $2, $3, $4, $5)`, fmt.Sprint("ref-", i), "owner", "lock", fmt.Sprint("contact-", i), time.Now().UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}

// Drop removes the reference's table.
func (r *Inserts) Drop(ctx context.Context) error {
	_, err := r.db.ExecContext(ctx, `DROP TABLE reference_grants`)
	return err
}

// LogPage reads one page of the log export's rows and columns by keyset on Keyward's own log
// table and index (owner, type, command, kind number): the database's cost of one export page.
// It returns how many rows it read.
func LogPage(ctx context.Context, db *sql.DB, ownerID, logType, command string, after int64, top int) (int, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, entry_no, lock_timestamp, received_at, bound_lock_id, bound_card_id, contact_id
		FROM log_entries WHERE owner_id = $1 AND log_type = $2 AND command = $3 AND kind_seq > $4 ORDER BY kind_seq LIMIT $5`,
		ownerID, logType, command, after, top)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, lock string
		var no, ts, recv int64
		var card, contact sql.NullString
		if err := rows.Scan(&id, &no, &ts, &recv, &lock, &card, &contact); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}
