// Command keyward is the Keyward access-management server, its operator CLI and its demo.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the IANA zones travel with the binary, so schedules evaluate alike on every host

	"github.com/keyward/keyward/internal/cli"
	"github.com/keyward/keyward/internal/gcfloor"
)

// heapFloor is how large the heap may grow before the collector runs, however little is live
// (gcfloor): a server's live heap is a few MB, and with Go's default goal of twice that it
// collected every 5 ms under load and spent a sixth of its CPU on it. With 32 MB a server at
// rest is as it was (its resident memory grows only as requests allocate), and under 8 clients'
// reads it holds some 25 MB more at its peak for twice the lists' throughput (docs/performance.md).
const heapFloor = 32 << 20

func main() {
	if gcfloor.Wanted() {
		gcfloor.Keep(heapFloor)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
