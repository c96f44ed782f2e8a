package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"

	"github.com/keyward/keyward/internal/bench/reference"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore"
)

// tokenTarget is the token issuance target of the engine: the signer's share Keyward must keep.
func (r *runner) tokenTarget() float64 {
	if r.engine == sqlstore.Postgres {
		return 0.8
	}
	return 0.9
}

// tokens measures token issuance by client credentials and by refresh (each client rotating
// its own refresh token, as a client does) against a handler that signs one access token.
func (r *runner) tokens(ctx context.Context) error {
	keys, err := reference.NewKeys(ctx)
	if err != nil {
		return err
	}
	refBase, stop, err := serveReference(reference.Signer(keys))
	if err != nil {
		return err
	}
	defer stop()
	c, base := r.cfg.Concurrency, r.m.Config.Issuer
	refresh := make([]string, c)
	for i := range refresh {
		if refresh[i], err = r.refreshToken(ctx, r.ownerUser, keyward.ScopeReadCoreEntities); err != nil {
			return err
		}
	}
	res := r.compare(ctx, c, []string{"token issuance (client credentials)", "token issuance (refresh)", "reference signer"},
		func(ctx context.Context, _ int, _ int64) error {
			_, err := r.tokenRequest(ctx, base, r.admin, url.Values{"grant_type": {keyward.GrantClientCredentials}})
			return err
		},
		func(ctx context.Context, w int, _ int64) error {
			t, err := r.tokenRequest(ctx, base, r.app, url.Values{"grant_type": {keyward.GrantRefreshToken}, "refresh_token": {refresh[w]}})
			if err == nil {
				refresh[w] = t.RefreshToken
			}
			return err
		},
		func(ctx context.Context, _ int, _ int64) error {
			status, body, err := r.do(ctx, http.MethodPost, refBase+"/token", "grant_type=client_credentials", nil)
			if err == nil {
				err = expectOK(status, body)
			}
			return err
		})
	cc, rt, ref := res[0], res[1], res[2]
	target := r.tokenTarget()
	for _, m := range []struct {
		name string
		res  result
	}{{"token issuance, client credentials", cc}, {"token issuance, refresh", rt}} {
		row := rateRow(m.name, "req/s", 1, m.res, "sign one JWT", &ref)
		r.add(withTarget(row, fmt.Sprintf("≥ %.1f of ref", target), atLeast(row.Ratio, target)))
	}
	return nil
}

// reads measures an authenticated read of one bound lock and of a list of 100 against a handler
// that verifies the access token and answers the same JSON, and one that only answers it. The
// account does not change while it is read, so the read cache answers every read but the first
// (and on PostgreSQL the standing cache every token check but the first); a second server on the
// same database without either cache, measured beside them, shows what a read costs when its
// account changed since the last one (every read a miss, every token check a statement).
func (r *runner) reads(ctx context.Context) error {
	path := "/api/v1/Owners/" + r.owner + "/BoundLocks"
	base := r.m.Config.Issuer + path
	uncached, cancel, done, _, err := r.openWith(ctx, config.Config{Addr: "127.0.0.1:0", DB: r.dsn, Issuer: r.m.Config.Issuer, ReadCacheMB: -1, NoStandingCache: true})
	if err != nil {
		return err
	}
	defer closeMain(uncached, cancel, done)
	uncachedBase := "http://" + uncached.Addr() + path
	keys, err := reference.NewKeys(ctx)
	if err != nil {
		return err
	}
	refToken, err := reference.Sign(ctx, keys, "bench")
	if err != nil {
		return err
	}
	for _, read := range []struct{ name, url string }{
		{"read one BoundLock", "/" + r.locks[0]},
		{"read a list of 100 BoundLocks", "?" + url.Values{"$top": {"100"}}.Encode()},
	} {
		uncachedURL := uncachedBase + read.url
		read.url = base + read.url
		body, err := r.get(ctx, read.url, r.adminToken)
		if err != nil {
			return fmt.Errorf("%s: %w", read.name, err)
		}
		var shape any
		if err := json.Unmarshal(body, &shape); err != nil {
			return fmt.Errorf("%s: %w", read.name, err)
		}
		if list, ok := shape.([]any); ok && len(list) != 100 {
			return fmt.Errorf("%s: %d items, want 100", read.name, len(list))
		}
		verifier, err := reference.VerifyJSON(ctx, keys, body)
		if err != nil {
			return err
		}
		mux := http.NewServeMux()
		mux.Handle("/verify", verifier)
		mux.Handle("/json", reference.JSON(body))
		refBase, stop, err := serveReference(mux)
		if err != nil {
			return err
		}
		c := r.cfg.Concurrency
		res := r.compare(ctx, c, []string{read.name, "reference verify+JSON", "reference JSON", read.name + ", no read or standing cache"},
			func(ctx context.Context, _ int, _ int64) error {
				_, err := r.get(ctx, read.url, r.adminToken)
				return err
			},
			func(ctx context.Context, _ int, _ int64) error {
				_, err := r.get(ctx, refBase+"/verify", refToken)
				return err
			},
			func(ctx context.Context, _ int, _ int64) error {
				_, err := r.get(ctx, refBase+"/json", refToken)
				return err
			},
			func(ctx context.Context, _ int, _ int64) error {
				_, err := r.get(ctx, uncachedURL, r.adminToken)
				return err
			})
		kw, verify, bare, computed := res[0], res[1], res[2], res[3]
		stop()
		v := rateRow(read.name+" vs verify+JSON", "req/s", 1, kw, "verify JWT + JSON", &verify)
		b := rateRow(read.name+" vs bare JSON", "req/s", 1, kw, "JSON", &bare)
		// The bare JSON handler's spread is beside Keyward's: with 8 clients on a small machine,
		// scheduling alone gives every request a tail of some milliseconds, so a read whose
		// median is a fraction of a millisecond has a spread the machine sets, not the server.
		spread, bareSpread := kw.spread(), bare.spread()
		r.add(withTarget(v, "≥ 0.8 of ref", atLeast(v.Ratio, 0.8)), withTarget(b, "≥ 0.3 of ref", atLeast(b.Ratio, 0.3)),
			withTarget(Row{Measure: fmt.Sprintf("%s p99/p50, %s", read.name, clients(c)), Unit: "x", Keyward: spread,
				Reference: "JSON's p99/p50", RefValue: bareSpread, Ratio: spread / bareSpread},
				"≤ 10", atMost(spread, 10)),
			rateRow(read.name+", no read or standing cache, vs verify+JSON", "req/s", 1, computed, "verify JWT + JSON", &verify))
	}
	return nil
}

// weekdaysIcal is a grant's schedule: weekday mornings in Vienna.
const weekdaysIcal = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:1\r\n" +
	"DTSTART;TZID=Europe/Vienna:20260105T080000\r\nDTEND;TZID=Europe/Vienna:20260105T120000\r\n" +
	"RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// grants measures grant creation with an inline contact (a new one each time), with a contact id
// and with a contact id and an iCal schedule, at 1 client and at many, each variant on a lock of
// its own, against one single-row insert transaction on the same engine. The contacts the
// inline runs create are the ones the other runs grant to, so a run with a contact id ends
// early when it has used every one.
func (r *runner) grants(ctx context.Context) error {
	hi := r.manyClients()
	target := r.m.Config.Issuer + "/api/v1/Owners/" + r.owner + "/Grants"
	var mu sync.Mutex
	var contacts []string
	create := func(ctx context.Context, body any) (*keyward.Grant, error) {
		return r.createGrant(ctx, target, r.adminToken, body)
	}
	type variant struct {
		name string
		body func(lock string, i int64, pool []string) (any, error)
	}
	inline := variant{"inline contact", func(lock string, i int64, _ []string) (any, error) {
		id := fmt.Sprintf("guest-%d@bench.example", i)
		return keyward.GrantCreate{BoundLockID: lock, Contact: &keyward.GrantContact{Identifier: &id}}, nil
	}}
	byID := func(ical *string) func(string, int64, []string) (any, error) {
		return func(lock string, i int64, pool []string) (any, error) {
			if i >= int64(len(pool)) {
				return nil, errExhausted
			}
			return keyward.GrantCreate{BoundLockID: lock, ContactID: &pool[i], TimeRestrictionIcal: ical}, nil
		}
	}
	ical := weekdaysIcal
	variants := []variant{inline, {"contact id", byID(nil)}, {"contact id + iCal", byID(&ical)}}
	results := map[string]map[int]result{inline.name: {}, variants[1].name: {}, variants[2].name: {}}
	lock := 1
	var seq atomic.Int64 // numbers the inline contacts and the reference's rows across runs
	grantOp := func(v variant) op {
		pool := contacts
		l := r.locks[lock]
		lock++
		return func(ctx context.Context, _ int, i int64) error {
			if v.name == inline.name {
				i = seq.Add(1) // a fresh identifier for every inline contact
			}
			body, err := v.body(l, i, pool)
			if err != nil {
				return err
			}
			g, err := create(ctx, body)
			if err == nil && v.name == inline.name {
				mu.Lock()
				contacts = append(contacts, *g.ContactID)
				mu.Unlock()
			}
			return err
		}
	}
	inserts, err := reference.NewInserts(ctx, r.m.Store.SQL())
	if err != nil {
		return err
	}
	defer inserts.Drop(ctx)
	insert := func(ctx context.Context, _ int, _ int64) error { return inserts.Insert(ctx, seq.Add(1)) }
	ref := map[int]result{}
	for _, c := range []int{1, hi} {
		res := r.compare(ctx, c, []string{fmt.Sprintf("grant creation (%s, %s)", inline.name, clients(c)), "reference insert"},
			grantOp(inline), insert)
		results[inline.name][c], ref[c] = res[0], res[1]
	}
	for _, c := range []int{1, hi} {
		for _, v := range variants[1:] {
			results[v.name][c] = r.load(ctx, fmt.Sprintf("grant creation (%s, %s)", v.name, clients(c)), c, grantOp(v))
		}
	}
	for _, v := range variants {
		for _, c := range []int{1, hi} {
			res := ref[c]
			row := rateRow(fmt.Sprintf("grant creation, %s, %s", v.name, clients(c)), "req/s", 1, results[v.name][c], "1-row insert tx", &res)
			r.add(withTarget(row, "≥ 0.3 of ref", atLeast(row.Ratio, 0.3)))
		}
		gain := results[v.name][hi].rate() / max(results[v.name][1].rate(), 1e-9)
		r.add(withTarget(Row{Measure: fmt.Sprintf("grant creation, %s, %d vs 1 clients", v.name, hi), Unit: "x", Keyward: gain}, "> 1", atLeast(gain, 1.0000001)))
	}
	return r.grantsOnAccounts(ctx, hi, &seq, results[inline.name][hi], ref[hi])
}

// grantsOnAccounts measures the inline-contact grant creation of c clients, each on an account
// of its own: the writes of one account take its row lock one at a time (InOwnerTx), those of
// different accounts do not wait on each other, and this shows how much that is worth next to
// the c clients on one account (oneAccount).
func (r *runner) grantsOnAccounts(ctx context.Context, c int, seq *atomic.Int64, oneAccount, ref result) error {
	type account struct{ target, lock, token string }
	accounts := make([]account, c)
	for w := range accounts {
		owner, lock, _, err := SeedLock(ctx, r.m.Service, fmt.Sprintf("account-%d@bench.example", w))
		if err != nil {
			return err
		}
		admin, err := r.client(ctx, keyward.ClientCreate{Name: "bench admin", GrantTypes: []string{keyward.GrantClientCredentials},
			Scopes: []string{keyward.ScopeWriteGrants}, AdminOf: owner})
		if err != nil {
			return err
		}
		token, err := r.clientToken(ctx, r.m.Config.Issuer, admin)
		if err != nil {
			return err
		}
		accounts[w] = account{target: r.m.Config.Issuer + "/api/v1/Owners/" + owner + "/Grants", lock: lock, token: token}
	}
	name := fmt.Sprintf("grant creation, inline contact, %s on %d accounts", clients(c), c)
	res := r.load(ctx, name, c, func(ctx context.Context, w int, _ int64) error {
		a := accounts[w%len(accounts)]
		id := fmt.Sprintf("guest-%d@bench.example", seq.Add(1))
		_, err := r.createGrant(ctx, a.target, a.token, keyward.GrantCreate{BoundLockID: a.lock, Contact: &keyward.GrantContact{Identifier: &id}})
		return err
	})
	r.add(rateRow(name, "req/s", 1, res, "1-row insert tx", &ref))
	gain := res.rate() / max(oneAccount.rate(), 1e-9)
	r.add(Row{Measure: fmt.Sprintf("grant creation, inline contact, %d accounts vs 1, %s", c, clients(c)), Unit: "x", Keyward: gain})
	return nil
}

// createGrant creates a grant by PUT to target (an account's Grants) with token.
func (r *runner) createGrant(ctx context.Context, target, token string, body any) (*keyward.Grant, error) {
	b, _ := json.Marshal(body)
	status, answer, err := r.do(ctx, http.MethodPut, target, string(b), func(req *http.Request) {
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
	})
	if err == nil {
		err = expectOK(status, answer)
	}
	if err != nil {
		return nil, err
	}
	var g keyward.Grant
	return &g, json.Unmarshal(answer, &g)
}

// keyFetch measures a phone fetching its keys (every grant of its user, each key signed) against
// signing the same keys with lockproto alone.
func (r *runner) keyFetch(ctx context.Context) error {
	n := r.cfg.KeyGrants
	u, err := SeedKeyUser(ctx, r.m.Service, n)
	if err != nil {
		return err
	}
	fetched, _, err := r.m.Service.FetchKeys(u.Phone, u.MobileID, nil)
	if err != nil {
		return err
	}
	keys, err := reference.MobileKeys(fetched)
	if err != nil {
		return err
	}
	rt, err := r.refreshToken(ctx, u.User, keyward.ScopeRegisterMobiles, keyward.ScopeHandleKeys)
	if err != nil {
		return err
	}
	t, err := r.tokenRequest(ctx, r.m.Config.Issuer, r.app, url.Values{"grant_type": {keyward.GrantRefreshToken}, "refresh_token": {rt}})
	if err != nil {
		return err
	}
	target := r.m.Config.Issuer + "/api/v1/Me/Mobiles/" + u.MobileID + "/Keys"
	c := r.cfg.Concurrency
	signer := reference.KeySigner()
	res := r.compare(ctx, c, []string{"key fetch", "reference key signing"},
		func(ctx context.Context, _ int, _ int64) error {
			body, err := r.get(ctx, target, t.AccessToken)
			if got := bytes.Count(body, []byte(`"key"`)); err == nil && got != n {
				err = fmt.Errorf("the answer has %d keys, want %d", got, n)
			}
			return err
		},
		func(context.Context, int, int64) error { return reference.SignKeys(signer, keys) })
	kw, ref := res[0], res[1]
	r.add(rateRow(fmt.Sprintf("key fetch, phone with %d grants", n), "req/s", 1, kw, fmt.Sprintf("sign %d keys", n), &ref))
	return nil
}

// ingestion measures one lock uploading its log over the device API in syncs of IngestBatch
// entries against the same rows written with prepared INSERTs, one transaction per batch; then
// manyClients locks uploading at once, in one account and in an account each, against as many
// writers of the reference. A lock's syncs follow each other, each waiting for its commit, so
// one lock measures a sync's cost and the many what the server takes in; the target is judged
// on the one.
func (r *runner) ingestion(ctx context.Context) error {
	inserts, err := reference.NewLogInserts(ctx, r.m.Store.SQL())
	if err != nil {
		return err
	}
	defer inserts.Drop(ctx)
	_, _, lock, err := SeedLock(ctx, r.m.Service, "ingest@bench.example")
	if err != nil {
		return err
	}
	one := fmt.Sprintf("log ingestion, device API, syncs of %d", IngestBatch)
	row := r.ingest(ctx, one, inserts, []*client.DeviceLock{lock})
	r.add(withTarget(row, "≥ 50000", atLeast(row.Keyward, 50000)))
	c := r.manyClients()
	_, _, shared, err := SeedLocks(ctx, r.m.Service, "ingest-shared@bench.example", c)
	if err != nil {
		return err
	}
	r.add(r.ingest(ctx, fmt.Sprintf("%s, %d locks of one account", one, c), inserts, shared))
	apart := make([]*client.DeviceLock, c)
	for w := range apart {
		if _, _, apart[w], err = SeedLock(ctx, r.m.Service, fmt.Sprintf("ingest-%d@bench.example", w)); err != nil {
			return err
		}
	}
	r.add(r.ingest(ctx, fmt.Sprintf("%s, %d locks on %d accounts", one, c, c), inserts, apart))
	return nil
}

// ingest runs one client per lock, each syncing its lock's next IngestBatch entries, against as
// many writers of the reference inserts (each writing rows of a lock of its own, named after
// the measure), and returns the row named measure.
func (r *runner) ingest(ctx context.Context, measure string, inserts *reference.LogInserts, locks []*client.DeviceLock) Row {
	relay := client.New(r.m.Config.Issuer, r.http)
	next, refNext := make([]uint64, len(locks)), make([]uint64, len(locks))
	refLock := make([]string, len(locks))
	for w := range locks {
		next[w], refNext[w], refLock[w] = 1, 1, fmt.Sprintf("%s-%d", measure, w)
	}
	res := r.compare(ctx, len(locks), []string{measure, measure + " (reference)"},
		func(ctx context.Context, w int, _ int64) error {
			first := next[w]
			resp, err := locks[w].SyncOnce(ctx, relay, Entries(first, IngestBatch), nil)
			if err == nil && resp.AckEntryNo != first+IngestBatch-1 {
				err = fmt.Errorf("the sync acknowledged entry %d, want %d", resp.AckEntryNo, first+IngestBatch-1)
			}
			next[w] += IngestBatch
			return err
		},
		func(ctx context.Context, w int, _ int64) error {
			err := inserts.Insert(ctx, refLock[w], Entries(refNext[w], IngestBatch))
			refNext[w] += IngestBatch
			return err
		})
	refName := "prepared INSERTs, 1 tx/batch"
	if len(locks) > 1 {
		refName = fmt.Sprintf("the same, %d writers", len(locks))
	}
	return rateRow(measure, "entries/s", IngestBatch, res[0], refName, &res[1])
}

// manyClients is the clients of the measures that compare one client with many: the run's,
// or 8 for a run of one client.
func (r *runner) manyClients() int {
	if r.cfg.Concurrency == 1 {
		return 8
	}
	return r.cfg.Concurrency
}

// clients names a number of clients.
func clients(n int) string {
	if n == 1 {
		return "1 client"
	}
	return fmt.Sprintf("%d clients", n)
}
