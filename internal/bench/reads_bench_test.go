package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore"
)

// BenchmarkReads runs the authenticated reads of `keyward bench` one at a time on SQLite (or on
// the PostgreSQL server of KEYWARD_TEST_POSTGRES), for profiling the work of one request.
func BenchmarkReads(b *testing.B) {
	ctx := context.Background()
	r := startRunner(ctx, b)
	base := r.m.Config.Issuer + "/api/v1/Owners/" + r.owner + "/BoundLocks"
	for _, read := range []struct{ name, url string }{{"one", base + "/" + r.locks[0]}, {"list", base + "?$top=100"}} {
		b.Run(read.name, func(b *testing.B) {
			perRequest(b, func(int) error {
				_, err := r.get(ctx, read.url, r.adminToken)
				return err
			})
		})
	}
}

// BenchmarkRefresh rotates one refresh token after the other, as `keyward bench` does on each
// client, for profiling one rotation.
func BenchmarkRefresh(b *testing.B) {
	ctx := context.Background()
	r := startRunner(ctx, b)
	refresh, err := r.refreshToken(ctx, r.ownerUser, "read:core:entities")
	if err != nil {
		b.Fatal(err)
	}
	perRequest(b, func(int) error {
		t, err := r.tokenRequest(ctx, r.m.Config.Issuer, r.app, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
		refresh = t.RefreshToken
		return err
	})
}

// BenchmarkRefreshParallel rotates refresh tokens from 8 clients at once (4 per CPU on the
// 2-CPU machine), each its own family, as `keyward bench` does, for profiling rotations under
// load: beside the process's CPU per refresh it reports PostgreSQL's (pg-cpu-ns/op) when the
// server's processes run on this machine.
func BenchmarkRefreshParallel(b *testing.B) {
	ctx := context.Background()
	r := startRunner(ctx, b)
	b.SetParallelism(4)
	cpu := markCPU()
	b.RunParallel(func(pb *testing.PB) {
		refresh, err := r.refreshToken(ctx, r.ownerUser, "read:core:entities")
		for err == nil && pb.Next() {
			var t tokenAnswer
			t, err = r.tokenRequest(ctx, r.m.Config.Issuer, r.app, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
			refresh = t.RefreshToken
		}
		if err != nil {
			b.Error(err)
		}
	})
	cpu.report(b)
}

// cpuMark is the CPU time used when a benchmark's requests began: this process's and PostgreSQL's.
type cpuMark struct{ self, postgres time.Duration }

func markCPU() cpuMark { return cpuMark{cpuTime(), postgresCPU()} }

// report reports the CPU time per request since the mark: the process's, and PostgreSQL's
// (pg-cpu-ns/op) when the benchmark runs on it and its processes run on this machine.
func (m cpuMark) report(b *testing.B) {
	b.ReportMetric(float64(cpuTime()-m.self)/float64(b.N), "cpu-ns/op")
	if used := postgresCPU() - m.postgres; os.Getenv("KEYWARD_TEST_POSTGRES") != "" && used > 0 {
		b.ReportMetric(float64(used)/float64(b.N), "pg-cpu-ns/op")
	}
}

// postgresCPU is the CPU time the processes named postgres on this machine have used, their
// children's that ended included (0 where /proc does not show them).
func postgresCPU() time.Duration {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, f := range stats {
		b, err := os.ReadFile(f)
		// The name is in parentheses; utime, stime, cutime and cstime are the 12th to 15th
		// fields after it.
		end := bytes.LastIndexByte(b, ')')
		if err != nil || end < 0 || !bytes.HasSuffix(b[:end], []byte("(postgres")) {
			continue
		}
		fields := strings.Fields(string(b[end+1:]))
		for _, v := range fields[min(11, len(fields)):min(15, len(fields))] {
			n, _ := strconv.ParseInt(v, 10, 64)
			ticks += n
		}
	}
	return time.Duration(ticks) * (time.Second / clockTicks)
}

// clockTicks is the kernel's USER_HZ, the unit of /proc's CPU times, 100 on Linux everywhere.
const clockTicks = 100

// perRequest runs op once per iteration (i counts them from 1) and reports, beside the wall
// time, the allocations and the CPU time per request (cpuMark.report).
func perRequest(b *testing.B, op func(i int) error) {
	b.ReportAllocs()
	cpu := markCPU()
	i := 0
	for b.Loop() {
		i++
		if err := op(i); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// cpuTime is the CPU time this process has used (user and system): on a machine that runs other
// work too it tells a request's cost apart better than the wall time does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// startRunner starts the short benchmark's server on a fresh database of one client, on SQLite
// or on the PostgreSQL server of KEYWARD_TEST_POSTGRES, until the benchmark ends.
func startRunner(ctx context.Context, b testing.TB) *runner {
	b.Helper()
	cfg := Config{Short: true, Concurrency: 1, DB: os.Getenv("KEYWARD_TEST_POSTGRES")}
	cfg.defaults()
	dsn, drop, err := freshDatabase(cfg.DB)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(drop)
	r := &runner{cfg: cfg, dsn: dsn, rep: &Report{}, http: &http.Client{Timeout: time.Minute}}
	if err := r.start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(r.stop)
	return r
}

// BenchmarkIngestion uploads one lock's log in syncs of IngestBatch, as `keyward bench` does,
// for profiling one upload.
func BenchmarkIngestion(b *testing.B) {
	ctx := context.Background()
	r := startRunner(ctx, b)
	_, _, lock, err := SeedLock(ctx, r.m.Service, "ingest@bench.example")
	if err != nil {
		b.Fatal(err)
	}
	relay := client.New(r.m.Config.Issuer, r.http)
	perRequest(b, func(i int) error {
		_, err := lock.SyncOnce(ctx, relay, Entries(uint64(i-1)*IngestBatch+1, IngestBatch), nil)
		return err
	})
}

// BenchmarkGrantCreation creates grants for fresh inline contacts one after the other, as
// `keyward bench` does, for profiling one creation.
func BenchmarkGrantCreation(b *testing.B) {
	ctx := context.Background()
	r := startRunner(ctx, b)
	target := r.m.Config.Issuer + "/api/v1/Owners/" + r.owner + "/Grants"
	perRequest(b, func(i int) error {
		id := fmt.Sprintf("guest-%d@bench.example", i)
		_, err := r.createGrant(ctx, target, r.adminToken, keyward.GrantCreate{BoundLockID: r.locks[1], Contact: &keyward.GrantContact{Identifier: &id}})
		return err
	})
}

// BenchmarkExportPage reads the first page of the log export's request over a log of 4000
// entries, as `keyward bench` does, for profiling one page.
func BenchmarkExportPage(b *testing.B) {
	ctx := context.Background()
	r := startRunner(ctx, b)
	owner, lockID := r.owner, r.locks[len(r.locks)-1]
	if err := sqlstore.FillLog(r.m.Store, owner, lockID, 4000); err != nil {
		b.Fatal(err)
	}
	page := r.m.Config.Issuer + "/api/v1/Owners/" + owner + "/LogEntries?" + url.Values{
		"$top":    {strconv.Itoa(exportPage)},
		"$filter": {"logType eq 'Command' and command eq 'TriggerLock'"},
		"$select": {"id,entryNo,lockTimestamp,receivedAt,boundLockId,boundCardId,contactId"},
	}.Encode()
	perRequest(b, func(int) error {
		body, err := r.get(ctx, page, r.adminToken)
		if n := bytes.Count(body, []byte(`"entryNo"`)); err == nil && n != exportPage {
			err = fmt.Errorf("%d entries, want %d", n, exportPage)
		}
		return err
	})
}
