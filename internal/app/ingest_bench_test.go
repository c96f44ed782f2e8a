package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/app/apptest"
	"github.com/keyward/keyward/internal/bench"
	"github.com/keyward/keyward/internal/bench/reference"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// BenchmarkLogIngestion uploads log entries the way locks do, in signed sync requests of 1000
// entries over the device API on loopback, and prints entries per second beside a reference
// program measured in the same run on the same database (reference.LogInserts): the same rows
// written with one prepared INSERT per row in one transaction per batch, into a table with the
// log's columns and indexes, without HTTP, JSON, signatures or Keyward. The ratio says how much
// of the database's own write speed the device API keeps. `keyward bench` measures the same with
// the same seeding.
func BenchmarkLogIngestion(b *testing.B) {
	for _, engine := range sqltest.Engines(b) {
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			m := apptest.Start(b, config.Config{Addr: "127.0.0.1:0", DB: sqltest.DSN(b, engine)}, &apitest.Output{}, &apitest.Output{}, apptest.Measured)
			_, _, lock, err := bench.SeedLock(ctx, m.Service, "bench@example.com")
			if err != nil {
				b.Fatal(err)
			}
			relay := client.New(m.Config.Issuer, nil)
			ref, err := reference.NewLogInserts(ctx, m.Store.SQL())
			if err != nil {
				b.Fatal(err)
			}
			var api, raw time.Duration
			var next uint64 = 1
			b.ResetTimer()
			for b.Loop() {
				entries := bench.Entries(next, bench.IngestBatch)
				start := time.Now()
				resp, err := lock.SyncOnce(ctx, relay, entries, nil)
				api += time.Since(start)
				if err != nil || resp.AckEntryNo != next+bench.IngestBatch-1 {
					b.Fatalf("sync: ack %v, %v", resp, err)
				}
				start = time.Now()
				if err := ref.Insert(ctx, "lock", entries); err != nil {
					b.Fatal(err)
				}
				raw += time.Since(start)
				next += bench.IngestBatch
			}
			n := float64(next - 1)
			apiRate, rawRate := n/api.Seconds(), n/raw.Seconds()
			b.ReportMetric(apiRate, "entries/s")
			b.ReportMetric(apiRate/rawRate, "api/reference")
			fmt.Printf("%s: log ingestion through the device API %.0f entries/s, reference (prepared INSERTs, one transaction per %d) %.0f entries/s, ratio %.2f\n",
				engine, apiRate, bench.IngestBatch, rawRate, apiRate/rawRate)
		})
	}
}
