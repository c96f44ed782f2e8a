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
	frontDoor := regexp.MustCompile(`/BoundLocks/(\S+)/Propagation\n`).FindStringSubmatch(d.out.String())
	if frontDoor == nil {
		t.Fatalf("no propagation request in\n%s", d.out.String())
	}
	scopes := "read:owneraccounts write:owneraccounts write:core:entities write:owneraccount:permissions write:grants read:logs write:ip:users"
	addr := strings.TrimPrefix(v["BASE"], "http://")
	want := strings.NewReplacer("{base}", v["BASE"], "{addr}", addr, "{db}", "sqlite:"+file, "{qdb}", shellQuote("sqlite:"+file), "{owner}", v["OWNER"], "{clientID}", v["CLIENT_ID"],
		"{secret}", v["CLIENT_SECRET"], "{scopes}", scopes, "{password}", password[1], "{frontDoor}", frontDoor[1]).Replace(`Keyward demo is running at {base}.

Database: {db}
  It is kept when the demo stops; serve it again with
    keyward serve --db {qdb} --addr {addr}

  owner account   {owner}  "Demo Home", with the simulated fleet below
  client id       {clientID}
  client secret   {secret}
  client scopes   {scopes}
  client role     Owner of "Demo Home", so every scope above works there
  portal user     owner@demo.keyward.invalid / {password}  (sign in at {base}/portal/)

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

` + wantFleet)
	if got := maskFleet(d.out.String()); got != want {
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

// wantFleet is the end of the guide: the fleet's timeline, masked by maskFleet, and where to
// look at what it did.
const wantFleet = `The fleet: simulated locks and phones play the next weekday in "Demo Home" over the public
wire, as real ones do (the scenario internal/cli/demo.sim, seed 1): the locks front-door and garage;
Ana's phone with a grant for the front door on weekday mornings, Ben's with grants for both
locks at any time. Ana is denied before and after her window, the locks sync their logs and
health through Ben's phone, then Ben's front-door grant is revoked while his phone keeps its key:
the front door has not synced since, so the grant stays RevocationPending. Each lock's events
are at its own clock:

<time>  front-door      bound  physical lock <id>  protocol 3  battery 3.00 V
<time>  garage          bound  physical lock <id>  protocol 3  battery 3.00 V
<time>  ana-phone       registered  user ana
<time>  ben-phone       registered  user ben
<time>  ana-mornings    granted  user ana on front-door  Mon,Tue,Wed,Thu,Fri 08:00-12:00 Europe/Vienna  id <id>
<time>  ben-front-door  granted  user ben on front-door  id <id>
<time>  ben-garage      granted  user ben on garage  id <id>
<time>  front-door      sync via installer  Ok  counter 1, 0 entries sent, ack 0, revocation list 0
<time>  garage          sync via installer  Ok  counter 1, 0 entries sent, ack 0, revocation list 0
<time>  front-door      phone ana-phone  Denied OutsideTimeRestriction  grant ana-mornings  entry 1
<time>  front-door      expect Denied OutsideTimeRestriction  ok
<time>  front-door      phone ana-phone  Allowed  grant ana-mornings  entry 2
<time>  front-door      expect Allowed  ok
<time>  front-door      phone ana-phone  Denied OutsideTimeRestriction  grant ana-mornings  entry 3
<time>  front-door      expect Denied OutsideTimeRestriction  ok
<time>  garage          phone ana-phone  NoKey  the phone holds no key for this lock
<time>  garage          expect NoKey  ok
<time>  garage          phone ben-phone  Allowed  grant ben-garage  entry 1
<time>  garage          expect Allowed  ok
<time>  front-door      phone ben-phone  Allowed  grant ben-front-door  entry 4
<time>  front-door      expect Allowed  ok
<time>  front-door      sync via ben-phone  Ok  counter 2, 4 entries sent, ack 4, revocation list 0
<time>  front-door      expect sync Ok  ok
<time>  garage          sync via ben-phone  Ok  counter 2, 1 entries sent, ack 1, revocation list 0
<time>  garage          expect sync Ok  ok
<time>  ben-front-door  revoked  RevocationPending
<time>  ben-front-door  expect RevocationPending  ok
<time>  ben-phone       keeps every key it ever got, also those the server no longer lists
<time>  front-door      phone ben-phone  Allowed  grant ben-front-door  entry 5
<time>  front-door      expect Allowed  ok
<time>  end             10 of 10 expectations met

Where to look, with $TOKEN from above (the walk-through in README.md shows every answer): the
denied openings in the account's log, the front door's health readings, what the front door
has not caught up with, and the grants' states:

  curl -s -w '\n' -G -H "Authorization: Bearer $TOKEN" --data-urlencode "\$filter=result eq 'Denied'" \
    {base}/api/v1/Owners/{owner}/LogEntries
  curl -s -w '\n' -H "Authorization: Bearer $TOKEN" '{base}/api/v1/Owners/{owner}/BoundLocks/{frontDoor}?$expand=healthStatuses'
  curl -s -w '\n' -H "Authorization: Bearer $TOKEN" {base}/api/v1/Owners/{owner}/BoundLocks/{frontDoor}/Propagation
  curl -s -w '\n' -H "Authorization: Bearer $TOKEN" '{base}/api/v1/Owners/{owner}/Grants?$select=id,state,active'

Another scenario, in an account of its own:

  keyward sim --db {qdb} --base {base} --scenario examples/front-door.sim

Press Ctrl-C to stop.
`

// maskFleet masks what differs between two runs of the demo's fleet: the times, as the world
// starts now, and the server's ids.
func maskFleet(s string) string {
	s = regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\d \d\d:\d\d Europe/Vienna \(\d\d:\d\dZ\)  `).ReplaceAllString(s, "<time>  ")
	s = regexp.MustCompile(`physical lock \S+`).ReplaceAllString(s, "physical lock <id>")
	return regexp.MustCompile(`  id [0-9a-f-]{36}\n`).ReplaceAllString(s, "  id <id>\n")
}

// TestDemo_FleetOnAWeekdayMorning: Ana's first attempt is at 07:45 in Vienna on a weekday, the
// day demoWeekday picks, so that every run decides alike.
func TestDemo_FleetOnAWeekdayMorning(t *testing.T) {
	d := startDemo(t, nil)
	m := regexp.MustCompile(`(?m)^(\d{4}-\d\d-\d\d \d\d:\d\d) Europe/Vienna \(\d\d:\d\dZ\)  front-door      phone ana-phone  Denied OutsideTimeRestriction  grant ana-mornings  entry 1$`).
		FindStringSubmatch(d.out.String())
	if m == nil {
		t.Fatalf("no first attempt of Ana in\n%s", d.out.String())
	}
	vienna, _ := time.LoadLocation("Europe/Vienna")
	at, err := time.ParseInLocation("2006-01-02 15:04", m[1], vienna)
	if err != nil || at.Format("15:04") != "07:45" || at.Weekday() == time.Saturday || at.Weekday() == time.Sunday || at.Sub(time.Now()) > 4*24*time.Hour {
		t.Errorf("Ana's first attempt at %s (%v), want 07:45 on one of the next weekdays", m[1], err)
	}
}

// TestDemoWeekday: the day of Ana's mornings is the first weekday whose 07:45 in Vienna is
// still ahead.
func TestDemoWeekday(t *testing.T) {
	vienna, _ := time.LoadLocation("Europe/Vienna")
	for _, tc := range []struct {
		start string
		want  time.Weekday
	}{
		{"2027-03-22 07:44", time.Monday},    // a Monday before 07:45
		{"2027-03-22 07:45", time.Tuesday},   // at 07:45: the next day
		{"2027-03-26 07:46", time.Monday},    // Friday after 07:45: past the weekend
		{"2027-03-27 12:00", time.Monday},    // Saturday
		{"2027-03-28 23:59", time.Monday},    // Sunday, the day summer time begins
		{"2027-03-31 06:50", time.Wednesday}, // UTC 04:50, Vienna 06:50
	} {
		start, _ := time.ParseInLocation("2006-01-02 15:04", tc.start, vienna)
		if got := demoWeekday(start.UTC(), vienna); got != tc.want {
			t.Errorf("demoWeekday(%s) = %s, want %s", tc.start, got, tc.want)
		}
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
