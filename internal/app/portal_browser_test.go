package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/app/apptest"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/portal"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// The portal in a real browser: e2e/portal/run.mjs signs Polly in on the sign-in page in
// Debian's Chromium, plays one flow of e2e/portal/, runs axe-core on every page the flow checks
// and saves the page's screenshot. Set KEYWARD_E2E_SCREENSHOTS to a directory to keep them (CI
// does); each test writes into a subdirectory named after it.

// portalFlow is what run.mjs prints: the flow's own results, per checked page axe's serious and
// critical violations, and the URLs of the forms the browser sent.
type portalFlow struct {
	Result map[string]any `json:"result"`
	Posts  []string       `json:"posts"`
	Pages  []struct {
		Name       string `json:"name"`
		URL        string `json:"url"`
		Violations []struct {
			ID, Impact, Help string
			Targets          []string
		} `json:"violations"`
	} `json:"pages"`
}

// runPortalFlow plays the flow with input as Polly and fails the test on any serious or
// critical accessibility violation of a checked page; it returns the flow's results.
func runPortalFlow(t *testing.T, e *portalEnv, flow string, input map[string]any) map[string]any {
	t.Helper()
	node, dir := browserTools(t)
	shots := t.TempDir()
	if keep := os.Getenv("KEYWARD_E2E_SCREENSHOTS"); keep != "" {
		shots = filepath.Join(keep, filepath.FromSlash(t.Name()))
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	in := map[string]any{"flow": flow, "base": e.base, "email": pollyEmail, "password": patPassword,
		"screenshotDir": shots, "userDataDir": t.TempDir()}
	for k, v := range input {
		in[k] = v
	}
	arg, err := json.Marshal(in)
	e.must(err)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "portal", "run.mjs"), string(arg))
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node portal/run.mjs %s: %v\nstdout: %s\nstderr: %s", flow, err, stdout.String(), stderr.String())
	}
	var res portalFlow
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("node portal/run.mjs printed %q: %v\nstderr: %s", stdout.String(), err, stderr.String())
	}
	if len(res.Pages) == 0 {
		t.Error("the flow checked no page")
	}
	for _, p := range res.Pages {
		for _, v := range p.Violations {
			t.Errorf("page %s (%s): %s accessibility violation %s: %s, at %v", p.Name, p.URL, v.Impact, v.ID, v.Help, v.Targets)
		}
	}
	sent := submittedRoutes(t, e.m.Portal.Routes(), res.Posts)
	if header := flowSubmits(t, dir, flow); !slices.Equal(sent, header) {
		t.Errorf("e2e/portal/%s.mjs sent the forms of %q, but its header names %q", flow, sent, header)
	}
	return res.Result
}

// submitsLine is a line of a flow's header naming the routes whose forms it sends.
var submitsLine = regexp.MustCompile(`(?m)^// submits: (.+)$`)

// flowSubmits is the sorted set of route patterns the header of e2e/portal/<flow>.mjs names on
// its "// submits: POST /portal/…, POST …" lines. runPortalFlow holds each flow to its header,
// and TestPortalBrowser_EveryFormSubmitted holds the headers to the route table: together they
// say that the browser has sent every form of the portal.
func flowSubmits(t *testing.T, dir, flow string) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(dir, "portal", flow+".mjs"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, m := range submitsLine.FindAllStringSubmatch(string(src), -1) {
		for _, p := range strings.Split(m[1], ",") {
			patterns = append(patterns, strings.TrimSpace(p))
		}
	}
	slices.Sort(patterns)
	return slices.Compact(patterns)
}

// submittedRoutes is the sorted set of the portal's route patterns that serve the URLs, as the
// server's mux matches them; a URL no route serves fails the test.
func submittedRoutes(t *testing.T, routes []portal.Route, urls []string) []string {
	t.Helper()
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.Handle(rt.Pattern(), http.NotFoundHandler())
	}
	var patterns []string
	for _, u := range urls {
		r, err := http.NewRequest(http.MethodPost, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, pattern := mux.Handler(r); pattern != "" && strings.HasPrefix(pattern, http.MethodPost+" ") {
			patterns = append(patterns, pattern)
		} else {
			t.Errorf("the flow sent a form to %s, which no POST route of the portal serves", u)
		}
	}
	slices.Sort(patterns)
	return slices.Compact(patterns)
}

// TestPortalBrowser_EveryFormSubmitted: every POST route of the portal's table is named in the
// header of some flow of e2e/portal/, and every route a header names is a POST route of the
// table. As runPortalFlow fails a flow that sends other forms than its header names, a form
// added to the portal fails this test until a flow sends it in the browser.
func TestPortalBrowser_EveryFormSubmitted(t *testing.T) {
	m := apptest.Start(t, config.Config{Addr: "127.0.0.1:0", DB: sqltest.DSN(t, sqlstore.SQLite)}, io.Discard, io.Discard)
	var want []string
	for _, rt := range m.Portal.Routes() {
		if rt.Method == http.MethodPost {
			want = append(want, rt.Pattern())
		}
	}
	slices.Sort(want)
	dir := filepath.Join("..", "..", "e2e")
	files, err := filepath.Glob(filepath.Join(dir, "portal", "*.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	named := map[string][]string{}
	for _, f := range files {
		flow := strings.TrimSuffix(filepath.Base(f), ".mjs")
		for _, p := range flowSubmits(t, dir, flow) {
			named[p] = append(named[p], flow)
		}
	}
	for _, p := range want {
		if len(named[p]) == 0 {
			t.Errorf("no flow of e2e/portal/ sends the form of %s", p)
		}
	}
	for p, flows := range named {
		if !slices.Contains(want, p) {
			t.Errorf("%v name %q, which is no POST route of the portal", flows, p)
		}
	}
	if len(want) < 25 {
		t.Errorf("only %d POST routes in the table", len(want))
	}
}

// TestPortalBrowser_Accounts plays e2e/portal/accounts.mjs: the home page, an account created
// and renamed (by the keyboard), an administrator refused, invited and removed after the
// confirmation page, and the language switch.
func TestPortalBrowser_Accounts(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		_, err := e.m.Service.CreateUser(asOperator(context.Background()), keyward.UserCreate{Email: unaEmail, PasswordHash: patHash()})
		e.must(err)
		got := runPortalFlow(t, e, "accounts", map[string]any{"ownerId": e.ids["o1"], "inviteEmail": "guest@example.com", "unverifiedEmail": unaEmail})
		want := map[string]any{
			"homeTitle":     "Your owner accounts",
			"createdNotice": "The owner account was created.",
			"createdTitle":  "Browser Flat",
			"renamedTitle":  "Browser Flat 2",
			"inviteError":   "This email address has not been verified yet. Please confirm it using the link in the verification email.",
			"invitedNotice": "The administrator was added.",
			"question":      "Remove guest@example.com, Administrator of this account?",
			"removedNotice": "The administrator was removed.",
			"rowsAfter":     float64(0),
			"germanTitle":   "Administratoren",
			"lang":          "de",
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("flow results (-want +got):\n%s", diff)
		}
	})
}

// TestPortalBrowser_Inventory plays e2e/portal/inventory.mjs: a lock bound after a wrong code, a
// group with that lock, a contact found by the search, and a card's revocation page.
func TestPortalBrowser_Inventory(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		_, err := e.m.Service.CreateGrant(asUser(context.Background(), e.polly), e.ids["o1"], e.cardGrant("lock1", "card"))
		e.must(err)
		got := runPortalFlow(t, e, "inventory", map[string]any{"ownerId": e.ids["o1"], "lockId": e.freeLockID, "code": e.freeCode, "cardId": e.ids["card"]})
		want := map[string]any{
			"wrongCode":       "No lock with this id and binding code is registered. Check both on the lock's label.",
			"boundNotice":     "The lock was bound.",
			"lockTitle":       "Browser Door",
			"groupNotice":     "The lock group was created.",
			"memberNotice":    "The lock was added to the group.",
			"removeQuestion":  "Remove the lock Browser Door from the group Browser Group?",
			"found":           float64(1),
			"contactIdentity": "guest@example.com",
			"revokeQuestion":  "Revoke all grants of the card Blue card?",
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("flow results (-want +got):\n%s", diff)
		}
	})
}

// TestPortalBrowser_Admin plays e2e/portal/admin.mjs: the access log filtered (a refused time
// next to its field), read and downloaded as CSV, a client registered with its secret shown once,
// rotated and deleted after the confirmation pages, another client edited, an identity provider
// refused next to its field, registered and deleted, and a provider's users.
func TestPortalBrowser_Admin(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		ctx := context.Background()
		ls := e.seedPortalLog(t)
		denied := ls.newestFirst(func(le *keyward.LogEntry) bool { return le.Result != nil && *le.Result == keyward.LogResultDenied })
		got := runPortalFlow(t, e, "admin", map[string]any{"ownerId": e.ids["o1"], "idp": e.ids["idp"], "clientId": e.ids["client"],
			"publicKey": unescapeJSON(t, publicKeyPEM(t, 2048))})
		want := map[string]any{
			"logRows":    float64(50),
			"fromError":  `This request cannot be processed. Please check your entries and try again. (field "from" must be a date (2026-03-01) or a date and time (2026-03-01 14:30))`,
			"deniedRows": float64(50),
			"verdicts":   []any{"Denied"},
			"csvName":    "access-log-" + e.ids["o1"] + ".csv",
			"csvHeader":  "time_utc,local_time,time_zone,lock_id,lock,contact_id,contact,card_id,card,log_type,command,result,reason,grant_id,entry_no,entry_id,received_at_utc",
			"csvFirst": "2026-03-01T10:03:00Z,2026-03-01T11:03:00+01:00,Europe/Vienna," + e.ids["lock1"] +
				",Front Door,,,,,Command,TriggerLock,Denied,Expired,,3,e-0003,2026-03-01T11:03:00Z",
			"csvRows":          float64(len(denied)),
			"createdNotice":    "The client was registered. Copy its secret now.",
			"secretLength":     float64(43),
			"rotateQuestion":   "Replace the secret of Browser Service?",
			"rotatedNotice":    "The secret was replaced. Copy the new secret now; the old one no longer works.",
			"deleteQuestion":   "Delete the client Browser Service?",
			"deletedNotice":    "The client was deleted.",
			"deletedRows":      float64(0),
			"savedNotice":      "The client was saved.",
			"ipIdError":        `This request cannot be processed. Please check your entries and try again. (field "ipId" must be 1 to 100 letters, digits, dots, dashes or underscores, got "bad id")`,
			"idpNotice":        "The identity provider was registered.",
			"idpQuestion":      "Delete the identity provider beta.idp?",
			"idpDeletedNotice": "The identity provider was deleted.",
			"idpRows":          float64(0),
			"idpTitle":         "acme.idp",
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("flow results (-want +got):\n%s", diff)
		}
		if len(denied) != 367 {
			t.Errorf("the seed has %d denied entries, want 367 (366 of lock1's, one of the Back Door's)", len(denied))
		}
		clients, err := e.m.Service.FindClients(asUser(ctx, e.polly))
		e.must(err)
		if len(clients) != 1 || clients[0].ID != e.ids["client"] {
			t.Fatalf("Polly's clients after the flow = %+v, want Polly's App alone", clients)
		}
		if c := clients[0]; !slices.Equal(c.RedirectURIs, []string{"https://app.example/cb", "https://app.example/cb2"}) ||
			!slices.Equal(c.Scopes, []string{keyward.ScopeReadOwnerAccounts, keyward.ScopeReadLogs}) {
			t.Errorf("Polly's App after the edit: redirect URIs %q, scopes %q", c.RedirectURIs, c.Scopes)
		}
		if _, err := e.m.Service.FindIdentityProvider(asUser(ctx, e.polly), e.ids["o1"], "beta.idp"); !errors.Is(err, keyward.ErrNotFound) {
			t.Errorf("the deleted provider: %v, want not found", err)
		}
	})
}

// TestPortalBrowser_EveryPage opens every page of the portal in the browser, one per GET route
// of the portal's table with the fixture's entities plus an error page, and runs axe on each: a
// page added to the table is checked without anyone writing a flow for it. Routes that answer
// something other than a page (the CSV export) are left to their own tests.
func TestPortalBrowser_EveryPage(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		b := e.signedIn(t)
		var pages []map[string]string
		want := map[string]any{}
		for pattern, path := range e.portalPaths(t) {
			if !strings.HasPrefix(pattern, http.MethodGet+" ") {
				continue
			}
			p := b.do(http.MethodGet, path, nil)
			if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
				continue
			}
			name := pageName(pattern)
			pages = append(pages, map[string]string{"name": name, "path": path})
			want[name] = map[string]any{"status": float64(p.Status), "title": strings.TrimSpace(p.Find(`<h1>([^<]*)</h1>`))}
			if p.Status != http.StatusOK {
				t.Errorf("%s (%s): status %d, want 200 for the fixture's entities", pattern, path, p.Status)
			}
		}
		pages = append(pages, map[string]string{"name": "error-not-found", "path": "/portal/owners/" + e.ids["o1"] + "/no-such-page"})
		want["error-not-found"] = map[string]any{"status": float64(http.StatusNotFound), "title": "This request cannot be completed"}
		if len(pages) < 20 {
			t.Fatalf("only %d pages to check", len(pages))
		}
		got := runPortalFlow(t, e, "pages", map[string]any{"pages": pages})
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("pages in the browser (-want +got):\n%s", diff)
		}
	})
}

// pageName is a file name for a route pattern: "GET /portal/owners/{owner}/locks/{lock}" is
// "owners-owner-locks-lock".
func pageName(pattern string) string {
	path := strings.TrimPrefix(strings.Fields(pattern)[1], "/portal/")
	name := strings.Trim(strings.NewReplacer("{$}", "", "{", "", "}", "", "/", "-", ".", "-").Replace(path), "-")
	if name == "" {
		return "home"
	}
	return name
}
