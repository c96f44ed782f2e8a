package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/config"
	"github.com/keyward/keyward/internal/httpapi"
	"github.com/keyward/keyward/internal/keyward"
)

// uncachedNode starts another server on the fixture's database with the same issuer and no
// read cache, and returns its base URL: what it answers is computed for every request.
func (f *fixture) uncachedNode(t *testing.T) string {
	t.Helper()
	m := f.startNode(t, func(c *config.Config) { c.ReadCacheMB = -1 })
	if m.ReadCache != nil {
		t.Fatal("the second node has a read cache; ReadCacheMB -1 must turn it off")
	}
	return "http://" + m.Addr()
}

// cachedReads are requests of every Cached route of the API, some in several forms (OData
// options, expansions); {name} is a fixture id, and a read whose ids do not exist yet is left
// out until they do.
var cachedReads = []string{
	"/Owners/{o1}",
	"/Owners/{o1}/Permissions", "/Owners/{o1}/Permissions?$filter=role%20eq%20'Admin'", "/Owners/{o1}/Permissions/{oliviaPerm}",
	"/Owners/{o1}/BoundLocks", "/Owners/{o1}/BoundLocks?$select=id,title,rclSerialNo&$top=5",
	"/Owners/{o1}/BoundLocks?expand=membershipStatistics,supportedFeatures", "/Owners/{o1}/BoundLocks/{lock1}",
	"/Owners/{o1}/BoundLocks/{lock1}?$expand=membershipStatistics", "/Owners/{o1}/BoundLocks/{lock1}?expand=healthStatuses",
	"/Owners/{o1}/LockGroups", "/Owners/{o1}/LockGroups?expand=statistics,supportedFeatures", "/Owners/{o1}/LockGroups/{group}",
	"/Owners/{o1}/LockGroups/{group}?expand=statistics", "/Owners/{o1}/LockGroups/{group}/BoundLocks",
	"/Owners/{o1}/Contacts", "/Owners/{o1}/Contacts?$filter=startswith(identifier,'cache')", "/Owners/{o1}/Contacts/{contact}",
	"/Owners/{o1}/BoundCards", "/Owners/{o1}/BoundCards/{card}", "/Owners/{o1}/BoundCards/{card}/Grants",
	"/Owners/{o1}/Grants", "/Owners/{o1}/Grants?$select=id,state&$orderby=id%20desc", "/Owners/{o1}/Grants/{grant}",
	"/Owners/{o1}/IdentityProviders", "/Owners/{o1}/IdentityProviders/acme.app", "/Owners/{o1}/IdentityProviders/acme.app/Users",
	"/Owners/{o1}/IdentityProviders/acme.app/Users/{ipUser}",
}

// cacheWrite is one write of the scenario: a request (on the uncached node unless onCached) and
// the status it must get, or a write done another way (do); save names the id it answers.
type cacheWrite struct {
	name               string
	method, path, body string
	status             int
	save               string
	onCached           bool
	do                 func(t *testing.T, f *fixture)
}

// TestReadCache_AnswersWhatIsCommitted runs every write of the account's data that the API
// offers, on a node without a read cache and on the cached one, and after each compares what
// the cached node answers for every Cached route with what the uncached node computes. It also
// counts what the cache did: after each write every kept answer of the account must miss once
// (the write raised the account's version) and then hit, so that a write which left the
// version alone, or an answer kept that should not be, fails the test even when the write
// changed none of the reads.
func TestReadCache_AnswersWhatIsCommitted(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		other := f.uncachedNode(t)
		f.promoteAdminToOwner(t)
		pc, err := f.m.Service.RegisterCard(asOperator(ctx), 1)
		f.must(err)
		f.ids["physicalCard"], f.ids["key"] = pc.ID, publicKeyPEM(t, 2048)
		writes := []cacheWrite{
			{method: "PATCH", path: "/Owners/{o1}", body: `{"name":"Olivia's Other Office"}`, status: 200},
			{method: "PUT", path: "/Owners/{o1}/Contacts", body: `{"identifier":"cache@example.com","title":"Cache"}`, status: 200, save: "contact"},
			{method: "PATCH", path: "/Owners/{o1}/Contacts/{contact}", body: `{"title":"Cached"}`, status: 200},
			{method: "PATCH", path: "/Owners/{o1}/BoundLocks/{lock1}", body: `{"title":"Front Door, east"}`, status: 200, onCached: true},
			{method: "PUT", path: "/Owners/{o1}/LockGroups", body: `{"title":"Floor"}`, status: 200, save: "group"},
			{method: "PATCH", path: "/Owners/{o1}/LockGroups/{group}", body: `{"title":"First floor"}`, status: 200},
			{method: "PUT", path: "/Owners/{o1}/LockGroups/{group}/BoundLocks", body: `{"boundLockId":"{lock1}"}`, status: 200},
			{method: "PUT", path: "/Owners/{o1}/Grants", body: `{"boundLockId":"{lock1}","contactId":"{contact}"}`, status: 200, save: "grant"},
			{method: "POST", path: "/Owners/{o1}/Grants/{grant}/Revoke", body: `{}`, status: 200},
			{method: "PUT", path: "/Owners/{o1}/Grants", body: `{"boundLockId":"{group}","contactId":"{contact}"}`, status: 200, save: "grant2", onCached: true},
			{method: "POST", path: "/Owners/{o1}/Contacts/{contact}/RevokeGrants", status: 200},
			{method: "PUT", path: "/Owners/{o1}/Permissions", body: `{"contactId":"{contact}","role":"Admin"}`, status: 200, save: "perm"},
			{method: "DELETE", path: "/Owners/{o1}/Permissions/{perm}", status: 204},
			{method: "PUT", path: "/Owners/{o1}/BoundCards", body: `{"physicalCardId":"{physicalCard}","title":"Badge"}`, status: 200, save: "card"},
			{method: "PATCH", path: "/Owners/{o1}/BoundCards/{card}", body: `{"title":"Badge of the east door"}`, status: 204},
			{method: "PUT", path: "/Owners/{o1}/Grants", body: `{"boundLockId":"{lock1}","boundCardId":"{card}"}`, status: 200, save: "cardGrant"},
			{method: "POST", path: "/Owners/{o1}/Grants/{cardGrant}/DeleteFromCard", status: 200},
			{method: "PUT", path: "/Owners/{o1}/Grants", body: `{"boundLockId":"{group}","boundCardId":"{card}"}`, status: 200, save: "cardGrant2"},
			{method: "POST", path: "/Owners/{o1}/BoundCards/{card}/RevokeGrants", status: 200},
			{method: "PUT", path: "/Owners/{o1}/Grants", body: `{"boundLockId":"{lock1}","contactId":"{guest}"}`, status: 200, save: "grant3"},
			{method: "PUT", path: "/Owners/{o1}/Grants/{grant3}/Revoke", body: `{}`, status: 200},
			{name: "lock sync", do: func(t *testing.T, f *fixture) { f.syncLock(t, "lock1") }},
			{method: "PUT", path: "/Owners/{o1}/IdentityProviders", status: 200,
				body: `{"ipId":"acme.app","issuer":"https://id.acme.example","audience":"keyward","publicKey":"{key}"}`},
			{method: "PUT", path: "/Owners/{o1}/IdentityProviders/acme.app/Users", body: `{"ipId":"acme.app","ipUserId":"u-1"}`, status: 200, save: "ipUser"},
			{name: "token exchange of a new user", do: func(t *testing.T, f *fixture) {
				_, err := f.m.Service.ProvisionIPUser(context.Background(), "acme.app", "u-2")
				f.must(err)
			}},
			{method: "DELETE", path: "/Owners/{o1}/IdentityProviders/acme.app", status: 204},
			{method: "DELETE", path: "/Owners/{o1}/LockGroups/{group}/BoundLocks/{lock1}", status: 204},
			{method: "DELETE", path: "/Owners/{o1}/LockGroups/{group}", status: 204, onCached: true},
			{method: "DELETE", path: "/Owners/{o1}/Contacts/{contact}", status: 204},
			{method: "PUT", path: "/Owners/{o1}/BoundLocks", body: `{"physicalLockId":"{freeLockID}","bindingCode":"{freeCode}","title":"Shed"}`, status: 200, save: "shed"},
			{method: "DELETE", path: "/Owners/{o1}/BoundLocks/{shed}", status: 204},
		}
		checkWritesCover(t, f.routes(), writes)
		checkReadsCover(t, f.routes())
		f.ids["freeLockID"], f.ids["freeCode"] = f.freeLockID, f.freeCode
		token := f.token("admin")
		prev := f.compareReads(t, other, token, nil)
		for _, w := range writes {
			name := w.method + " " + w.path + w.name
			if w.do != nil {
				w.do(t, f)
			} else {
				base := other
				if w.onCached {
					base = f.base
				}
				h := http.Header{"Authorization": {"Bearer " + token}}
				res := apitest.Do(t, nil, w.method, base+"/api/v1"+f.expand(w.path), f.expand(w.body), h)
				if res.Status != w.status {
					t.Fatalf("%s: %d %s, want %d", name, res.Status, res.Body, w.status)
				}
				if w.save != "" {
					f.ids[w.save] = jsonField(t, string(res.Body), "id")
				}
			}
			now := f.compareReads(t, other, token, prev)
			changed := 0
			for path, body := range now {
				if prev[path] != body {
					changed++
				}
			}
			if changed == 0 {
				t.Errorf("%s changed none of the reads; the scenario tests nothing with it", name)
			}
			prev = now
		}
	})
}

// compareReads reads every cachedReads request whose ids exist on the cached node twice and on
// the other node once, requires the three answers to be the same, and checks the cache's counts:
// each answer it may keep misses, then hits; 404s and reads of the clock are not kept. It returns
// the answers, by path.
func (f *fixture) compareReads(t *testing.T, other, token string, prev map[string]string) map[string]string {
	t.Helper()
	h := http.Header{"Authorization": {"Bearer " + token}}
	before := f.m.ReadCache.Stats()
	var wantHits, wantMisses uint64
	out := map[string]string{}
	for _, read := range cachedReads {
		path := f.expand(read)
		if strings.Contains(path, "{") {
			continue
		}
		first := apitest.Do(t, nil, "GET", f.base+"/api/v1"+path, "", h)
		uncached := apitest.Do(t, nil, "GET", other+"/api/v1"+path, "", h)
		second := apitest.Do(t, nil, "GET", f.base+"/api/v1"+path, "", h)
		for _, got := range []apitest.Response{first, second} {
			if got.Status != uncached.Status || string(got.Body) != string(uncached.Body) {
				t.Fatalf("GET %s: the cached node answered %d %s\nthe uncached node %d %s\n(before the write: %s)",
					path, got.Status, got.Body, uncached.Status, uncached.Body, prev[path])
			}
		}
		switch {
		case strings.Contains(strings.ToLower(path), "healthstatuses"):
		case first.Status == http.StatusOK:
			wantHits, wantMisses = wantHits+1, wantMisses+1
		case first.Status == http.StatusNotFound: // read, refused, not kept
			wantMisses += 2
		default:
			t.Fatalf("GET %s: %d %s; the reads must name what exists or what does not", path, first.Status, first.Body)
		}
		out[path] = string(first.Body)
	}
	after := f.m.ReadCache.Stats()
	if hits, misses := after.Hits-before.Hits, after.Misses-before.Misses; hits != wantHits || misses != wantMisses {
		t.Fatalf("the reads made %d hits and %d misses, want %d and %d", hits, misses, wantHits, wantMisses)
	}
	return out
}

// checkWritesCover requires the scenario to run every write route on an owner account's data,
// but one that writes nothing.
func checkWritesCover(t *testing.T, routes []httpapi.Route, writes []cacheWrite) {
	t.Helper()
	ran := map[string]bool{
		// the identity provider manages its users' addresses: a change is refused, the same
		// value answers the user as it is
		"PATCH /api/v1/Owners/{ownerId}/IdentityProviders/{ipId}/Users/{userId}": true,
	}
	for _, w := range writes {
		if w.do == nil {
			ran[w.method+" "+routePattern(t, routes, w.method, w.path)] = true
		}
	}
	for _, rt := range routes {
		key := rt.Method + " " + rt.Pattern
		if rt.Method == http.MethodGet || rt.Public || !strings.HasPrefix(rt.Pattern, "/api/v1/Owners/{ownerId}") || ran[key] {
			continue
		}
		t.Errorf("the read cache scenario does not run %s", key)
	}
}

// checkReadsCover requires cachedReads to read every Cached route, and the route table to have
// Cached routes at all.
func checkReadsCover(t *testing.T, routes []httpapi.Route) {
	t.Helper()
	read := map[string]bool{}
	for _, r := range cachedReads {
		path, _, _ := strings.Cut(r, "?")
		read[routePattern(t, routes, "GET", path)] = true
	}
	n := 0
	for _, rt := range routes {
		if rt.Cached {
			n++
			if !read[rt.Pattern] {
				t.Errorf("cachedReads reads nothing of the Cached route %s", rt.Pattern)
			}
		}
	}
	if n == 0 {
		t.Fatal("no route is Cached")
	}
}

// routePattern is the pattern of the route that answers method and path (with {name}s).
func routePattern(t *testing.T, routes []httpapi.Route, method, path string) string {
	t.Helper()
	segs := strings.Split(strings.Trim("/api/v1"+path, "/"), "/")
	for _, rt := range routes {
		p := strings.Split(strings.Trim(rt.Pattern, "/"), "/")
		if rt.Method != method || len(p) != len(segs) {
			continue
		}
		match := true
		for i := range p {
			if !strings.HasPrefix(p[i], "{") && !strings.EqualFold(p[i], segs[i]) {
				match = false
			}
		}
		if match {
			return rt.Pattern
		}
	}
	t.Fatalf("no route answers %s %s", method, path)
	return ""
}

// TestReadCache_ServesOnlyWhomTheUseCaseAdmits keeps an answer for the admin client, then asks
// for it with tokens the use case refuses (a scope short, narrowed, no permission on the
// account) and after the admin's permission is removed: each gets the refusal it gets without a
// cache, and none is a hit.
func TestReadCache_ServesOnlyWhomTheUseCaseAdmits(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		grants := "/api/v1/Owners/{o1}/Grants"
		for range 2 {
			if res := f.do("GET", grants, f.token("admin"), "", nil); res.status != 200 {
				t.Fatalf("admin: %d %s", res.status, res.body)
			}
		}
		before := f.m.ReadCache.Stats()
		if before.Hits != 1 || before.Entries == 0 {
			t.Fatalf("cache stats %+v after reading twice, want the second read a hit", before)
		}
		noPermission := `{"ErrorCode":"","ErrorMessage":"The caller has no permission for this operation.","ErrorDetails":"the caller has no permission on owner account \"{o1}\"","UserErrorMessage":""}`
		f.run(t, []scenario{
			{name: "ScopeShort", method: "GET", path: grants, as: "reader", wantStatus: 401,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The access token lacks a required scope.","ErrorDetails":"the operation requires the scope \"read:grants\"","UserErrorMessage":""}`},
			{name: "Narrowed", method: "GET", path: grants, as: "admin", scopes: []string{keyward.ScopeReadCoreEntities}, wantStatus: 401,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The access token lacks a required scope.","ErrorDetails":"the operation requires the scope \"read:grants\"","UserErrorMessage":""}`},
			{name: "NoPermissionOnAccount", method: "GET", path: grants, as: "stranger", wantStatus: 403, wantBody: noPermission},
		})
		perms, err := f.admin.Permissions(context.Background(), &client.Query{Filter: "role eq 'Admin'"})
		f.must(err)
		for _, p := range perms {
			f.must(f.m.Service.DeletePermission(asUser(context.Background(), f.olivia), f.ids["o1"], p.ID))
		}
		f.run(t, []scenario{{name: "PermissionRemoved", method: "GET", path: grants, as: "admin", wantStatus: 403, wantBody: noPermission}})
		if after := f.m.ReadCache.Stats(); after.Hits != before.Hits {
			t.Fatalf("cache stats %+v after the refusals, want no hit beyond %d", after, before.Hits)
		}
	})
}
