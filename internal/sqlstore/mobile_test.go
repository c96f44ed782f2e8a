package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/bench"
	"github.com/keyward/keyward/internal/bench/reference"
	"github.com/keyward/keyward/internal/service"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// seedKeyUser gives Ada n grants through bench.SeedKeyUser, the seeding `keyward bench` uses.
func seedKeyUser(tb testing.TB, s *service.Service, n int) bench.KeyUser {
	tb.Helper()
	u, err := bench.SeedKeyUser(context.Background(), s, n)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// TestKeyFetchStatements fetches the keys of a user with 1 grant and of one with 50: the first
// fetch (which marks the grants delivered), a poll with the ETag (304) and one without must run
// the same statements for both, and a poll that brings nothing new writes nothing.
func TestKeyFetchStatements(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			one, fifty := keyFetchStatements(t, engine, 1), keyFetchStatements(t, engine, 50)
			if diff := cmp.Diff(one, fifty); diff != "" {
				t.Fatalf("the statements for 1 grant (-) and for 50 (+) differ:\n%s", diff)
			}
			for _, poll := range []string{"poll", "poll without ETag"} {
				for _, q := range one[poll] {
					if !strings.HasPrefix(strings.TrimSpace(q), "SELECT") {
						t.Errorf("a %s runs %s", poll, q)
					}
				}
			}
		})
	}
}

// keyFetchStatements seeds a user with n grants on a fresh database and returns the statements
// each of three fetches ran, after checking what they answered.
func keyFetchStatements(t *testing.T, engine sqlstore.Engine, n int) map[string][]string {
	db := sqltest.Open(t, engine)
	s := service.New(db, service.Config{})
	u := seedKeyUser(t, s, n)
	statements := sqlstore.ObserveStatements(t, db)
	ran := map[string][]string{}
	var tag string
	for _, step := range []struct {
		name  string
		known []string
		want  int // keys answered; -1 for a 304
	}{{"first", nil, n}, {"poll", []string{"<tag>"}, -1}, {"poll without ETag", nil, n}} {
		before := len(statements())
		known := step.known
		if known != nil {
			known = []string{tag}
		}
		keys, got, err := s.FetchKeys(u.Phone, u.MobileID, known)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if (step.want < 0) != (keys == nil) || (keys != nil && len(keys.Keys) != step.want) || (tag != "" && got != tag) {
			t.Fatalf("%s: keys %v, tag %q (first %q); want %d keys", step.name, keys, got, tag, step.want)
		}
		tag = got
		for _, st := range statements()[before:] {
			ran[step.name] = append(ran[step.name], st.Query)
		}
	}
	return ran
}

// BenchmarkKeyFetch prints how long a phone of a user with 1000 grants waits for its keys (a
// fetch that signs every key) and for a poll answered 304, beside a reference program measured
// in the same run: signing the same 1000 keys with lockproto alone, without the store, the
// grants' lookup or the answer's assembly. The fetch/reference ratio is what Keyward adds to the
// signing work a fetch cannot avoid.
func BenchmarkKeyFetch(b *testing.B) {
	for _, engine := range sqltest.Engines(b) {
		b.Run(string(engine), func(b *testing.B) {
			s := service.New(sqltest.OpenOnce(b, engine), service.Config{}) // measured: transactions run once
			u := seedKeyUser(b, s, 1000)
			first, tag, err := s.FetchKeys(u.Phone, u.MobileID, nil)
			if err != nil {
				b.Fatal(err)
			}
			var fetch, poll, ref time.Duration
			b.Run("Fetch", func(b *testing.B) {
				fetch = timeLoop(b, func() {
					if keys, _, err := s.FetchKeys(u.Phone, u.MobileID, nil); err != nil || len(keys.Keys) != 1000 {
						b.Fatalf("fetch: %v", err)
					}
				})
			})
			b.Run("NotModified", func(b *testing.B) {
				poll = timeLoop(b, func() {
					if keys, _, err := s.FetchKeys(u.Phone, u.MobileID, []string{tag}); err != nil || keys != nil {
						b.Fatalf("poll: %v", err)
					}
				})
			})
			b.Run("Reference", func(b *testing.B) {
				keys, err := reference.MobileKeys(first)
				if err != nil {
					b.Fatal(err)
				}
				signer := reference.KeySigner()
				ref = timeLoop(b, func() {
					if err := reference.SignKeys(signer, keys); err != nil {
						b.Fatal(err)
					}
				})
			})
			fmt.Printf("%s: key fetch of 1000 grants %v, poll answered 304 %v; reference (signing the same 1000 keys) %v; fetch/reference %.2f\n",
				engine, fetch, poll, ref, float64(fetch)/float64(ref))
		})
	}
}

// timeLoop runs fn in the benchmark's loop and returns the mean time of one run.
func timeLoop(b *testing.B, fn func()) time.Duration {
	start, n := time.Now(), 0
	for b.Loop() {
		fn()
		n++
	}
	return time.Since(start) / time.Duration(max(n, 1))
}
