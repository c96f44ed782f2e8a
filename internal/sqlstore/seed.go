package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// SeedSpec is the size of a generated dataset (`keyward bench seed`).
type SeedSpec struct {
	Owners, Contacts, Locks, Grants, LogEntries int
}

// SeedOwner is one seeded owner account: its id, its plan and the address of its Owner (a
// person with a permission), so that a caller can act for it.
type SeedOwner struct {
	ID, OwnerEmail                      string
	Locks, Contacts, Grants, LogEntries int
}

// SeedResult says what Seed wrote: rows per table, the accounts, and a person with a phone
// and many grants whose keys can be fetched.
type SeedResult struct {
	Rows   map[string]int
	Owners []SeedOwner
	// KeyUserEmail is a seeded person with a registered mobile (KeyMobileID) and the largest
	// number of active grants, in the largest account.
	KeyUserEmail, KeyMobileID string
	KeyGrants                 int
	Took                      time.Duration
}

// seedEpoch is the instant the dataset ends: creation times lie in the year before it, log
// entries in the six months before it.
var seedEpoch = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// seedRules are the iCal restrictions time-restricted grants carry.
var seedRules = []string{
	"DTSTART;TZID=Europe/Vienna:20250106T080000\nDTEND;TZID=Europe/Vienna:20250106T180000\nRRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
	"DTSTART;TZID=Europe/Vienna:20250104T090000\nDTEND;TZID=Europe/Vienna:20250104T130000\nRRULE:FREQ=WEEKLY;BYDAY=SA",
	"DTSTART;TZID=Europe/Vienna:20250101T060000\nDTEND;TZID=Europe/Vienna:20250101T220000\nRRULE:FREQ=DAILY",
}

// seedAccount is one account being generated: the ids the later tables refer to.
type seedAccount struct {
	id       string
	locks    []string // bound lock ids
	phys     []string // their physical lock ids, by the same index
	groups   []string
	contacts []string
	cards    []string
	weight   float64
}

// Seed writes a dataset of spec's size into an empty, migrated database in multi-row INSERTs,
// one transaction per table, with the shapes a real deployment has: owner accounts of very
// different sizes (the k-th holds a share proportional to 1/k²), locks in groups of ten (every
// fifth lock in two), most contacts with a few grants and one in a hundred with many, card
// grants, one grant in ten time-restricted with iCal, revoked, revocation-pending and
// undelivered grants, and log entries spread over six months across each account's locks. Every
// row keeps the schema's rules (unique indexes, foreign keys, the encodings the store's writers
// use), so a server runs on the result as on its own data. The planner's statistics are
// refreshed at the end, as autovacuum would after a load this size.
func Seed(ctx context.Context, db *DB, spec SeedSpec) (*SeedResult, error) {
	start := time.Now()
	defer beginWrite()() // its transactions are one write for the standing cache
	if spec.Owners < 1 || spec.Locks < spec.Owners || spec.Contacts < 2*spec.Owners {
		return nil, fmt.Errorf("sqlstore: seed: need at least one owner, a lock per owner and two contacts per owner, got %+v", spec)
	}
	var n int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM owners`).Scan(&n); err != nil {
		return nil, fmt.Errorf("sqlstore: seed: %w", err)
	}
	if n > 0 {
		return nil, fmt.Errorf("sqlstore: seed: the database holds %d owner accounts; seed an empty one", n)
	}
	g := &seeder{db: db, rng: rand.New(rand.NewPCG(1, 2)), res: &SeedResult{Rows: map[string]int{}}}
	for _, step := range []func(context.Context) error{
		func(ctx context.Context) error { return g.accounts(ctx, spec) },
		func(ctx context.Context) error { return g.locks(ctx, spec) },
		func(ctx context.Context) error { return g.contacts(ctx, spec) },
		func(ctx context.Context) error { return g.grants(ctx, spec) },
		func(ctx context.Context) error { return g.log(ctx, spec) },
	} {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	if _, err := db.sql.ExecContext(ctx, `ANALYZE`); err != nil {
		return nil, fmt.Errorf("sqlstore: seed: analyze: %w", err)
	}
	g.res.Took = time.Since(start)
	return g.res, nil
}

// seeder holds a seeding run's state.
type seeder struct {
	db   *DB
	rng  *rand.Rand
	res  *SeedResult
	accs []*seedAccount
	// seq is the id counter: ids are UUIDv7-shaped like keyward.NewID, made of a creation time
	// and a counter so that they are unique without randomness.
	seq uint64
}

// id makes a unique id that sorts by at, in the shape of keyward.NewID.
func (g *seeder) id(at time.Time) string {
	g.seq++
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(at.UnixMilli())<<16|0x7000)
	binary.BigEndian.PutUint64(b[8:], g.seq)
	b[8] = 0x80 | b[8]&0x3f
	h := fmt.Sprintf("%x", b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// created is a creation instant in the year before seedEpoch, growing with i of n.
func created(i, n int) time.Time {
	return seedEpoch.Add(-365 * 24 * time.Hour).Add(time.Duration(float64(i) / float64(max(n, 1)) * float64(365*24*time.Hour)))
}

// share splits total over the accounts by weight, each getting at least least.
func (g *seeder) share(total, least int) []int {
	out := make([]int, len(g.accs))
	var sum float64
	for _, a := range g.accs {
		sum += a.weight
	}
	left := total
	for i, a := range g.accs {
		out[i] = max(least, int(float64(total)*a.weight/sum))
		left -= out[i]
	}
	out[0] += left // the largest account takes the rounding
	return out
}

// accounts writes the owner accounts, each with its Owner: a person, a contact and a permission.
func (g *seeder) accounts(ctx context.Context, spec SeedSpec) error {
	var owners, users, contacts, perms [][]any
	for k := range spec.Owners {
		at := created(k, spec.Owners*10)
		a := &seedAccount{id: g.id(at), weight: 1 / float64((k+1)*(k+1))}
		g.accs = append(g.accs, a)
		email := fmt.Sprintf("owner-%d@seed.example", k)
		g.res.Owners = append(g.res.Owners, SeedOwner{ID: a.id, OwnerEmail: email})
		// version is the account's write counter; revocation-pending grants carry it.
		owners = append(owners, []any{a.id, fmt.Sprintf("Account %d", k), true, "", int64(1000), at.UnixMilli()})
		users = append(users, []any{g.id(at), email, email, string(keyward.UserPerson), true, "", at.UnixMilli()})
		c := &keyward.Contact{ID: g.id(at), OwnerID: a.id, IPID: keyward.IPTapkey, Identifier: &email, CreatedAt: keyward.NewTime(at)}
		a.contacts = append(a.contacts, c.ID)
		contacts = append(contacts, contactValues(c))
		perms = append(perms, []any{g.id(at), a.id, c.ID, string(keyward.RoleOwner), at.UnixMilli()})
	}
	return g.insertAll(ctx, []seedTable{
		{"owners", "id, name, active, plan, version, created_at", owners},
		{"users", "id, email, email_key, kind, verified, password_hash, created_at", users},
		{"contacts", contactCols, contacts},
		{"permissions", "id, owner_id, contact_id, role, created_at", perms},
	})
}

// locks writes physical and bound locks, lock groups of ten with every fifth lock in two, and
// bound cards (one per twenty contacts).
func (g *seeder) locks(ctx context.Context, spec SeedSpec) error {
	var phys, bound, groups, members [][]any
	counts := g.share(spec.Locks, 1)
	n := 0
	for k, a := range g.accs {
		g.res.Owners[k].Locks = counts[k]
		for i := range counts[k] {
			at := created(n, spec.Locks)
			n++
			pid := lockproto.EncodeLockID(seedBytes("lock", n, 6))
			id := g.id(at)
			a.locks, a.phys = append(a.locks, id), append(a.phys, pid)
			phys = append(phys, []any{pid, "TK.Td30", lockproto.ProtocolLatest, lockproto.HashBindingCode(fmt.Sprint("code-", n)),
				"Europe/Vienna", true, base64.StdEncoding.EncodeToString(seedBytes("device", n, 32)), at.UnixMilli()})
			bound = append(bound, []any{id, a.id, pid, fmt.Sprintf("Door %d", i+1), "", at.UnixMilli(), true, int64(1), at.UnixMilli()})
		}
		for gi := 0; gi*10 < len(a.locks); gi++ {
			at := created(gi, len(a.locks))
			gid := g.id(at)
			a.groups = append(a.groups, gid)
			groups = append(groups, []any{gid, a.id, fmt.Sprintf("Floor %d", gi+1), "", true, at.UnixMilli()})
			for li := gi * 10; li < min(len(a.locks), gi*10+10); li++ {
				members = append(members, []any{gid, a.locks[li], keyward.MembershipJoined, at.UnixMilli()})
			}
			if next := gi*10 + 10; next < len(a.locks) {
				members = append(members, []any{gid, a.locks[next], keyward.MembershipJoined, at.UnixMilli()})
			}
		}
	}
	var pcards, bcards [][]any
	cardCounts := g.share(spec.Contacts/20, 0)
	n = 0
	for k, a := range g.accs {
		for range cardCounts[k] {
			at := created(n, spec.Contacts/20)
			n++
			pid, id := g.id(at), g.id(at)
			uid := base64.StdEncoding.EncodeToString(seedBytes("card", n, 7))
			pcards = append(pcards, []any{pid, uid, 50, at.UnixMilli()})
			bcards = append(bcards, []any{id, a.id, pid, nil, fmt.Sprintf("Card %d", n), at.UnixMilli(), true, at.UnixMilli()})
			a.cards = append(a.cards, id)
		}
	}
	return g.insertAll(ctx, []seedTable{
		{"physical_locks", "id, lock_type_id, protocol_version, binding_code_hash, time_zone, time_restriction_support, device_public_key, created_at", phys},
		{"bound_locks", "id, owner_id, physical_lock_id, title, description, bind_date, active, rcl_serial_no, created_at", bound},
		{"lock_groups", "id, owner_id, title, description, active, created_at", groups},
		{"lock_group_members", "group_id, bound_lock_id, state, created_at", members},
		{"physical_cards", "id, uid, capacity, created_at", pcards},
		{"bound_cards", "id, owner_id, physical_card_id, title, label, bind_date, active, created_at", bcards},
	})
}

// seedBytes is n bytes derived from a label and a number: unique per (label, i).
func seedBytes(label string, i, n int) []byte {
	sum := sha256.Sum256([]byte(fmt.Sprint(label, "-", i)))
	return sum[:n]
}

// contacts writes the contacts, every other one a person who signed up (a user), and one user
// in four of those with a registered phone.
func (g *seeder) contacts(ctx context.Context, spec SeedSpec) error {
	var contacts, users, mobiles [][]any
	counts := g.share(spec.Contacts-spec.Owners, 1)
	n := 0
	for k, a := range g.accs {
		g.res.Owners[k].Contacts = counts[k] + 1
		for range counts[k] {
			at := created(n, spec.Contacts)
			n++
			email := fmt.Sprintf("person-%d@seed.example", n)
			c := &keyward.Contact{ID: g.id(at), OwnerID: a.id, IPID: keyward.IPTapkey, Identifier: &email, CreatedAt: keyward.NewTime(at)}
			a.contacts = append(a.contacts, c.ID)
			contacts = append(contacts, contactValues(c))
			if n%2 == 0 {
				uid := g.id(at)
				users = append(users, []any{uid, email, email, string(keyward.UserPerson), true, "", at.UnixMilli()})
				if n%8 == 0 {
					mobiles = append(mobiles, []any{g.id(at), uid, "Phone", keyward.PlatformAndroid,
						base64.StdEncoding.EncodeToString(seedBytes("mobile", n, 32)), at.UnixMilli()})
				}
			}
		}
	}
	return g.insertAll(ctx, []seedTable{
		{"contacts", contactCols, contacts},
		{"users", "id, email, email_key, kind, verified, password_hash, created_at", users},
		{"mobiles", mobileColumns, mobiles},
	})
}

// grantsOf is how many grants the i-th contact of an account gets, relative to the others:
// most a few, one in ten some thirty, one in a hundred two hundred (those in the hundreds' place
// 8 are people with phones: see contacts).
func grantsOf(i int) float64 {
	switch {
	case i%100 == 8:
		return 200
	case i%10 == 3:
		return 30
	}
	return float64(2 + i%9)
}

// grants writes the grants: 2% on cards, the rest on contacts weighted by grantsOf, each contact's
// active grants on distinct targets (locks and groups) so that the Duplicate index holds; what a
// contact has beyond its account's targets becomes revoked history.
func (g *seeder) grants(ctx context.Context, spec SeedSpec) error {
	w := g.writer(ctx, "grants", `id, owner_id, target_id, target_type, contact_id, bound_card_id, grantee_key, valid_from,
		valid_before, time_restriction_ical, state, active, delivered, created_at, revoked_at, revoked_seq, card_version`)
	var revocations [][]any // written after the grants: SQLite has one writer at a time
	counts := g.share(spec.Grants, 0)
	total := 0
	for k, a := range g.accs {
		cardGrants := min(counts[k]/50, 3*len(a.cards))
		targets := len(a.locks) + len(a.groups)
		target := func(j int) (string, string) {
			j %= targets
			if j < len(a.locks) {
				return a.locks[j], "Lock"
			}
			return a.groups[j-len(a.locks)], "Group"
		}
		for i := range cardGrants {
			card, r := a.cards[i%len(a.cards)], i/len(a.cards) // the card's r-th grant
			tid, typ := target(i%len(a.cards) + r)
			row := g.grantRow(a, tid, typ, nil, &card, total, spec.Grants)
			if r >= targets {
				row[10], row[11], row[14] = keyward.GrantRevoked, false, row[13].(int64)+3600_000
			}
			if err := w.add(row); err != nil {
				return err
			}
			total++
		}
		// Contact grants: each contact's share of the rest, by cumulative rounding.
		rest := counts[k] - cardGrants
		var sum float64
		for i := range a.contacts {
			sum += grantsOf(i)
		}
		var acc float64
		made, best := 0, 0
		for i, cid := range a.contacts {
			acc += grantsOf(i)
			upto := int(float64(rest) * acc / sum)
			base := g.rng.IntN(targets)
			active := 0
			for j := 0; made < upto; j++ {
				tid, typ := target(base + j)
				row := g.grantRow(a, tid, typ, &cid, nil, total, spec.Grants)
				if j >= targets { // every target taken: history
					row[10], row[11], row[14] = keyward.GrantRevoked, false, row[13].(int64)+3600_000
				}
				if row[11] == true {
					active++
				}
				if row[10] == keyward.GrantRevocationPending && typ == "Lock" {
					revocations = append(revocations, []any{a.phys[slicesIndex(a.locks, tid)], row[0], false, row[14]})
				}
				if err := w.add(row); err != nil {
					return err
				}
				made++
				total++
			}
			if k == 0 && active > best && i%8 == 0 && i > 0 {
				best = active
				g.res.KeyUserEmail, g.res.KeyGrants = fmt.Sprintf("person-%d@seed.example", g.personNo(0, i)), active
			}
		}
		g.res.Owners[k].Grants = made + cardGrants
	}
	if err := w.flush(); err != nil {
		return err
	}
	g.res.Rows["grants"] = w.rows
	if err := g.insertAll(ctx, []seedTable{{"lock_revocations", "physical_lock_id, grant_id, card, revoked_at", revocations}}); err != nil {
		return err
	}
	if g.res.KeyUserEmail != "" {
		err := g.db.sql.QueryRowContext(ctx, `SELECT m.id FROM mobiles m JOIN users u ON u.id = m.user_id WHERE u.email_key = $1`,
			g.res.KeyUserEmail).Scan(&g.res.KeyMobileID)
		if err != nil {
			return fmt.Errorf("sqlstore: seed: the key user's mobile: %w", err)
		}
	}
	return nil
}

// personNo is the number in the address of account k's i-th contact (i ≥ 1; 0 is its Owner).
func (g *seeder) personNo(k, i int) int {
	n := 0
	for _, a := range g.accs[:k] {
		n += len(a.contacts) - 1
	}
	return n + i
}

func slicesIndex(list []string, v string) int {
	for i, s := range list {
		if s == v {
			return i
		}
	}
	return -1
}

// grantRow is one grant's values: of every hundred, 70 active and delivered, 13 active and
// not yet delivered, 12 revoked, 5 revoked while delivered and waiting for a lock's
// confirmation (RevocationPending, on locks only; on groups they are Revoked); one in ten
// time-restricted with iCal, one in twenty with a validity window.
func (g *seeder) grantRow(a *seedAccount, target, typ string, contact, card *string, n, of int) []any {
	at := created(n, of)
	id := g.id(at)
	state, active, delivered := keyward.GrantOk, true, true
	var revokedAt any
	switch r := n % 100; {
	case r < 70:
	case r < 83:
		delivered = false
	case r < 95:
		state, active = keyward.GrantRevoked, false
		revokedAt = at.Add(24 * time.Hour).UnixMilli()
	default:
		state, active = keyward.GrantRevocationPending, false
		revokedAt = at.Add(24 * time.Hour).UnixMilli()
		if typ != "Lock" || card != nil {
			state = keyward.GrantRevoked
		}
	}
	var ical, from, before any
	if n%10 == 3 {
		ical = seedRules[n%len(seedRules)]
	}
	if n%20 == 7 {
		from, before = at.UnixMilli(), at.Add(90*24*time.Hour).UnixMilli()
	}
	gr := &keyward.Grant{ContactID: contact, BoundCardID: card}
	var cardVersion any
	if card != nil {
		cardVersion = int64(0)
	}
	return []any{id, a.id, target, typ, contact, card, granteeKey(gr), from, before, ical, state, active, delivered,
		at.UnixMilli(), revokedAt, int64(1000), cardVersion}
}

// log writes the log entries, each account's share spread over the six months before seedEpoch
// and over its locks (a lock's entries numbered from 1, the account's seq in time order): of
// every twenty, eighteen openings (one of them denied) and two of another type.
func (g *seeder) log(ctx context.Context, spec SeedSpec) error {
	w := g.writer(ctx, "log_entries", logEntryColumns+", owner_id, seq, kind_seq, lock_kind_seq")
	counts := g.share(spec.LogEntries, 0)
	span := 182 * 24 * time.Hour
	for k, a := range g.accs {
		g.res.Owners[k].LogEntries = counts[k]
		entryNo := make([]int64, len(a.locks))
		kindSeq := map[string]int64{}
		lockKindSeq := make([]map[string]int64, len(a.locks))
		for i := range counts[k] {
			li := g.rng.IntN(len(a.locks))
			if lockKindSeq[li] == nil {
				lockKindSeq[li] = map[string]int64{}
			}
			entryNo[li]++
			at := seedEpoch.Add(-span).Add(time.Duration(float64(i) / float64(counts[k]) * float64(span)))
			logType, command, result, reason := keyward.LogTypeCommand, keyward.CommandTriggerLock, any(keyward.LogResultAllowed), any(keyward.ReasonAllowed)
			switch i % 20 {
			case 5:
				result, reason = keyward.LogResultDenied, keyward.ReasonOutsideRestriction
			case 11, 17:
				logType, command, result, reason = "Other", "", nil, nil
			}
			kind := logType + "\x1f" + command
			kindSeq[kind]++
			lockKindSeq[li][kind]++
			var contact any
			if len(a.contacts) > 1 && result != nil {
				contact = a.contacts[1+i%(len(a.contacts)-1)]
			}
			if err := w.add([]any{g.id(at), entryNo[li], at.UnixMilli(), at.Add(time.Duration(i%3600) * time.Second).UnixMilli(),
				a.locks[li], nil, contact, logType, command, result, reason, nil, a.id, int64(i + 1), kindSeq[kind], lockKindSeq[li][kind]}); err != nil {
				return err
			}
		}
	}
	if err := w.flush(); err != nil {
		return err
	}
	g.res.Rows["log_entries"] = w.rows
	return nil
}

// seedTable is one table's rows, written by insertAll.
type seedTable struct {
	table, columns string
	rows           [][]any
}

// insertAll writes each table's rows and counts them in the result.
func (g *seeder) insertAll(ctx context.Context, tables []seedTable) error {
	for _, t := range tables {
		w := g.writer(ctx, t.table, t.columns)
		for _, r := range t.rows {
			if err := w.add(r); err != nil {
				return err
			}
		}
		if err := w.flush(); err != nil {
			return err
		}
		g.res.Rows[t.table] += w.rows
	}
	return nil
}

// seedWriter writes one table's rows in multi-row INSERTs, committing every seedCommitRows rows
// so that a large table does not make one huge transaction.
type seedWriter struct {
	ctx            context.Context
	db             *DB
	table, columns string
	width, perStmt int
	buf            []any
	tx             *sql.Tx
	release        func()    // lets the write queue go when tx ends (begin)
	stmt           *sql.Stmt // the statement of a full batch, prepared once per transaction
	inTx, rows     int
}

const seedCommitRows = 100_000

func (g *seeder) writer(ctx context.Context, table, columns string) *seedWriter {
	width := strings.Count(columns, ",") + 1
	// Up to 1000 rows and 60 000 values a statement on PostgreSQL (its limit is 65 535), 4000
	// values on SQLite (its limit is 32 766), as for the log's inserts (sqliteLogRows).
	per := min(1000, 60000/width)
	if g.db.d.engine == SQLite {
		per = max(1, 4000/width)
	}
	return &seedWriter{ctx: ctx, db: g.db, table: table, columns: columns, width: width, perStmt: per}
}

// add queues one row and writes a batch when it is full.
func (w *seedWriter) add(row []any) error {
	if len(row) != w.width {
		return fmt.Errorf("sqlstore: seed %s: %d values for %d columns", w.table, len(row), w.width)
	}
	w.buf = append(w.buf, row...)
	if len(w.buf) == w.width*w.perStmt {
		return w.write(false)
	}
	return nil
}

// flush writes what is queued and commits.
func (w *seedWriter) flush() error { return w.write(true) }

func (w *seedWriter) write(commit bool) error {
	if n := len(w.buf) / w.width; n > 0 {
		if err := w.insertQueued(n); err != nil {
			if w.tx != nil {
				w.end(false)
			}
			return fmt.Errorf("sqlstore: seed %s: %w", w.table, err)
		}
	}
	if w.tx != nil && (commit || w.inTx >= seedCommitRows) {
		if err := w.end(true); err != nil {
			return fmt.Errorf("sqlstore: seed %s: %w", w.table, err)
		}
	}
	return nil
}

// insertQueued inserts the n rows queued, in the writer's transaction.
func (w *seedWriter) insertQueued(n int) error {
	if w.tx == nil {
		if err := w.begin(); err != nil {
			return err
		}
	}
	var err error
	if n == w.perStmt {
		if w.stmt == nil {
			if w.stmt, err = w.tx.PrepareContext(w.ctx, w.insert(n)); err != nil {
				return err
			}
		}
		_, err = w.stmt.ExecContext(w.ctx, w.buf...)
	} else {
		_, err = w.tx.ExecContext(w.ctx, w.insert(n), w.buf...)
	}
	if err == nil {
		w.rows, w.inTx, w.buf = w.rows+n, w.inTx+n, w.buf[:0]
	}
	return err
}

// begin begins a transaction. On SQLite it holds the write queue until it ends, as every write
// transaction of the process does: its transactions hold the write lock for seconds, one after
// the other, and the checkpoint that restarts the log (checkpointer) runs in the queue, between
// two of them; beside them it never found the lock free, and the log grew with all the seed
// wrote (2.5 GB over the default `keyward bench seed`).
func (w *seedWriter) begin() error {
	release := func() {}
	if w.db.writes != nil {
		release = w.db.writes.hold()
	}
	tx, err := w.db.sql.BeginTx(w.ctx, nil)
	if err != nil {
		release()
		return err
	}
	w.tx, w.release = tx, release
	return nil
}

// end commits the transaction, or rolls it back, and lets the write queue go.
func (w *seedWriter) end(commit bool) error {
	defer w.release()
	if w.stmt != nil {
		w.stmt.Close()
		w.stmt = nil
	}
	tx := w.tx
	w.tx, w.inTx = nil, 0
	if !commit {
		return tx.Rollback()
	}
	return tx.Commit()
}

// insert is the INSERT of n rows.
func (w *seedWriter) insert(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + w.table + " (" + w.columns + ") VALUES ")
	w.db.d.writeValues(&b, n, w.width)
	return b.String()
}
