package main_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/keyward/keyward/internal/apitest"
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

// call sends a request with the client's token source and decodes a JSON answer into out.
func call(t *testing.T, c *http.Client, method, url, body string, wantStatus int, out any) {
	t.Helper()
	apitest.Must(t, c, wantStatus, method, url, body, out)
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
			var client struct{ ClientID, ClientSecret, ServiceUserEmail string }
			keyward(t, &client, "admin", "client", "create", "--db", dsn, "--name", "sync", "--grant-type", "client_credentials",
				"--scopes", "read:owneraccounts write:core:entities", "--admin-of", owner.ID, "--json")
			if client.ServiceUserEmail != client.ClientID+"@clients.invalid" {
				t.Fatalf("service user %q", client.ServiceUserEmail)
			}

			srv := serve(t, dsn)
			// Registering while the server runs on the same database.
			var lock struct{ PhysicalLockID, BindingCode string }
			keyward(t, &lock, "admin", "lock", "register", "--db", dsn, "--json")
			var card struct{ PhysicalCardID, UID string }
			keyward(t, &card, "admin", "card", "register", "--db", dsn, "--capacity", "3", "--json")

			cc := clientcredentials.Config{ClientID: client.ClientID, ClientSecret: client.ClientSecret,
				TokenURL: srv.base + "/connect/token", Scopes: []string{"read:owneraccounts", "write:core:entities"}}
			c := cc.Client(context.Background())
			api := srv.base + "/api/v1/Owners/" + owner.ID

			var owners []struct{ ID, Name string }
			call(t, c, "GET", srv.base+"/api/v1/Owners", "", 200, &owners)
			if len(owners) != 1 || owners[0].ID != owner.ID || owners[0].Name != "Ada's Office" {
				t.Fatalf("owners = %+v", owners)
			}
			var bound struct {
				ID, PhysicalLockID, Title string
				Active                    bool
			}
			call(t, c, "PUT", api+"/BoundLocks", `{"physicalLockId":"`+lock.PhysicalLockID+`","bindingCode":"`+lock.BindingCode+`","title":"Door"}`, 200, &bound)
			if bound.PhysicalLockID != lock.PhysicalLockID || bound.Title != "Door" || !bound.Active {
				t.Fatalf("bound lock = %+v", bound)
			}
			var synced struct {
				BoundLockID string
				RclSerialNo int
			}
			keyward(t, &synced, "admin", "lock", "sync", "--db", dsn, "--physical-lock-id", lock.PhysicalLockID, "--json")
			if synced.BoundLockID != bound.ID {
				t.Fatalf("lock sync = %+v", synced)
			}
			var contact struct{ ID, Identifier, IPID string }
			call(t, c, "PUT", api+"/Contacts", `{"identifier":"guest@example.com"}`, 200, &contact)
			if contact.Identifier != "guest@example.com" || contact.IPID != "tapkey" {
				t.Fatalf("contact = %+v", contact)
			}
			var bc struct {
				ID, UID           string
				NofGrantsCapacity int
			}
			call(t, c, "PUT", api+"/BoundCards", `{"uid":"`+card.UID+`"}`, 200, &bc)
			if bc.UID != card.UID || bc.NofGrantsCapacity != 3 {
				t.Fatalf("bound card = %+v", bc)
			}
			call(t, c, "PATCH", api+"/BoundCards/"+bc.ID, `{"title":"Spare"}`, 204, nil)
			var locks []struct{ ID string }
			call(t, c, "GET", api+"/boundlocks/?$select=id", "", 200, &locks)
			if len(locks) != 1 || locks[0].ID != bound.ID {
				t.Fatalf("locks = %+v", locks)
			}
			call(t, c, "DELETE", api+"/BoundLocks/"+bound.ID, "", 204, nil)
			var health struct{ Status string }
			call(t, http.DefaultClient, "GET", srv.base+"/healthz", "", 200, &health)
			if health.Status != "ok" {
				t.Fatalf("healthz = %+v", health)
			}
			srv.stop(t)
		})
	}
}
