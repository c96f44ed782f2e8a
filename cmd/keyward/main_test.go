package main_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	kw "github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "keyward-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "keyward")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("build keyward: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// keyward runs the binary and decodes its --json output.
func keyward(t testing.TB, out any, args ...string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("keyward %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("keyward %s printed %q: %v", strings.Join(args, " "), b, err)
	}
}

// server is a running `keyward serve` process.
type server struct {
	cmd  *exec.Cmd
	base string
	logs chan string
}

// serve starts the binary on a free port and waits for its "keyward listening" log line.
func serve(t *testing.T, dsn string, extra ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", dsn}, extra...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, logs: make(chan string, 1000)}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(stderr)
	go func() {
		for lines.Scan() {
			s.logs <- lines.Text()
		}
		close(s.logs)
	}()
	deadline := time.After(30 * time.Second)
	for s.base == "" {
		select {
		case line, ok := <-s.logs:
			if !ok {
				t.Fatal("keyward serve exited before listening")
			}
			var entry struct{ Msg, Issuer string }
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "keyward listening" {
				s.base = entry.Issuer
			}
		case <-deadline:
			t.Fatal("keyward serve did not log that it listens within 30s")
		}
	}
	return s
}

// stop sends SIGTERM and expects a graceful exit. It reads the log to its end before waiting
// for the process, because Wait closes the pipe and would cut off lines not read yet.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(20 * time.Second)
	sawShutdown := false
	for open := true; open; {
		select {
		case line, ok := <-s.logs:
			open = ok
			sawShutdown = sawShutdown || strings.Contains(line, `"msg":"shutting down"`)
		case <-deadline:
			t.Fatal("keyward serve did not stop within 20s of SIGTERM")
		}
	}
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("keyward serve exited with %v after SIGTERM", err)
	}
	if !sawShutdown {
		t.Fatal("no \"shutting down\" log line")
	}
}

// TestBlackBox drives the built binary the way an operator and a Tapkey client would: admin
// commands, then `serve`, then the API with a token from the real OAuth client library.
func TestBlackBox(t *testing.T) {
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			dsn := sqltest.DSN(t, engine)
			var user, owner struct{ ID string }
			keyward(t, &user, "admin", "user", "create", "--db", dsn, "--email", "ada@example.com", "--password", "correct horse", "--verified", "--json")
			keyward(t, &owner, "admin", "owner", "create", "--db", dsn, "--name", "Ada's Office", "--owner-email", "ada@example.com", "--json")
			var creds struct{ ClientID, ClientSecret, ServiceUserEmail string }
			keyward(t, &creds, "admin", "client", "create", "--db", dsn, "--name", "sync", "--grant-type", "client_credentials",
				"--scopes", "read:owneraccounts write:core:entities", "--admin-of", owner.ID, "--json")
			if creds.ServiceUserEmail != creds.ClientID+"@clients.invalid" {
				t.Fatalf("service user %q", creds.ServiceUserEmail)
			}

			srv := serve(t, dsn)
			// Registering while the server runs on the same database.
			var lock struct{ PhysicalLockID, BindingCode, DeviceKeySeed string }
			keyward(t, &lock, "admin", "lock", "register", "--db", dsn, "--json")
			var card struct{ PhysicalCardID, UID string }
			keyward(t, &card, "admin", "card", "register", "--db", dsn, "--capacity", "3", "--json")

			cc := clientcredentials.Config{ClientID: creds.ClientID, ClientSecret: creds.ClientSecret,
				TokenURL: srv.base + "/connect/token", Scopes: []string{"read:owneraccounts", "write:core:entities"}}
			c := cc.Client(context.Background())
			api := client.New(srv.base, c)
			acct := api.Account(owner.ID)
			ctx := context.Background()

			owners, err := api.Owners(ctx, nil)
			if err != nil || len(owners) != 1 || owners[0].ID != owner.ID || owners[0].Name != "Ada's Office" {
				t.Fatalf("owners = %s, %v", apitest.JSON(owners), err)
			}
			bound, err := acct.BindLock(ctx, kw.BindLockRequest{PhysicalLockID: lock.PhysicalLockID, BindingCode: lock.BindingCode, Title: apitest.Ptr("Door")})
			if err != nil || bound.PhysicalLockID != lock.PhysicalLockID || bound.Title != "Door" || !bound.Active {
				t.Fatalf("bound lock = %s, %v", apitest.JSON(bound), err)
			}
			// The lock syncs over the device API with its own key, as the lock itself would.
			var synced struct {
				PhysicalLockID string
				RclSerialNo    int
				TimeZone       string
				KeySet         []string
			}
			keyward(t, &synced, "device", "sync", "--base", srv.base, "--physical-lock-id", lock.PhysicalLockID,
				"--device-key", lock.DeviceKeySeed, "--binding-code", lock.BindingCode, "--json")
			if synced.PhysicalLockID != lock.PhysicalLockID || synced.RclSerialNo != 0 || synced.TimeZone != "Europe/Vienna" ||
				len(synced.KeySet) != 1 || synced.KeySet[0] != "ksk-1" {
				t.Fatalf("device sync = %+v", synced)
			}
			contact, err := acct.CreateContact(ctx, kw.ContactCreate{Identifier: apitest.Ptr("guest@example.com")})
			if err != nil || apitest.Deref(contact.Identifier) != "guest@example.com" || contact.IPID != "tapkey" {
				t.Fatalf("contact = %s, %v", apitest.JSON(contact), err)
			}
			bc, err := acct.BindCard(ctx, kw.BindCardRequest{UID: &card.UID})
			if err != nil || bc.UID != card.UID || bc.NofGrantsCapacity != 3 {
				t.Fatalf("bound card = %s, %v", apitest.JSON(bc), err)
			}
			if err := acct.UpdateBoundCard(ctx, bc.ID, kw.BoundCardUpdate{Title: apitest.Ptr("Spare")}); err != nil {
				t.Fatal(err)
			}
			// A Tapkey client's spelling of the path: lower case, with a trailing slash.
			var locks []struct{ ID string }
			apitest.Must(t, c, 200, "GET", srv.base+"/api/v1/Owners/"+owner.ID+"/boundlocks/?$select=id", "", &locks)
			if len(locks) != 1 || locks[0].ID != bound.ID {
				t.Fatalf("locks = %+v", locks)
			}
			if err := acct.UnbindLock(ctx, bound.ID); err != nil {
				t.Fatal(err)
			}
			var health struct{ Status string }
			apitest.Must(t, nil, 200, "GET", srv.base+"/healthz", "", &health)
			if health.Status != "ok" {
				t.Fatalf("healthz = %+v", health)
			}
			srv.stop(t)
		})
	}
}
