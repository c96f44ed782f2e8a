package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/httpapi"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/oauth"
)

// snapshot is everything account o2 holds, read as its owner through the service.
func snapshot(t *testing.T, f *fixture, o2 tenant) string {
	t.Helper()
	u, err := f.m.Store.FindUserByEmail(context.Background(), "oscar@example.com")
	f.must(err)
	as, id := asUser(context.Background(), u), o2["ownerId"]
	s := f.m.Service
	var parts []any
	add := func(v any, err error) {
		f.must(err)
		parts = append(parts, v)
	}
	add(s.FindOwner(as, id))
	add(s.FindPermissions(as, id, nil))
	add(s.FindBoundLocks(as, id, nil))
	add(s.FindLockGroups(as, id, nil))
	add(s.FindLockGroupMembers(as, id, o2["lockGroupId"], nil))
	add(s.FindContacts(as, id, nil))
	add(s.FindBoundCards(as, id, nil))
	add(s.FindGrants(as, id, nil))
	add(s.FindIdentityProviders(as, id))
	add(s.FindIPUsers(as, id, o2["ipId"], nil))
	b, err := json.Marshal(parts)
	f.must(err)
	return string(b)
}

// crossBodies are the routes whose body names entities of the account (not only registry
// entries), with those fields filled from the other account.
var crossBodies = map[string]string{
	"PUT /api/v1/Owners/{ownerId}/Permissions":                         `{"contactId":"{contactId}","role":"Admin"}`,
	"PUT /api/v1/Owners/{ownerId}/LockGroups/{lockGroupId}/BoundLocks": `{"boundLockId":"{boundLockId}"}`,
	"PUT /api/v1/Owners/{ownerId}/Grants#lock":                         `{"boundLockId":"{boundLockId}","contactId":"{contactId}"}`,
	"PUT /api/v1/Owners/{ownerId}/Grants#group":                        `{"boundLockId":"{lockGroupId}","contactId":"{contactId}"}`,
	"PUT /api/v1/Owners/{ownerId}/Grants#card":                         `{"boundLockId":"{boundLockId}","boundCardId":"{boundCardId}"}`,
	"PUT /api/v1/Owners/{ownerId}/Grants#ownLockOtherContact":          `{"boundLockId":"{ownLock}","contactId":"{contactId}"}`,
}

// queries are the query strings that routes need to do anything.
var queries = map[string]string{
	"GET /api/v1/Owners/{ownerId}/BoundLocks/{boundLockId}/AccessCheck": "?contactId={contactId}",
}

// ownerToken is a token of a new client-credentials client that is Owner of the account.
func (f *fixture) ownerToken(t *testing.T, owner string) string {
	t.Helper()
	secret, hash := oauth.NewClientSecret()
	c, _, err := f.m.Service.CreateClient(asOperator(context.Background()), keyward.ClientCreate{Name: "owner of " + owner, SecretHash: hash,
		GrantTypes: []string{keyward.GrantClientCredentials}, Scopes: allScopes, AdminOf: f.ids[owner], Role: keyward.RoleOwner})
	f.must(err)
	f.ids["ownerClient"], f.secrets["owner"] = c.ID, secret
	return f.token("owner")
}

// TestTenancy_EveryRoute is generated from the route table: the admin of account o1 sends every
// route and action (a) on account o2 with o2's ids, answered 403, (b) on its own account with
// o2's ids in the path, answered 404, and (c) on its own account with o2's entities in the body,
// answered 404. Account o2 is unchanged afterwards.
func TestTenancy_EveryRoute(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		all := tenants(t, f)
		o1, o2 := all["o1"], all["o2"]
		before := snapshot(t, f, o2)
		token := f.ownerToken(t, "o1") // every operation, Owner-only ones included, is allowed on o1
		mixed := tenant{}
		for k, v := range o2 {
			mixed[k] = v
		}
		mixed["ownerId"], mixed["ownLock"] = o1["ownerId"], o1["boundLockId"]
		for _, rt := range f.routes() {
			if rt.Public || !strings.HasPrefix(rt.Pattern, "/api/v1/Owners/") {
				continue // not scoped to one account (the account list, the mobile API)
			}
			for _, body := range bodiesOf(t, rt) {
				want := func(status int, what string, res response) {
					t.Helper()
					if res.status != status {
						t.Errorf("%s %s %s: %d, want %d: %.300s", rt.Method, rt.Pattern, what, res.status, status, res.body)
					}
				}
				q := queries[rt.Method+" "+rt.Pattern]
				want(403, "on the other account", f.do(rt.Method, path(t, rt.Pattern, o2)+fillIf(t, q, o2), token, fillIf(t, body, o2), nil))
				if hasEntityParam(rt) {
					want(404, "with the other account's ids", f.do(rt.Method, path(t, rt.Pattern, mixed)+fillIf(t, q, mixed), token, fillIf(t, body, mixed), nil))
				}
			}
		}
		for key, body := range crossBodies {
			rt := routeOf(t, f, key)
			res := f.do(rt.Method, path(t, rt.Pattern, mixed), token, fill(t, body, mixed), nil)
			if res.status != 404 {
				t.Errorf("%s with the other account's entities in the body: %d, want 404: %.300s", key, res.status, res.body)
			}
		}
		if after := snapshot(t, f, o2); after != before {
			t.Fatalf("account o2 changed:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// hasEntityParam reports whether the route names an entity besides the owner account.
func hasEntityParam(rt httpapi.Route) bool {
	return len(pathParam.FindAllString(rt.Pattern, -1)) > 1
}

// fillIf fills a body template, "" staying "".
func fillIf(t *testing.T, body string, values tenant) string {
	t.Helper()
	if body == "" {
		return ""
	}
	return fill(t, body, values)
}

// routeOf finds the route of a "METHOD pattern[#variant]" key.
func routeOf(t *testing.T, f *fixture, key string) httpapi.Route {
	t.Helper()
	for _, rt := range f.routes() {
		if k := rt.Method + " " + rt.Pattern; k == key || len(key) > len(k) && key[:len(k)+1] == k+"#" {
			return rt
		}
	}
	t.Fatalf("no route %s", key)
	return httpapi.Route{}
}

// TestTenancy_PortalReads: the service's reads that only the portal uses, which the route table
// does not list, keep to the caller's account like every route: on the other account they are
// refused, and the other account's ids on the caller's own account name nothing.
func TestTenancy_PortalReads(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		all := tenants(t, f)
		o1, o2 := all["o1"], all["o2"]
		u, err := f.m.Store.FindUserByEmail(context.Background(), "olivia@example.com")
		f.must(err)
		as, s := asUser(context.Background(), u), f.m.Service
		wantErr := func(what string, err, want error) {
			t.Helper()
			if !errors.Is(err, want) {
				t.Errorf("%s: %v, want %v", what, err, want)
			}
		}
		_, err = s.FindLockGroupsOfLock(as, o2["ownerId"], o2["boundLockId"], nil)
		wantErr("FindLockGroupsOfLock on o2", err, keyward.ErrForbidden)
		_, err = s.FindLockGroupCandidates(as, o2["ownerId"], o2["lockGroupId"], nil)
		wantErr("FindLockGroupCandidates on o2", err, keyward.ErrForbidden)
		_, err = s.LockGroupZones(as, o2["ownerId"], []string{o2["lockGroupId"]})
		wantErr("LockGroupZones on o2", err, keyward.ErrForbidden)
		_, err = s.FindGrantsOnTargets(as, o2["ownerId"], []string{o2["boundLockId"]}, nil)
		wantErr("FindGrantsOnTargets on o2", err, keyward.ErrForbidden)

		_, err = s.FindLockGroupsOfLock(as, o1["ownerId"], o2["boundLockId"], nil)
		wantErr("FindLockGroupsOfLock of o2's lock on o1", err, keyward.ErrNotFound)
		_, err = s.FindLockGroupCandidates(as, o1["ownerId"], o2["lockGroupId"], nil)
		wantErr("FindLockGroupCandidates of o2's group on o1", err, keyward.ErrNotFound)
		zones, err := s.LockGroupZones(as, o1["ownerId"], []string{o2["lockGroupId"], o1["lockGroupId"]})
		f.must(err)
		if _, leaked := zones[o2["lockGroupId"]]; leaked || len(zones[o1["lockGroupId"]]) != 1 {
			t.Errorf("LockGroupZones on o1 of o2's group and o1's: %v, want o1's group alone", zones)
		}
		grants, err := s.FindGrantsOnTargets(as, o1["ownerId"], []string{o2["boundLockId"], o2["lockGroupId"], o1["boundLockId"]}, nil)
		f.must(err)
		if len(grants) != 1 || grants[0].ID != o1["grantId"] {
			t.Errorf("FindGrantsOnTargets on o1 naming o2's targets and o1's lock: %d grants, want o1's grant %s alone", len(grants), o1["grantId"])
		}
		groups, err := s.FindLockGroupsOfLock(as, o1["ownerId"], o1["boundLockId"], nil)
		f.must(err)
		if len(groups) != 1 || groups[0].ID != o1["lockGroupId"] {
			t.Errorf("FindLockGroupsOfLock of o1's lock: %d groups, want its group %s", len(groups), o1["lockGroupId"])
		}
	})
}
