package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
)

// demoRun is a `keyward demo` running in-process on a free port.
type demoRun struct {
	out, errs *apitest.Output
	cancel    context.CancelFunc
	done      chan int
	vars      map[string]string // the values of the printed export lines
}

// startDemo runs the demo and waits until it has printed its guide.
func startDemo(t *testing.T, env map[string]string, args ...string) *demoRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &demoRun{out: &apitest.Output{}, errs: &apitest.Output{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		d.done <- Run(ctx, append([]string{"demo", "--addr", "127.0.0.1:0"}, args...),
			Env{Stdout: d.out, Stderr: d.errs, Getenv: func(k string) string { return env[k] }})
	}()
	t.Cleanup(func() { d.stop(t) })
	deadline := time.Now().Add(30 * time.Second)
	for !strings.HasSuffix(d.out.String(), "Press Ctrl-C to stop.\n") {
		select {
		case code := <-d.done:
			d.done <- code
			t.Fatalf("the demo exited with %d before printing its guide:\n%s", code, d.errs.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo printed no guide within 30s:\n%s", d.out.String())
		}
	}
	d.vars = map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^  export (\w+)=(.*)$`).FindAllStringSubmatch(d.out.String(), -1) {
		d.vars[m[1]] = strings.Trim(m[2], "'") // the test's values hold no quotes
	}
	return d
}

// stop ends the demo as Ctrl-C does and returns its exit status.
func (d *demoRun) stop(t *testing.T) int {
	t.Helper()
	d.cancel()
	select {
	case code := <-d.done:
		d.done <- code
		return code
	case <-time.After(30 * time.Second):
		t.Fatal("the demo did not stop within 30s")
		return -1
	}
}

// TestDemo_KeepsTheGivenDatabase: with --db the demo prints that database in every command, the
// admin commands reach the demo's data through it, and the file stays after the demo stops.
func TestDemo_KeepsTheGivenDatabase(t *testing.T) {
	file := filepath.Join(t.TempDir(), "demo.db")
	d := startDemo(t, nil, "--db", "sqlite:"+file)
	v := d.vars
	password := regexp.MustCompile(`portal user     \S+ / (\S+)`).FindStringSubmatch(d.out.String())
	if len(v) != 6 || v["DB"] != "sqlite:"+file || len(password) != 2 {
		t.Fatalf("export lines %v in\n%s", v, d.out.String())
	}
	scopes := "read:owneraccounts write:owneraccounts write:core:entities write:owneraccount:permissions write:grants read:logs write:ip:users"
	addr := strings.TrimPrefix(v["BASE"], "http://")
	want := strings.NewReplacer("{base}", v["BASE"], "{addr}", addr, "{db}", "sqlite:"+file, "{qdb}", shellQuote("sqlite:"+file), "{owner}", v["OWNER"], "{clientID}", v["CLIENT_ID"],
		"{secret}", v["CLIENT_SECRET"], "{scopes}", scopes, "{password}", password[1]).Replace(`Keyward demo is running at {base}.

Database: {db}
  It is kept when the demo stops; serve it again with
    keyward serve --db {qdb} --addr {addr}

  owner account   {owner}  "Demo Home", with the lock "Front Door" and a contact
  client id       {clientID}
  client secret   {secret}
  client scopes   {scopes}
  client role     Owner of "Demo Home", so every scope above works there
  portal user     owner@demo.keyward.invalid / {password}  (sign in at {base}/account/login)

Fetch a token with all of the client's scopes and list the account's locks:

  TOKEN=$(curl -s -u {clientID}:{secret} -d grant_type=client_credentials \
    --data-urlencode 'scope={scopes}' {base}/connect/token | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
  curl -s -w '\n' -H "Authorization: Bearer $TOKEN" {base}/api/v1/Owners/{owner}/BoundLocks

Register another lock, bind it with its binding code and sync it as the lock would. The commands
work on the demo's database and server while the demo runs; they need keyward on your PATH (in the repository:
go build -o keyward ./cmd/keyward && export PATH="$PWD:$PATH"):

  keyward admin lock register --db {qdb}
  curl -s -w '\n' -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"physicalLockId":"PHYSICAL_LOCK_ID","bindingCode":"BINDING_CODE","title":"Back Door"}' \
    {base}/api/v1/Owners/{owner}/BoundLocks
  keyward device sync --base {base} --physical-lock-id PHYSICAL_LOCK_ID --device-key DEVICE_KEY_SEED --binding-code BINDING_CODE

PHYSICAL_LOCK_ID, BINDING_CODE and DEVICE_KEY_SEED are what lock register prints. The walk-through in README.md goes
on from here (contacts, grants, access checks, revocation); it reads these shell variables:

  export BASE={base}
  export DB={qdb}
  export OWNER={owner}
  export CLIENT_ID={clientID}
  export CLIENT_SECRET={secret}
  export SCOPES='{scopes}'

Press Ctrl-C to stop.
`)
	if got := d.out.String(); got != want {
		t.Errorf("guide\n got %q\nwant %q", got, want)
	}
	// The printed --db reaches the demo's account: another process finds it there.
	code, out, errOut := run(t, nil, "admin", "owner", "set-plan", "--db", v["DB"], "--id", v["OWNER"], "--plan", "unlimited")
	if code != 0 || out != "owner account "+v["OWNER"]+" now has the plan unlimited\n" {
		t.Fatalf("set-plan on the printed database: %d %q %q", code, out, errOut)
	}
	if code := d.stop(t); code != 0 {
		t.Fatalf("exit %d: %s", code, d.errs.String())
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("the database given with --db is gone: %v", err)
	}
	code, _, errOut = run(t, nil, "demo", "--addr", "127.0.0.1:0", "--db", "sqlite:"+file)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	wantErr := "keyward demo: the database sqlite:" + file + " holds demo data already: serve it again with `keyward serve --db sqlite:" +
		file + "`, or give the demo a new --db"
	if code != 1 || lines[len(lines)-1] != wantErr {
		t.Errorf("a second demo on the same database: exit %d, last line %q, want %q", code, lines[len(lines)-1], wantErr)
	}
}

// TestDemo_TemporaryDatabase: without --db the demo says that its file is temporary and removes
// it on exit; KEYWARD_DB is not used, so the demo never seeds a server's database by accident.
func TestDemo_TemporaryDatabase(t *testing.T) {
	serverDB := filepath.Join(t.TempDir(), "server.db")
	d := startDemo(t, map[string]string{"KEYWARD_DB": "sqlite:" + serverDB})
	db := d.vars["DB"]
	file := strings.TrimPrefix(db, "sqlite:")
	if filepath.Base(file) != "keyward.db" || !strings.HasPrefix(filepath.Base(filepath.Dir(file)), "keyward-demo-") {
		t.Fatalf("DB=%q, want a temporary file", db)
	}
	if !strings.Contains(d.out.String(), "\nDatabase: "+db+"\n  A temporary file, deleted when the demo stops (give the demo --db sqlite:FILE to keep it).\n") {
		t.Errorf("the guide does not say that the database is temporary:\n%s", d.out.String())
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("while the demo runs: %v", err)
	}
	if code := d.stop(t); code != 0 {
		t.Fatalf("exit %d: %s", code, d.errs.String())
	}
	for _, f := range []string{file, filepath.Dir(file), serverDB} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s exists after the demo (%v)", f, err)
		}
	}
}

// TestDemo_ClientCanUseEveryScope: a token for the printed scopes reaches the next steps, and the
// client's role allows what its scopes name, managing permissions included.
func TestDemo_ClientCanUseEveryScope(t *testing.T) {
	d := startDemo(t, nil)
	v := d.vars
	res, err := http.PostForm(v["BASE"]+"/connect/token", url.Values{"grant_type": {"client_credentials"}, "scope": {v["SCOPES"]},
		"client_id": {v["CLIENT_ID"]}, "client_secret": {v["CLIENT_SECRET"]}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
	}
	err = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || tok.Scope != v["SCOPES"] {
		t.Fatalf("token: %d %+v %v", res.StatusCode, tok, err)
	}
	api := v["BASE"] + "/api/v1/Owners/" + v["OWNER"]
	call := func(method, path, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, api+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	status, body := call("PUT", "/Contacts", `{"identifier":"ana@example.com","title":"Ana"}`)
	var contact struct{ ID string }
	if json.Unmarshal([]byte(body), &contact); status != 200 || contact.ID == "" {
		t.Fatalf("PUT Contacts: %d %s", status, body)
	}
	status, body = call("PUT", "/Permissions", `{"contactId":"`+contact.ID+`","role":"Admin"}`)
	if status != 200 || !strings.Contains(body, `"contactId":"`+contact.ID+`","role":"Admin"`) {
		t.Fatalf("PUT Permissions: %d %s", status, body)
	}
}

// TestDemo_Help: the --db of the demo does not default to the server's keyward.db.
func TestDemo_Help(t *testing.T) {
	code, _, errOut := run(t, nil, "demo", "-h")
	want := "  -db string\n    \tkeep the demo in this database: sqlite:FILE or postgres://... (default: a temporary SQLite file, deleted on exit; KEYWARD_DB is ignored)\n"
	if code != 0 || !strings.Contains(errOut, want) {
		t.Fatalf("demo -h: exit %d\n%s", code, errOut)
	}
}
