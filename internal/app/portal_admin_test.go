package app_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
)

// logSeed is the access log the log tests read: lock1 (Europe/Vienna) has entries e-0001 …
// e-1100, one a minute from 2026-03-01 10:01 UTC, the guest's on even minutes, the card's on
// every fifth, denied (Expired) on every third; then the lock "Back Door, "B"" (America/New_York)
// has three.
type logSeed struct {
	back    string                       // the second lock's id
	order   []string                     // every entry id in the order of receipt
	entries map[string]*keyward.LogEntry // by id
}

const bigLog = 1100

func (e *portalEnv) seedPortalLog(t *testing.T) *logSeed {
	t.Helper()
	ctx := context.Background()
	ls := &logSeed{entries: map[string]*keyward.LogEntry{}}
	phys, code := e.registerLock(ctx, keyward.PhysicalLockCreate{LockTypeID: "TK.Td30", ProtocolVersion: 3, TimeZone: "America/New_York"})
	l, err := e.m.Service.BindLock(asUser(ctx, e.olivia), e.ids["o1"], keyward.BindLockRequest{PhysicalLockID: phys.ID, BindingCode: code,
		Title: apitest.Ptr(`Back Door, "B"`)})
	e.must(err)
	ls.back = l.ID
	var batch []*keyward.LogEntry
	for i := 1; i <= bigLog; i++ {
		le := logEntry(fmt.Sprintf("e-%04d", i), int64(i), keyward.LogTypeCommand, keyward.CommandTriggerLock)
		le.LockTimestamp = keyward.NewTime(time.Date(2026, 3, 1, 10, i, 0, 0, time.UTC))
		le.ReceivedAt = keyward.NewTime(le.LockTimestamp.Add(time.Hour))
		le.Result, le.Reason = apitest.Ptr(keyward.LogResultAllowed), apitest.Ptr(keyward.ReasonAllowed)
		if i%3 == 0 {
			le.Result, le.Reason = apitest.Ptr(keyward.LogResultDenied), apitest.Ptr(keyward.ReasonExpired)
		}
		if i%2 == 0 {
			le.ContactID = apitest.Ptr(e.ids["guest"])
		}
		if i%5 == 0 {
			le.BoundCardID = apitest.Ptr(e.ids["card"])
		}
		batch = append(batch, le)
	}
	if n := e.seedLog(e.ids["o1"], e.ids["lock1"], batch...); n != bigLog {
		t.Fatalf("seeded %d entries, want %d", n, bigLog)
	}
	b1 := logEntry("b-1", 1, keyward.LogTypeCommand, keyward.CommandTriggerLock)
	b1.LockTimestamp, b1.ReceivedAt = keyward.NewTime(time.Date(2026, 3, 1, 15, 0, 0, 0, time.UTC)), keyward.NewTime(time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC))
	b1.ContactID, b1.Result, b1.Reason, b1.GrantID = apitest.Ptr(e.ids["guest"]), apitest.Ptr(keyward.LogResultAllowed), apitest.Ptr(keyward.ReasonAllowed), apitest.Ptr("grant-x")
	b2 := logEntry("b-2", 2, keyward.LogTypeCommand, keyward.CommandTriggerLock)
	b2.LockTimestamp, b2.ReceivedAt = keyward.NewTime(time.Date(2026, 3, 1, 15, 30, 0, 0, time.UTC)), keyward.NewTime(time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC))
	b2.BoundCardID, b2.Result, b2.Reason = apitest.Ptr(e.ids["card"]), apitest.Ptr(keyward.LogResultDenied), apitest.Ptr(keyward.ReasonExpired)
	b3 := logEntry("b-3", 3, "=Other", "")
	b3.LockTimestamp, b3.ReceivedAt = keyward.NewTime(time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC)), keyward.NewTime(time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC))
	b3.BoundCardID = apitest.Ptr("card-of-nobody")
	b1.BoundLockID, b2.BoundLockID, b3.BoundLockID = ls.back, ls.back, ls.back
	if n := e.seedLog(e.ids["o1"], ls.back, b1, b2, b3); n != 3 {
		t.Fatalf("seeded %d entries, want 3", n)
	}
	for _, le := range append(batch, b1, b2, b3) {
		le.BoundLockID = cmp.Or(le.BoundLockID, e.ids["lock1"])
		ls.order = append(ls.order, le.ID)
		ls.entries[le.ID] = le
	}
	return ls
}

// newestFirst is the ids of the entries that match, newest first.
func (ls *logSeed) newestFirst(match func(*keyward.LogEntry) bool) []string {
	var out []string
	for _, id := range slices.Backward(ls.order) {
		if match(ls.entries[id]) {
			out = append(out, id)
		}
	}
	return out
}

// logRows are the entry ids of a log page, top to bottom.
func logRows(p htmlPage) []string {
	var ids []string
	for _, m := range regexp.MustCompile(`<tr data-entry="([^"]+)"`).FindAllStringSubmatch(p.Body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// href is the unescaped target of the link with the id, "" for none.
func href(p htmlPage, id string) string {
	return p.Find(`href="([^"]*)" id="` + regexp.QuoteMeta(id) + `"`)
}

func wantLogRows(t *testing.T, what string, p htmlPage, want []string) {
	t.Helper()
	if p.Status != http.StatusOK {
		t.Fatalf("%s: status %d\n%s", what, p.Status, p.Body)
	}
	if got := logRows(p); !slices.Equal(got, want) {
		t.Errorf("%s: rows %v,\nwant %v", what, got, want)
	}
}

// TestPortal_Log pages the log by keyset both ways, filters it by lock, person, card, verdict
// and a range in the lock's zone, shows times in each lock's zone, and exports it as CSV: a
// small export byte for byte and the whole log, several of the export's batches, streamed.
func TestPortal_Log(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		ls := e.seedPortalLog(t)
		b := e.signedIn(t)
		base := "/portal/owners/" + e.ids["o1"] + "/logs"
		all := ls.newestFirst(func(*keyward.LogEntry) bool { return true })

		p := b.do(http.MethodGet, base, nil)
		wantLogRows(t, "first page", p, all[:50])
		wantPage(t, p, http.StatusOK, map[string]string{"zone-hint": "Times in the filter are read in UTC (the selected lock's zone, else UTC): a date, or a date and time such as 2026-03-01 14:30. Each entry is shown in its lock's zone."})
		if href(p, "page-newer") != "" || href(p, "page-newest") != "" {
			t.Error("the first page links to newer entries")
		}
		if got := p.Find(`<tr data-entry="b-3"><td><time datetime="([^"]+)">`); got != "2026-03-01T16:00:00Z" {
			t.Errorf("b-3 datetime %q", got)
		}
		if got := p.Find(`<tr data-entry="b-3"><td><time[^>]*>([^<]*)<`); got != "2026-03-01 11:00 EST (America/New_York)" {
			t.Errorf("b-3 shown at %q", got)
		}
		if got := p.Find(`<tr data-entry="e-1098"><td><time[^>]*>([^<]*)</time></td><td>([^<]*)</td>`); got != "2026-03-02 05:18 CET (Europe/Vienna)" {
			t.Errorf("e-1098 shown at %q", got)
		}
		if got := p.Find(`(?s)<tr data-entry="e-1098">.*?<td class="verdict">([^<]*)</td><td>`); got != "Denied" {
			t.Errorf("e-1098 verdict %q", got)
		}
		p2 := b.do(http.MethodGet, href(p, "page-older"), nil)
		wantLogRows(t, "second page", p2, all[50:100])
		if href(p2, "page-newer") == "" || href(p2, "page-newest") != base {
			t.Errorf("second page: newer %q, newest %q", href(p2, "page-newer"), href(p2, "page-newest"))
		}
		wantLogRows(t, "back to the first", b.do(http.MethodGet, href(p2, "page-newer"), nil), all[:50])
		last := b.do(http.MethodGet, href(p, "page-oldest"), nil)
		wantLogRows(t, "oldest page", last, all[len(all)-50:])
		if href(last, "page-older") != "" || href(last, "page-oldest") != "" {
			t.Error("the oldest page links to older entries")
		}
		wantLogRows(t, "newer than the oldest", b.do(http.MethodGet, href(last, "page-newer"), nil), all[len(all)-100:len(all)-50])

		// Lock, verdict and a range read in the lock's zone (CET): 11:10 to 12:00 inclusive is
		// 10:10 to 11:00 UTC, minutes 10 to 60.
		q := url.Values{"lock": {e.ids["lock1"]}, "result": {"Denied"}, "from": {"2026-03-01 11:10"}, "to": {"2026-03-01T12:00"}}
		p = b.do(http.MethodGet, base+"?"+q.Encode(), nil)
		wantLogRows(t, "denied in a range", p, ls.newestFirst(func(le *keyward.LogEntry) bool {
			m := int(le.EntryNo)
			return le.BoundLockID == e.ids["lock1"] && m >= 10 && m <= 60 && m%3 == 0
		}))
		wantPage(t, p, http.StatusOK, map[string]string{"zone-hint": "Times in the filter are read in Europe/Vienna (the selected lock's zone, else UTC): a date, or a date and time such as 2026-03-01 14:30. Each entry is shown in its lock's zone."})
		if href(p, "page-older") != "" || href(p, "page-newer") != "" {
			t.Error("a page of 17 entries has a pager")
		}
		// Person and card on every lock; a date as "to" takes the whole day in UTC.
		q = url.Values{"contact": {e.ids["guest"]}, "card": {e.ids["card"]}, "to": {"2026-03-01"}}
		want := ls.newestFirst(func(le *keyward.LogEntry) bool {
			return le.EntryNo%10 == 0 && le.BoundLockID == e.ids["lock1"] && le.LockTimestamp.Before(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
		})
		if len(want) != 83 {
			t.Fatalf("%d entries of the guest's card on 1 March, want 83", len(want))
		}
		p = b.do(http.MethodGet, base+"?"+q.Encode(), nil)
		wantLogRows(t, "guest's card page 1", p, want[:50])
		wantLogRows(t, "guest's card page 2", b.do(http.MethodGet, href(p, "page-older"), nil), want[50:])

		p = b.do(http.MethodGet, base+"?from=yesterday&result=Allowed", nil)
		wantPage(t, p, http.StatusBadRequest, map[string]string{"from-error": `This request cannot be processed. Please check your entries and try again. (field "from" must be a date (2026-03-01) or a date and time (2026-03-01 14:30))`})
		if logRows(p) != nil || !strings.Contains(p.Body, `value="yesterday"`) {
			t.Error("a refused filter shows entries or loses what was typed")
		}
		p = b.do(http.MethodGet, base+"?from=2026-03-02&to=2026-03-01", nil)
		wantPage(t, p, http.StatusBadRequest, map[string]string{"to-error": `This request cannot be processed. Please check your entries and try again. (field "to" must be after the start of the range)`})
		p = b.do(http.MethodGet, base+"?lock="+e.ids["lock2"], nil)
		wantPage(t, p, http.StatusBadRequest, map[string]string{"lock-error": `This request cannot be processed. Please check your entries and try again. (field "lock" names no lock of this account)`})
		p = b.do(http.MethodGet, "/portal/owners/"+e.ids["o2"]+"/logs", nil)
		wantPage(t, p, http.StatusForbidden, map[string]string{"message": "You do not have permission to do this."})

		// The small export, byte for byte: the second lock's entries, oldest first.
		p = b.do(http.MethodGet, base+".csv?lock="+ls.back, nil)
		if p.Status != http.StatusOK || p.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			p.Header.Get("Content-Disposition") != `attachment; filename="access-log-`+e.ids["o1"]+`.csv"` {
			t.Fatalf("export: status %d, headers %v\n%s", p.Status, p.Header, p.Body)
		}
		lockCell := `"Back Door, ""B"""`
		wantCSV := "time_utc,local_time,time_zone,lock_id,lock,contact_id,contact,card_id,card,log_type,command,result,reason,grant_id,entry_no,entry_id,received_at_utc\r\n" +
			"2026-03-01T15:00:00Z,2026-03-01T10:00:00-05:00,America/New_York," + ls.back + "," + lockCell + "," + e.ids["guest"] + ",Guest,,,Command,TriggerLock,Allowed,Allowed,grant-x,1,b-1,2026-03-01T16:00:00Z\r\n" +
			"2026-03-01T15:30:00Z,2026-03-01T10:30:00-05:00,America/New_York," + ls.back + "," + lockCell + ",,," + e.ids["card"] + ",Blue card,Command,TriggerLock,Denied,Expired,,2,b-2,2026-03-01T16:00:00Z\r\n" +
			"2026-03-01T16:00:00Z,2026-03-01T11:00:00-05:00,America/New_York," + ls.back + "," + lockCell + ",,,card-of-nobody,,'=Other,,,,,3,b-3,2026-03-01T16:00:00Z\r\n"
		if p.Body != wantCSV {
			t.Errorf("export:\n%q\nwant\n%q", p.Body, wantCSV)
		}
		p = b.do(http.MethodGet, base+".csv?result=maybe", nil)
		wantPage(t, p, http.StatusBadRequest, nil)

		// The whole log: more than two of the export's batches of 500.
		p = b.do(http.MethodGet, base+".csv", nil)
		lines := strings.Split(strings.TrimSuffix(p.Body, "\r\n"), "\r\n")
		if len(lines) != 1+len(all) {
			t.Fatalf("export has %d lines, want %d", len(lines), 1+len(all))
		}
		wantFirst := "2026-03-01T10:01:00Z,2026-03-01T11:01:00+01:00,Europe/Vienna," + e.ids["lock1"] + ",Front Door,,,,,Command,TriggerLock,Allowed,Allowed,,1,e-0001,2026-03-01T11:01:00Z"
		if lines[1] != wantFirst {
			t.Errorf("first row %q, want %q", lines[1], wantFirst)
		}
		if want := "e-0501,2026-03-01T19:21:00Z"; !strings.HasSuffix(lines[501], want) {
			t.Errorf("row 501 %q, want it to end in %q", lines[501], want)
		}
		if !strings.HasSuffix(lines[len(lines)-1], ",3,b-3,2026-03-01T16:00:00Z") {
			t.Errorf("last row %q", lines[len(lines)-1])
		}
	})
}

// clientTokenErr fetches a token with the client credentials, returning the error.
func (e *portalEnv) clientToken(id, secret string, scopes ...string) (*oauth2.Token, error) {
	cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: e.base + "/connect/token", Scopes: scopes}
	return cc.Token(context.Background())
}

// TestPortal_Clients registers a confidential client whose secret is shown once and works,
// changes its redirect URIs and scopes, rotates the secret (the old one is refused) and
// deletes the client (its tokens are refused).
func TestPortal_Clients(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		b := e.signedIn(t)
		list := b.do(http.MethodGet, "/portal/clients", nil)
		wantPage(t, list, http.StatusOK, nil)
		if got := list.Find(`<tr data-client="([^"]+)"`); got != e.ids["client"] {
			t.Errorf("listed client %q, want Polly's App %q", got, e.ids["client"])
		}
		if strings.Contains(list.Body, e.ids["adminClient"]) {
			t.Error("the page lists a client Polly does not manage")
		}

		create := func(values url.Values) htmlPage {
			form := list.Form(t, "create-client")
			for k, v := range values {
				form[k] = v
			}
			return b.do(http.MethodPost, "/portal/clients", form)
		}
		p := create(url.Values{"name": {"Polly's Service"}, "kind": {"confidential"}})
		wantPage(t, p, http.StatusBadRequest, map[string]string{"grantTypes-error": `This request cannot be processed. Please check your entries and try again. (field "grantTypes": choose at least one grant type)`})
		p = create(url.Values{"name": {"Polly's Service"}, "kind": {"public"}, "grant_type": {"client_credentials"}})
		wantPage(t, p, http.StatusBadRequest, map[string]string{"grantTypes-error": `This request cannot be processed. Please check your entries and try again. (field "grantTypes": a public client cannot use client_credentials, which needs a secret)`})
		p = create(url.Values{"name": {"Exchanger"}, "kind": {"confidential"}, "grant_type": {keyward.GrantTokenExchange}})
		wantPage(t, p, http.StatusBadRequest, map[string]string{"grantTypes-error": `This request cannot be processed. Please check your entries and try again. (field "grantTypes": a user's client may use authorization_code, refresh_token, client_credentials, not "http://tapkey.net/oauth/token_exchange")`})
		p = create(url.Values{"name": {"Web"}, "kind": {"confidential"}, "grant_type": {"authorization_code"}, "redirect_uris": {"relative/cb"}})
		wantPage(t, p, http.StatusBadRequest, map[string]string{"redirectUris-error": `This request cannot be processed. Please check your entries and try again. (redirect URI "relative/cb" must be an absolute URI without a fragment)`})
		if !strings.Contains(p.Body, ">relative/cb</textarea>") {
			t.Error("the refused form lost the redirect URIs")
		}

		p = create(url.Values{"name": {"Polly's Service"}, "kind": {"confidential"}, "grant_type": {"client_credentials"},
			"scope": {keyward.ScopeReadOwnerAccounts, keyward.ScopeReadLogs}})
		wantPage(t, p, http.StatusOK, map[string]string{"secret-notice": "The client was registered. Copy its secret now."})
		id, secret := p.Text("client-id"), p.Text("client-secret")
		if len(secret) != 43 {
			t.Fatalf("secret %q", secret)
		}
		tok, err := e.clientToken(id, secret, keyward.ScopeReadOwnerAccounts)
		e.must(err)
		if r := e.do(http.MethodGet, "/api/v1/Owners", tok.AccessToken, "", nil); r.status != http.StatusOK || r.body != "[]" {
			t.Errorf("the new client's token: %d %s", r.status, r.body)
		}
		page := b.do(http.MethodGet, "/portal/clients/"+id, nil)
		for _, again := range []htmlPage{b.do(http.MethodGet, "/portal/clients", nil), page} {
			if strings.Contains(again.Body, secret) {
				t.Fatal("the secret is shown again")
			}
		}
		wantPage(t, page, http.StatusOK, map[string]string{"client-id": id, "client-kind": "Confidential"})

		p = b.follow(b.submit(page, "edit-client", "/portal/clients/"+id, map[string]string{"redirect_uris": "https://svc.example/a\n\n https://svc.example/b ",
			"scope": keyward.ScopeReadLogs}), "/portal/clients/"+id)
		wantPage(t, p, http.StatusOK, map[string]string{"notice": "The client was saved."})
		c := e.managedClient(t, id)
		if !slices.Equal(c.RedirectURIs, []string{"https://svc.example/a", "https://svc.example/b"}) || !slices.Equal(c.Scopes, []string{keyward.ScopeReadLogs}) {
			t.Errorf("client after the edit: %v %v", c.RedirectURIs, c.Scopes)
		}
		if _, err := e.clientToken(id, secret, keyward.ScopeReadOwnerAccounts); err == nil {
			t.Error("a scope taken from the client is still granted")
		}

		confirm := b.do(http.MethodGet, "/portal/clients/"+id+"/rotate", nil)
		wantPage(t, confirm, http.StatusOK, map[string]string{"question": "Replace the secret of Polly's Service?"})
		p = b.submit(confirm, "confirm-form", "/portal/clients/"+id+"/rotate", nil)
		wantPage(t, p, http.StatusOK, map[string]string{"secret-notice": "The secret was replaced. Copy the new secret now; the old one no longer works."})
		rotated := p.Text("client-secret")
		var re *oauth2.RetrieveError
		if _, err := e.clientToken(id, secret, keyward.ScopeReadLogs); !errors.As(err, &re) || re.Response.StatusCode != http.StatusUnauthorized {
			t.Errorf("the old secret: %v, want 401 invalid_client", err)
		}
		tok, err = e.clientToken(id, rotated, keyward.ScopeReadLogs)
		e.must(err)

		p = b.do(http.MethodGet, "/portal/clients/"+e.ids["client"]+"/rotate", nil)
		if p.Status != http.StatusOK {
			t.Fatalf("rotate confirm of the public client: %d", p.Status)
		}
		p = b.submit(p, "confirm-form", "/portal/clients/"+e.ids["client"]+"/rotate", nil)
		wantPage(t, p, http.StatusBadRequest, map[string]string{"message": "This request cannot be processed. Please check your entries and try again."})
		if strings.Contains(p.Body, `id="client-secret"`) {
			t.Error("a public client got a secret")
		}

		confirm = b.do(http.MethodGet, "/portal/clients/"+id+"/delete", nil)
		wantPage(t, confirm, http.StatusOK, map[string]string{"question": "Delete the client Polly's Service?"})
		p = b.follow(b.submit(confirm, "confirm-form", "/portal/clients/"+id+"/delete", nil), "/portal/clients")
		wantPage(t, p, http.StatusOK, map[string]string{"notice": "The client was deleted."})
		if r := e.do(http.MethodGet, "/api/v1/Owners", tok.AccessToken, "", nil); r.status != http.StatusUnauthorized {
			t.Errorf("a deleted client's token: %d %s", r.status, r.body)
		}
		if _, err := e.clientToken(id, rotated); err == nil {
			t.Error("a deleted client got a token")
		}

		for _, path := range []string{"/portal/clients/" + id, "/portal/clients/" + e.ids["adminClient"] + "/delete"} {
			wantPage(t, b.do(http.MethodGet, path, nil), http.StatusNotFound, map[string]string{"message": "What you are looking for does not exist or no longer exists."})
		}
	})
}

// managedClient is one of Polly's clients, read through the service.
func (e *portalEnv) managedClient(t *testing.T, id string) *keyward.Client {
	t.Helper()
	list, err := e.m.Service.FindClients(asUser(context.Background(), e.polly))
	e.must(err)
	for _, c := range list {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("Polly manages no client %s", id)
	return nil
}

// TestPortal_IdentityProviders registers and deletes a provider, refuses bad fields next to
// them and a plan without the feature with 402, and pages a provider's users.
func TestPortal_IdentityProviders(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		ctx := context.Background()
		b := e.signedIn(t)
		base := "/portal/owners/" + e.ids["o1"] + "/identity-providers"
		list := b.do(http.MethodGet, base, nil)
		wantPage(t, list, http.StatusOK, nil)
		if got := list.Find(`<tr data-idp="([^"]+)"`); got != "acme.idp" {
			t.Errorf("listed provider %q", got)
		}
		key := unescapeJSON(t, publicKeyPEM(t, 2048))
		fields := map[string]string{"ipId": "beta idp", "issuer": "https://beta.example", "audience": "keyward", "publicKey": key}
		p := b.submit(list, "create-idp", base, fields)
		wantPage(t, p, http.StatusBadRequest, map[string]string{"ipId-error": `This request cannot be processed. Please check your entries and try again. (field "ipId" must be 1 to 100 letters, digits, dots, dashes or underscores, got "beta idp")`})
		if !strings.Contains(p.Body, `value="https://beta.example"`) {
			t.Error("the refused form lost the issuer")
		}
		fields["ipId"], fields["publicKey"] = "beta.idp", "not a key"
		p = b.submit(list, "create-idp", base, fields)
		wantPage(t, p, http.StatusBadRequest, map[string]string{"publicKey-error": `This request cannot be processed. Please check your entries and try again. (field "publicKey" must be a PEM block "-----BEGIN PUBLIC KEY-----")`})
		fields["publicKey"] = key
		p = b.follow(b.submit(list, "create-idp", base, fields), base)
		wantPage(t, p, http.StatusOK, map[string]string{"notice": "The identity provider was registered."})
		got, err := e.m.Service.FindIdentityProvider(asUser(ctx, e.polly), e.ids["o1"], "beta.idp")
		e.must(err)
		if got.Issuer != "https://beta.example" || got.Audience != "keyward" {
			t.Errorf("registered %+v", got)
		}

		// A provider's users, 50 a page.
		for i := range 51 {
			_, err := e.m.Service.CreateIPUser(asUser(ctx, e.polly), e.ids["o1"], "beta.idp", keyward.IPUserCreate{IPUserID: fmt.Sprintf("u%02d", i),
				Identifier: apitest.Ptr(fmt.Sprintf("u%02d@beta.example", i))})
			e.must(err)
		}
		users := b.do(http.MethodGet, base+"/beta.idp", nil)
		wantPage(t, users, http.StatusOK, map[string]string{"idp-issuer": "https://beta.example"})
		if n := strings.Count(users.Body, "<tr data-user="); n != 50 || href(users, "page-prev") != "" {
			t.Errorf("first page: %d users, prev %q", n, href(users, "page-prev"))
		}
		next := b.do(http.MethodGet, href(users, "page-next"), nil)
		if n := strings.Count(next.Body, "<tr data-user="); n != 1 || href(next, "page-next") != "" || next.Find(`<tr data-user="[^"]+"><td>([^<]*)<`) != "u50" {
			t.Errorf("second page:\n%s", next.Body)
		}

		confirm := b.do(http.MethodGet, base+"/beta.idp/delete", nil)
		wantPage(t, confirm, http.StatusOK, map[string]string{"question": "Delete the identity provider beta.idp?"})
		p = b.follow(b.submit(confirm, "confirm-form", base+"/beta.idp/delete", nil), base)
		wantPage(t, p, http.StatusOK, map[string]string{"notice": "The identity provider was deleted."})
		if _, err := e.m.Service.FindIdentityProvider(asUser(ctx, e.polly), e.ids["o1"], "beta.idp"); !errors.Is(err, keyward.ErrNotFound) {
			t.Errorf("deleted provider: %v", err)
		}
		wantPage(t, b.do(http.MethodGet, base+"/beta.idp", nil), http.StatusNotFound, nil)

		// An account on a plan without the feature has no identity providers; another tenant's is 403.
		flat, err := e.m.Service.CreateOwner(asUser(ctx, e.polly), keyward.OwnerCreate{Name: "Polly's Flat"})
		e.must(err)
		e.ids["flat"] = flat.ID
		e.setPlan(t, "flat", "basic")
		flatBase := "/portal/owners/" + flat.ID + "/identity-providers"
		p = b.submit(b.do(http.MethodGet, flatBase, nil), "create-idp", flatBase, fields)
		wantPage(t, p, http.StatusPaymentRequired, map[string]string{"form-error": "The plan of this account does not include identity providers."})
		wantPage(t, b.do(http.MethodGet, "/portal/owners/"+e.ids["o2"]+"/identity-providers", nil), http.StatusForbidden, nil)
	})
}

// TestPortal_AccountLinksToPortal: the account page, where authorized applications are
// withdrawn, leads back to the portal.
func TestPortal_AccountLinksToPortal(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		b := e.signedIn(t)
		p := b.do(http.MethodGet, "/account", nil)
		wantPage(t, p, http.StatusOK, map[string]string{"portal-link": "Portal"})
		if href(p, "portal-link") != "/portal/" {
			t.Errorf("portal link %q", href(p, "portal-link"))
		}
	})
}
