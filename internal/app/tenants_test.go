package app_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/httpapi"
	"github.com/keyward/keyward/internal/keyward"
)

// tenant holds, for one owner account, an entity for every path parameter of the route table:
// values by parameter name ("ownerId", "lockGroupId", ...).
type tenant map[string]string

// tenants gives both accounts of the fixture an entity of every kind a route names: a lock in a
// group, a contact with a grant, a bound card, a permission, an identity provider with a user,
// and a mobile of its owner.
// o1 is the admin client's account, o2 an account it has no permission on.
func tenants(t *testing.T, f *fixture) map[string]tenant {
	t.Helper()
	ctx := context.Background()
	out := map[string]tenant{}
	for _, o := range []struct{ name, lock, user string }{{"o1", "lock1", "olivia@example.com"}, {"o2", "lock2", "oscar@example.com"}} {
		u, err := f.m.Store.FindUserByEmail(ctx, o.user)
		f.must(err)
		as, ownerID := asUser(ctx, u), f.ids[o.name]
		tn := tenant{"ownerId": ownerID, "boundLockId": f.ids[o.lock]}
		g, err := f.m.Service.CreateLockGroup(as, ownerID, keyward.LockGroupCreate{Title: "Group of " + o.name})
		f.must(err)
		_, err = f.m.Service.AddLockGroupMember(as, ownerID, g.ID, keyward.LockGroupMemberRequest{BoundLockID: tn["boundLockId"]})
		f.must(err)
		tn["lockGroupId"] = g.ID
		c, err := f.m.Service.CreateContact(as, ownerID, keyward.ContactCreate{Identifier: apitest.Ptr("member-of-" + o.name + "@example.com")})
		f.must(err)
		tn["contactId"] = c.ID
		pc, err := f.m.Service.RegisterCard(asOperator(ctx), 2)
		f.must(err)
		card, err := f.m.Service.BindCard(as, ownerID, keyward.BindCardRequest{PhysicalCardID: &pc.ID})
		f.must(err)
		tn["boundCardId"] = card.ID
		gr, err := f.m.Service.CreateGrant(as, ownerID, keyward.GrantCreate{BoundLockID: tn["boundLockId"], ContactID: &c.ID})
		f.must(err)
		tn["grantId"] = gr.ID
		perms, err := f.m.Service.FindPermissions(as, ownerID, nil)
		f.must(err)
		tn["permissionId"] = perms[0].ID
		var key string
		f.must(json.Unmarshal([]byte(`"`+publicKeyPEM(t, 2048)+`"`), &key))
		p, err := f.m.Service.CreateIdentityProvider(as, ownerID, keyward.IdentityProviderCreate{IPID: "idp-of-" + o.name,
			Issuer: "https://id.example/" + o.name, Audience: "keyward", PublicKey: key})
		f.must(err)
		tn["ipId"] = p.ID
		ipu, err := f.m.Service.CreateIPUser(as, ownerID, p.ID, keyward.IPUserCreate{IPUserID: "user-of-" + o.name})
		f.must(err)
		tn["userId"] = ipu.ID
		free, code := f.register(ctx, true)
		tn["physicalLockId"], tn["bindingCode"] = free.ID, code
		spare, err := f.m.Service.RegisterCard(asOperator(ctx), 2)
		f.must(err)
		tn["physicalCardId"], tn["uid"] = spare.ID, spare.UID
		m, err := f.m.Service.RegisterMobile(as, keyward.MobileCreate{PublicKey: []byte(strings.Repeat(o.name, 16)), Name: "Phone", Platform: keyward.PlatformIOS})
		f.must(err)
		tn["mobileId"] = m.ID
		out[o.name] = tn
	}
	f.seedLogs()
	return out
}

// routes returns the Management API's route table.
func (f *fixture) routes() []httpapi.Route {
	return httpapi.New(httpapi.Config{Services: f.m.Services, Verifier: f.m.OAuth}).Routes()
}

var pathParam = regexp.MustCompile(`\{([a-zA-Z]+)\}`)

// path fills a route pattern's parameters from values; it fails on a parameter values lack,
// so that a new route cannot escape the tests generated from the table.
func path(t *testing.T, pattern string, values tenant) string {
	t.Helper()
	return pathParam.ReplaceAllStringFunc(pattern, func(m string) string {
		v, ok := values[m[1:len(m)-1]]
		if !ok {
			t.Fatalf("route %s: no test value for %s; add one to tenants()", pattern, m)
		}
		return v
	})
}

// bodies are valid request bodies of every route that reads one, by "METHOD pattern", with
// {param} placeholders filled from a tenant. Each names every field its request type has, so
// that tests can vary one field at a time.
var bodies = map[string]string{
	"PUT /api/v1/Owners":                                               `{"name":"Branch"}`,
	"PATCH /api/v1/Owners/{ownerId}":                                   `{"name":"Renamed"}`,
	"PUT /api/v1/Owners/{ownerId}/Permissions":                         `{"contactId":"{contactId}","role":"Admin"}`,
	"PUT /api/v1/Owners/{ownerId}/BoundLocks":                          `{"physicalLockId":"{physicalLockId}","bindingCode":"{bindingCode}","title":"Gate","description":"East"}`,
	"PATCH /api/v1/Owners/{ownerId}/BoundLocks/{boundLockId}":          `{"title":"Gate","description":"East"}`,
	"PUT /api/v1/Owners/{ownerId}/LockGroups":                          `{"title":"Floor","description":"First"}`,
	"PATCH /api/v1/Owners/{ownerId}/LockGroups/{lockGroupId}":          `{"title":"Floor","description":"First"}`,
	"PUT /api/v1/Owners/{ownerId}/LockGroups/{lockGroupId}/BoundLocks": `{"boundLockId":"{boundLockId}"}`,
	"PUT /api/v1/Owners/{ownerId}/Contacts":                            `{"identifier":"new@example.com","title":"New","comment":"c"}`,
	"PATCH /api/v1/Owners/{ownerId}/Contacts/{contactId}":              `{"title":"T","comment":"c","identifier":"x@example.com","email":"x@example.com","ipId":"tapkey","ipUserId":"u"}`,
	"PUT /api/v1/Owners/{ownerId}/BoundCards":                          `{"physicalCardId":"{physicalCardId}","uid":"{uid}","title":"Card","label":"L"}`,
	"PATCH /api/v1/Owners/{ownerId}/BoundCards/{boundCardId}":          `{"title":"Card"}`,
	"PUT /api/v1/Owners/{ownerId}/Grants": `{"boundLockId":"{lockGroupId}","contactId":"{contactId}","validFrom":"2026-01-01T00:00:00Z",` +
		`"validBefore":"2027-01-01T00:00:00Z","timeRestrictionIcal":null,"dryRun":true}`,
	"PUT /api/v1/Owners/{ownerId}/Grants#contact":                            `{"boundLockId":"{boundLockId}","contact":{"identifier":"inline@example.com","ipId":"tapkey","email":"inline@example.com","ipUserId":null},"dryRun":true}`,
	"PUT /api/v1/Owners/{ownerId}/Grants#card":                               `{"boundLockId":"{boundLockId}","boundCardId":"{boundCardId}","dryRun":true}`,
	"POST /api/v1/Owners/{ownerId}/Grants/{grantId}/Revoke":                  `{"dryRun":true}`,
	"PUT /api/v1/Owners/{ownerId}/Grants/{grantId}/Revoke":                   `{"dryRun":true}`,
	"PUT /api/v1/Owners/{ownerId}/IdentityProviders":                         `{"ipId":"another.app","issuer":"https://id.example","audience":"keyward","publicKey":"-"}`,
	"PUT /api/v1/Owners/{ownerId}/IdentityProviders/{ipId}/Users":            `{"ipId":"{ipId}","ipUserId":"u-2","identifier":"u2@example.com","email":"u2@example.com"}`,
	"PATCH /api/v1/Owners/{ownerId}/IdentityProviders/{ipId}/Users/{userId}": `{"identifier":"u2@example.com","email":"u2@example.com"}`,
	"PUT /api/v1/Me/Mobiles":                                                 `{"publicKey":"UGl4ZWwncyBFZDI1NTE5IHB1YmxpYyBrZXksIDMyIGI=","name":"Pixel","platform":"Android"}`,
	"POST /api/v1/Devices/Locks/Sync":                                        `{"v":1,"typ":"SyncRequest","kid":"{physicalLockId}","payload":"e30=","sig":"AAAA"}`,
}

// noBody are the write routes that read no body.
var noBody = map[string]bool{
	"DELETE": true,
	"POST /api/v1/Owners/{ownerId}/Grants/{grantId}/DeleteFromCard":       true,
	"POST /api/v1/Owners/{ownerId}/Contacts/{contactId}/RevokeGrants":     true,
	"POST /api/v1/Owners/{ownerId}/BoundCards/{boundCardId}/RevokeGrants": true,
}

// bodiesOf returns the bodies a route is tested with (several for grant creation's forms), or
// fails when a route that reads a body has none in the table.
func bodiesOf(t *testing.T, rt httpapi.Route) []string {
	t.Helper()
	key := rt.Method + " " + rt.Pattern
	if rt.Method == "GET" || noBody[rt.Method] || noBody[key] {
		return []string{""}
	}
	var out []string
	for k, b := range bodies {
		if k == key || strings.HasPrefix(k, key+"#") {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		t.Fatalf("route %s reads a body but has none in the bodies table", key)
	}
	return out
}

// fill replaces {param} placeholders with a tenant's values.
func fill(t *testing.T, s string, values tenant) string {
	t.Helper()
	return path(t, s, values)
}
