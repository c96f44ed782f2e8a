package main_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// demo is a running `keyward demo` process and the guide it printed.
type demo struct {
	cmd   *exec.Cmd
	guide string
	errs  *apitest.Output
}

// startDemo runs the binary's demo on a free port with --db and waits for its guide.
func startDemo(t *testing.T, dsn string) *demo {
	t.Helper()
	d := &demo{cmd: exec.Command(binary, "demo", "--addr", "127.0.0.1:0", "--db", dsn), errs: &apitest.Output{}}
	d.cmd.Stderr = d.errs
	stdout, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.cmd.Process.Kill(); d.cmd.Wait() })
	guide := make(chan string, 1)
	go func() {
		var b strings.Builder
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			b.WriteString(lines.Text() + "\n")
			if lines.Text() == "Press Ctrl-C to stop." {
				break
			}
		}
		guide <- b.String()
		io.Copy(io.Discard, stdout)
	}()
	select {
	case d.guide = <-guide:
	case <-time.After(30 * time.Second):
		t.Fatalf("keyward demo printed no guide within 30s:\n%s", d.errs.String())
	}
	if !strings.HasSuffix(d.guide, "\nPress Ctrl-C to stop.\n") {
		t.Fatalf("keyward demo stopped before its guide ended:\n%s\nstderr: %s", d.guide, d.errs.String())
	}
	return d
}

// exports are the guide's `export` lines, as a person pastes them.
func (d *demo) exports() string {
	return strings.Join(regexp.MustCompile(`(?m)^  export .*$`).FindAllString(d.guide, -1), "\n")
}

// section returns the guide's indented lines between the line ending in after and the next
// blank line that follows them.
func (d *demo) section(t *testing.T, after string) string {
	t.Helper()
	_, rest, ok := strings.Cut(d.guide, after+"\n\n")
	block, _, _ := strings.Cut(rest, "\n\n")
	if !ok || block == "" {
		t.Fatalf("the guide has no commands after %q:\n%s", after, d.guide)
	}
	return block
}

// stop sends SIGTERM and expects a clean exit.
func (d *demo) stop(t *testing.T) {
	t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	if err := d.cmd.Wait(); err != nil {
		t.Fatalf("keyward demo exited with %v after SIGTERM:\n%s", err, d.errs.String())
	}
}

// shell is a bash that runs scripts one after the other, keeping its variables between them, as
// a terminal does when a person pastes one block after another.
type shell struct {
	stdin io.WriteCloser
	out   chan string
	errs  *apitest.Output
}

// newShell starts bash with the built keyward first on the PATH. The scripts need curl (and
// grep, head, cut and sed), not jq.
func newShell(t *testing.T) *shell {
	t.Helper()
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the walk-through tests need %s: %v", tool, err)
		}
	}
	cmd := exec.Command("bash", "--noprofile", "--norc")
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"))
	s := &shell{out: make(chan string, 100), errs: &apitest.Output{}}
	cmd.Stderr = s.errs
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.stdin = stdin
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	go func() {
		r := bufio.NewReader(stdout)
		for {
			chunk, err := r.ReadString('\n') // keeps "\r\n", which the .ics answer has
			if chunk != "" {
				s.out <- chunk
			}
			if err != nil {
				close(s.out)
				return
			}
		}
	}()
	return s
}

// doneMark ends the output of each script.
const doneMark = "\n@@done\n"

// run runs a script and returns what it printed, without the final line break.
func (s *shell) run(t *testing.T, script string) string {
	t.Helper()
	if _, err := io.WriteString(s.stdin, script+"\nprintf '"+strings.ReplaceAll(doneMark, "\n", `\n`)+"'\n"); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	deadline := time.After(60 * time.Second)
	for !strings.HasSuffix(b.String(), doneMark) {
		select {
		case chunk, ok := <-s.out:
			if !ok {
				t.Fatalf("bash exited running\n%s\nstderr: %s", script, s.errs.String())
			}
			b.WriteString(chunk)
		case <-deadline:
			t.Fatalf("bash did not finish within 60s:\n%s\nprinted: %s\nstderr: %s", script, b.String(), s.errs.String())
		}
	}
	return strings.TrimSuffix(strings.TrimSuffix(b.String(), doneMark), "\n")
}

// TestDemo_PrintedCommands runs the commands the demo's guide prints, as printed: the token
// request, the list of locks, the requests that show what the fleet did, and registering,
// binding and syncing another lock with the --db the guide filled in, which must be the demo's
// own database.
func TestDemo_PrintedCommands(t *testing.T) {
	d := startDemo(t, "sqlite:"+filepath.Join(t.TempDir(), "demo.db"))
	sh := newShell(t)
	token := d.section(t, "Fetch a token with all of the client's scopes and list the account's locks:")
	if out := sh.run(t, token); !strings.HasPrefix(out, `[{"id":"`) || !strings.Contains(out, `"title":"front-door"`) || !strings.Contains(out, `"title":"garage"`) {
		t.Fatalf("the printed token request and lock list answered %q (stderr %s)", out, sh.errs.String())
	}
	look := strings.Split(sh.run(t, d.section(t, "has not caught up with, and the grants' states:")), "\n")
	denied := `{"id":"<id1>","entryNo":1,"lockTimestamp":"<time>","receivedAt":"<time>","boundLockId":"<id2>","boundCardId":null,"contactId":"<id3>",` +
		`"logType":"Command","command":"TriggerLock","result":"Denied","reason":"OutsideTimeRestriction","grantId":"<id4>"},` +
		`{"id":"<id5>","entryNo":3,"lockTimestamp":"<time>","receivedAt":"<time>","boundLockId":"<id2>","boundCardId":null,"contactId":"<id3>",` +
		`"logType":"Command","command":"TriggerLock","result":"Denied","reason":"OutsideTimeRestriction","grantId":"<id4>"}`
	if len(look) != 4 || maskDynamic(look[0], nil) != "["+denied+"]" || !strings.Contains(look[1], `"title":"front-door"`) ||
		!strings.Contains(look[1], `"type":"Temperature","value":21.2,"valueStatus":"Ok"`) ||
		!strings.Contains(look[2], `"upToDate":false,"pendingRevocations":[{"grantId":"`) || strings.Count(look[3], `"state":"Ok"`) != 2 ||
		!strings.Contains(look[3], `"state":"RevocationPending"`) {
		t.Fatalf("the printed requests about the fleet answered\n%s\n(stderr %s)", strings.Join(look, "\n"), sh.errs.String())
	}
	commands := strings.SplitN(d.section(t, `go build -o keyward ./cmd/keyward && export PATH="$PWD:$PATH"):`), "\n", 2)
	registered := sh.run(t, commands[0])
	m := regexp.MustCompile(`^physical lock id: (\S+)\nbinding code: +(\S+)   \(permanent.*\ndevice key seed: +(\S+)   \(`).FindStringSubmatch(registered)
	if m == nil {
		t.Fatalf("%s printed %q", commands[0], registered)
	}
	bindAndSync := strings.NewReplacer("PHYSICAL_LOCK_ID", m[1], "BINDING_CODE", m[2], "DEVICE_KEY_SEED", m[3]).Replace(commands[1])
	out := sh.run(t, bindAndSync)
	bound := regexp.MustCompile(`^\{"id":"([^"]+)","ownerAccountId":"[^"]+","physicalLockId":"` + regexp.QuoteMeta(m[1]) + `","title":"Back Door",.*\}\n`).FindStringSubmatch(out)
	if bound == nil || !strings.HasSuffix(out, "\nlock "+m[1]+" synced: revocation list serial 0 with 0 revoked grants, time zone Europe/Vienna, key set [ksk-1]") {
		t.Fatalf("bind and sync printed %q (stderr %s)", out, sh.errs.String())
	}
	d.stop(t)
}

// TestReadme_Walkthrough runs the README's walk-through (its ```sh walkthrough blocks) with bash
// against a real demo, block by block after the demo's export lines, and checks each answer
// exactly, on both engines.
func TestReadme_Walkthrough(t *testing.T) {
	blocks := readmeWalkthrough(t)
	for _, engine := range sqltest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			d := startDemo(t, sqltest.DSN(t, engine))
			sh := newShell(t)
			sh.run(t, d.exports())
			outputs := make([]string, len(blocks))
			for i, b := range blocks {
				outputs[i] = sh.run(t, b)
			}
			vars := map[string]string{}
			for _, name := range []string{"OWNER", "SCOPES", "LOCK", "PHYSICAL_LOCK_ID", "CONTACT", "GRANT", "FRONT_DOOR", "TOKEN"} {
				vars[name] = sh.run(t, `printf '%s' "$`+name+`"`)
			}
			if strings.Count(vars["TOKEN"], ".") != 2 {
				t.Errorf("TOKEN %q is not a JWT", vars["TOKEN"])
			}
			want := walkthroughAnswers(vars)
			if len(want) != len(blocks) {
				t.Fatalf("README.md has %d walk-through blocks, the test knows %d", len(blocks), len(want))
			}
			for i, w := range want {
				if got := maskDynamic(outputs[i], vars); got != w.output || !strings.HasPrefix(blocks[i], w.starts) {
					t.Errorf("block %d, which should start with %q:\n%s\nprinted\n%q\nwant\n%q", i, w.starts, blocks[i], got, w.output)
				}
			}
			if errs := sh.errs.String(); errs != "" {
				t.Errorf("the walk-through wrote to stderr: %s", errs)
			}
			d.stop(t)
		})
	}
}

// readmeWalkthrough returns the bodies of README.md's ```sh walkthrough blocks, in order.
func readmeWalkthrough(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)\n```sh walkthrough\n(.*?)\n```\n").FindAllStringSubmatch(string(readme), -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}

// maskDynamic replaces the values that depend on the clock or are random: the server's times,
// the fleet's times (the demo's scenario runs from now), and the ids that are none of the known
// shell variables.
func maskDynamic(s string, known map[string]string) string {
	s = regexp.MustCompile(`"(bindDate|rclDate|lastSeenRclUpdateDate)":"[^"]+"`).ReplaceAllString(s, `"$1":"<now>"`)
	s = regexp.MustCompile(`"(lockTimestamp|receivedAt|timestamp|revokedAt|exposureEndsAt|oldestPendingSince|lastSyncDate)":"[^"]+"`).
		ReplaceAllString(s, `"$1":"<time>"`)
	s = regexp.MustCompile(`"oldestPendingAgeSeconds":\d+`).ReplaceAllString(s, `"oldestPendingAgeSeconds":<seconds>`)
	s = regexp.MustCompile(`"access_token":"[^"]+"`).ReplaceAllString(s, `"access_token":"<token>"`)
	return maskIDs(s, known)
}

// idPattern matches a Keyward id, or a physical lock id in its JSON field (group 1).
var idPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|"physicalLockId":"([^"]+)"`)

// maskIDs replaces each id in s that is not a known value by <idN>, numbered in the order of
// first appearance, so that an answer keeps showing which of the fleet's ids are the same.
func maskIDs(s string, known map[string]string) string {
	keep := map[string]bool{}
	for _, v := range known {
		keep[v] = true
	}
	masked := map[string]string{}
	return idPattern.ReplaceAllStringFunc(s, func(m string) string {
		id, field := m, ""
		if sub := idPattern.FindStringSubmatch(m); sub[1] != "" {
			id, field = sub[1], `"physicalLockId":`
		}
		if keep[id] {
			return m
		}
		if masked[id] == "" {
			masked[id] = fmt.Sprintf("<id%d>", len(masked)+1)
		}
		if field != "" {
			return field + `"` + masked[id] + `"`
		}
		return masked[id]
	})
}

// answer is what one walk-through block prints; starts is the beginning of the block, so that a
// reordered README fails here with a clear message.
type answer struct{ starts, output string }

// walkthroughAnswers are the exact outputs of the README's blocks, given the shell's variables.
func walkthroughAnswers(v map[string]string) []answer {
	r := strings.NewReplacer("{OWNER}", v["OWNER"], "{SCOPES}", v["SCOPES"], "{LOCK}", v["LOCK"], "{PHYS}", v["PHYSICAL_LOCK_ID"],
		"{CONTACT}", v["CONTACT"], "{GRANT}", v["GRANT"], "{FRONT_DOOR}", v["FRONT_DOOR"])
	lockType := `"lockTypeId":"TK.Td30","lockType":{"id":"TK.Td30","manufacturerId":1,"modelName":"Td30","supportedTechnologies":["nfc","ble"]}`
	lock := func(rcl string) string {
		return `{"id":"{LOCK}","ownerAccountId":"{OWNER}","physicalLockId":"{PHYS}","title":"Workshop","description":"",` + lockType +
			`,"bindDate":"<now>","unbindDate":null,"active":true,` + rcl + `,"targetType":"Lock","supportedFeatures":null,"membershipStatistics":null,"healthStatuses":null}`
	}
	contact := `{"id":"{CONTACT}","ownerId":"{OWNER}","identifier":"ana@example.com","email":"ana@example.com","ipId":"tapkey","ipUserId":null,"title":"Ana","comment":null}`
	ical := `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Walk-through//EN\r\nBEGIN:VEVENT\r\nUID:mondays@example.com\r\n` +
		`DTSTART;TZID=Europe/Vienna:20260105T080000\r\nDTEND;TZID=Europe/Vienna:20260105T120000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`
	grant := func(lockJSON, state string, active bool) string {
		return `{"id":"{GRANT}","ownerAccountId":"{OWNER}","boundLockId":"{LOCK}","contactId":"{CONTACT}","boundCardId":null,"contact":` + contact +
			`,"boundCard":null,"boundLock":` + lockJSON + `,"owner":{"id":"{OWNER}","name":"Demo Home","active":true},"validFrom":null,"validBefore":null,` +
			`"timeRestrictionIcal":"` + ical + `","state":"` + state + `","active":` + map[bool]string{true: "true", false: "false"}[active] + `}`
	}
	mon := func(day, utcStart, utcEnd, offset string) string {
		return `{"start":"2026-` + day + `T` + utcStart + `:00:00.000Z","end":"2026-` + day + `T` + utcEnd + `:00:00.000Z","localStart":"2026-` + day +
			`T08:00:00` + offset + `","localEnd":"2026-` + day + `T12:00:00` + offset + `","timeZone":"Europe/Vienna"}`
	}
	check := func(at, allowed, mayAllow, state, reason, detail, next string) string {
		return `{"boundLockId":"{LOCK}","contactId":"{CONTACT}","boundCardId":null,"at":"` + at + `","allowed":` + allowed + `,"lockMayStillAllow":` + mayAllow +
			`,"grants":[{"grantId":"{GRANT}","viaLockGroupId":null,"state":"` + state + `","reason":"` + reason + `","lockMayStillAllow":` + mayAllow +
			`,"detail":"` + detail + `","nextWindow":` + next + `}]}` + "\n200"
	}
	event := func(n, start, end string) string {
		return "BEGIN:VEVENT\r\nUID:{GRANT}-" + n + "@keyward\r\nDTSTAMP:20260323T000000Z\r\nDTSTART:" + start + "\r\nDTEND:" + end + "\r\nSUMMARY:Access window\r\nEND:VEVENT\r\n"
	}
	answers := []answer{
		{"# field NAME", ``},
		{"ANSWER=$(curl -sS -u", `{"access_token":"<token>","token_type":"Bearer","expires_in":3600,"scope":"{SCOPES}"}` + "\n\n200"},
		{"REGISTERED=$(keyward admin lock register", lock(`"rclSerialNo":0,"rclDate":null,"lastSeenRclSerialNo":null,"lastSeenRclUpdateDate":null`) + "\n200"},
		{"api PUT /Contacts", contact + "\n200"},
		{"api PUT /Grants", grant(lock(`"rclSerialNo":0,"rclDate":null,"lastSeenRclSerialNo":null,"lastSeenRclUpdateDate":null`), "Ok", true) + "\n200"},
		{"keyward device sync", "lock {PHYS} synced: revocation list serial 0 with 0 revoked grants, time zone Europe/Vienna, key set [ksk-1]"},
		{"api GET \"/BoundLocks/$LOCK/AccessCheck", check("2026-03-30T06:30:00.000Z", "true", "false", "Ok", "Allowed", "the grant allows access", "null")},
		{"api GET \"/BoundLocks/$LOCK/AccessCheck", check("2026-03-31T06:30:00.000Z", "false", "false", "Ok", "OutsideTimeRestriction",
			"the instant is outside the grant's time restriction", mon("04-06", "06", "10", "+02:00"))},
		{"api GET \"/Grants/$GRANT/Windows", `{"grantId":"{GRANT}","from":"2026-03-23T00:00:00.000Z","to":"2026-04-06T00:00:00.000Z","timeZone":"Europe/Vienna","windows":[` +
			mon("03-23", "07", "11", "+01:00") + `,` + mon("03-30", "06", "10", "+02:00") + `],"truncated":false}` + "\n200"},
		{"api GET \"/Grants/$GRANT/Windows", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Keyward//Access windows//EN\r\nCALSCALE:GREGORIAN\r\n" +
			event("0", "20260323T070000Z", "20260323T110000Z") + event("1", "20260330T060000Z", "20260330T100000Z") + "END:VCALENDAR\r\n\n200"},
		{"api POST \"/Grants/$GRANT/Revoke\"", grant(lock(`"rclSerialNo":0,"rclDate":null,"lastSeenRclSerialNo":0,"lastSeenRclUpdateDate":"<now>"`), "Revoked", false) + "\n200"},
		{"api GET \"/BoundLocks/$LOCK/AccessCheck", check("2026-03-30T06:30:00.000Z", "false", "false", "Revoked", "Revoked",
			"the grant was revoked", "null")},
		{"api GET /Grants '' -G --data-urlencode \"\\$filter=boundLockId eq '$LOCK'\"", `[{"id":"{GRANT}","state":"Revoked","active":false}]` + "\n200"},
	}
	answers = append(answers, fleetAnswers()...)
	for i := range answers {
		answers[i].output = r.Replace(answers[i].output)
	}
	return answers
}

// fleetAnswers are the outputs of the blocks about the demo's fleet (internal/cli/demo.sim).
// The ids the shell does not hold are numbered per answer in the order they appear: in the
// front door's log, <id1> is Ana's contact and <id2> her grant, <id3> Ben's and <id4> his.
func fleetAnswers() []answer {
	health := func(typ, value string) string {
		return `{"id":"{FRONT_DOOR}-` + typ + `","physicalLockId":"<id1>","timestamp":"<time>","type":"` + typ + `","value":` + value + `,"valueStatus":"Ok"}`
	}
	frontDoor := `{"id":"{FRONT_DOOR}","ownerAccountId":"{OWNER}","physicalLockId":"<id1>","title":"front-door","description":"",` +
		`"lockTypeId":"KW.Sim1","lockType":{"id":"KW.Sim1","manufacturerId":99,"modelName":"Keyward Simulator","supportedTechnologies":["nfc","ble"]},` +
		`"bindDate":"<now>","unbindDate":null,"active":true,"rclSerialNo":1,"rclDate":"<now>","lastSeenRclSerialNo":0,"lastSeenRclUpdateDate":"<now>",` +
		`"targetType":"Lock","supportedFeatures":null,"membershipStatistics":null,"healthStatuses":[` +
		health("BatteryVoltage", "2.98") + "," + health("BatteryWarningLevel", "0") + "," + health("Temperature", "21.2") + `]}`
	denied := func(n string) string {
		return `{"entryNo":` + n + `,"lockTimestamp":"<time>","boundLockId":"{FRONT_DOOR}","contactId":"<id1>","result":"Denied","reason":"OutsideTimeRestriction"}`
	}
	entry := func(n, contact, result, reason, grant string) string {
		return `{"entryNo":` + n + `,"contactId":"` + contact + `","result":"` + result + `","reason":"` + reason + `","grantId":"` + grant + `"}`
	}
	grant := func(id, lock, state, active string) string {
		return `{"id":"` + id + `","boundLockId":"` + lock + `","state":"` + state + `","active":` + active + `}`
	}
	return []answer{
		{"api GET /BoundLocks '' -G", "[" + frontDoor + "]\n200"},
		{"api GET /LogEntries", "[" + denied("1") + "," + denied("3") + "]\n200"},
		{"api GET \"/BoundLocks/$FRONT_DOOR/LogEntries\"", "[" + entry("1", "<id1>", "Denied", "OutsideTimeRestriction", "<id2>") + "," +
			entry("2", "<id1>", "Allowed", "Allowed", "<id2>") + "," + entry("3", "<id1>", "Denied", "OutsideTimeRestriction", "<id2>") + "," +
			entry("4", "<id3>", "Allowed", "Allowed", "<id4>") + "]\n200"},
		{"api GET \"/BoundLocks/$FRONT_DOOR/Propagation\"", `{"boundLockId":"{FRONT_DOOR}","physicalLockId":"<id1>","rclSerialNo":1,"lastSeenRclSerialNo":0,` +
			`"lastSeenRclUpdateDate":"<now>","lastSyncDate":"<time>","upToDate":false,"pendingRevocations":[{"grantId":"<id2>","contactId":"<id3>",` +
			`"boundCardId":null,"revokedAt":"<time>","exposureEndsAt":"<time>"}],"pendingCardWrites":[],"oldestPendingSince":"<time>",` +
			`"oldestPendingAgeSeconds":<seconds>}` + "\n200"},
		{"api GET /Grants '' -G --data-urlencode '$select=id,boundLockId,state,active'", "[" + grant("<id1>", "{FRONT_DOOR}", "Ok", "true") + "," +
			grant("<id2>", "{FRONT_DOOR}", "RevocationPending", "false") + "," + grant("<id3>", "<id4>", "Ok", "true") + "," +
			grant("{GRANT}", "{LOCK}", "Revoked", "false") + "]\n200"},
	}
}
