package bench

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"
)

// BenchmarkReads runs the authenticated reads of `keyward bench` one at a time on SQLite (or on
// the PostgreSQL server of KEYWARD_TEST_POSTGRES), for profiling the work of one request.
func BenchmarkReads(b *testing.B) {
	ctx := context.Background()
	cfg := Config{Short: true, Concurrency: 1, DB: os.Getenv("KEYWARD_TEST_POSTGRES")}
	cfg.defaults()
	dsn, drop, err := freshDatabase(cfg.DB)
	if err != nil {
		b.Fatal(err)
	}
	defer drop()
	r := &runner{cfg: cfg, dsn: dsn, rep: &Report{}, http: &http.Client{Timeout: time.Minute}}
	if err := r.start(ctx); err != nil {
		b.Fatal(err)
	}
	defer r.stop()
	base := r.m.Config.Issuer + "/api/v1/Owners/" + r.owner + "/BoundLocks"
	for _, read := range []struct{ name, url string }{{"one", base + "/" + r.locks[0]}, {"list", base + "?$top=100"}} {
		b.Run(read.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.get(ctx, read.url, r.adminToken); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRefresh rotates one refresh token after the other, as `keyward bench` does on each
// client, for profiling one rotation.
func BenchmarkRefresh(b *testing.B) {
	ctx := context.Background()
	cfg := Config{Short: true, Concurrency: 1, DB: os.Getenv("KEYWARD_TEST_POSTGRES")}
	cfg.defaults()
	dsn, drop, err := freshDatabase(cfg.DB)
	if err != nil {
		b.Fatal(err)
	}
	defer drop()
	r := &runner{cfg: cfg, dsn: dsn, rep: &Report{}, http: &http.Client{Timeout: time.Minute}}
	if err := r.start(ctx); err != nil {
		b.Fatal(err)
	}
	defer r.stop()
	refresh, err := r.refreshToken(ctx, r.ownerUser, "read:core:entities")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		t, err := r.tokenRequest(ctx, r.m.Config.Issuer, r.app, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
		if err != nil {
			b.Fatal(err)
		}
		refresh = t.RefreshToken
	}
}
