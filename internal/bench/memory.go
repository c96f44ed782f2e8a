package bench

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// memory starts `keyward serve` as a child process on the run's database and reads its resident
// set (VmRSS) idle, a second after it answered /healthz (a fifth in short mode), and at its peak while it answers
// authenticated reads of one bound lock on the run's clients for the run's duration. The
// in-process Keyward shares this process with the references and the load generator, so its
// memory is not measured.
func (r *runner) memory(ctx context.Context) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := r.cfg.Serve("--addr", addr, "--db", r.dsn)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start keyward serve: %w", err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}()
	base := "http://" + addr
	if err := r.healthy(ctx, base, 60*time.Second); err != nil {
		return err
	}
	settle := time.Second
	if r.cfg.Short {
		settle = 200 * time.Millisecond
	}
	time.Sleep(settle)
	idle, err := rss(cmd.Process.Pid)
	if err != nil {
		return err
	}
	r.add(withTarget(Row{Measure: "RSS idle (keyward serve)", Unit: "MB", Keyward: idle}, "< 40 MB", atMost(idle, 40)))
	tok, err := r.clientToken(ctx, base, r.admin)
	if err != nil {
		return err
	}
	peak := idle
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				if v, err := rss(cmd.Process.Pid); err == nil && v > peak {
					peak = v
				}
			}
		}
	}()
	target := base + "/api/v1/Owners/" + r.owner + "/BoundLocks/" + r.locks[0]
	r.load(ctx, "read one BoundLock on keyward serve", r.cfg.Concurrency, func(ctx context.Context, _ int, _ int64) error {
		_, err := r.get(ctx, target, tok)
		return err
	})
	close(stop)
	<-sampled
	r.add(Row{Measure: fmt.Sprintf("RSS peak under load (keyward serve, reads, %s)", clients(r.cfg.Concurrency)), Unit: "MB", Keyward: peak})
	return nil
}

// rss is a process's resident set in MB, from /proc/PID/status.
func rss(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("bench: RSS needs /proc: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("bench: no VmRSS in /proc/%d/status", pid)
}
