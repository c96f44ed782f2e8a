package app_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
)

const lockType = `"lockTypeId":"TK.Td30","lockType":{"id":"TK.Td30","manufacturerId":1,"modelName":"Td30","supportedTechnologies":["nfc","ble"]}`

func TestBoundLocks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		f.ids["free"], f.ids["freeURL"], f.ids["freeQuery"] = f.freeLockID, urlLockID(f.freeLockID), url.QueryEscape(f.freeLockID)
		f.ids["freeCode"], f.ids["code2"] = f.freeCode, f.lock2Code
		f.run(t, []scenario{
			{name: "BindWrongCode", method: "PUT", path: "/api/v1/Owners/{o1}/BoundLocks", as: "admin",
				body: `{"physicalLockId":"{free}","bindingCode":"WRONG"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The binding code is wrong.","ErrorDetails":"no lock with physicalLockId \"{free}\" and this binding code is registered","UserErrorMessage":""}`},
			{name: "BindBoundElsewhere", method: "PUT", path: "/api/v1/Owners/{o1}/BoundLocks", as: "admin",
				body: `{"physicalLockId":"{phys2}","bindingCode":"{code2}"}`, wantStatus: 403,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The lock is already bound to an owner account.","ErrorDetails":"physical lock \"{phys2}\" is bound to an owner account already","UserErrorMessage":""}`},
			{name: "BindBadID", method: "PUT", path: "/api/v1/Owners/{o1}/BoundLocks", as: "admin",
				body: `{"physicalLockId":"!!","bindingCode":"x"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"field \"physicalLockId\": \"!!\" is not a Base64 physical lock id","UserErrorMessage":""}`},
			{name: "BindMissingCode", method: "PUT", path: "/api/v1/Owners/{o1}/BoundLocks", as: "admin",
				body: `{"physicalLockId":"{free}"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"field \"bindingCode\" is required","UserErrorMessage":""}`},
			{name: "Bind", method: "PUT", path: "/api/v1/Owners/{o1}/BoundLocks", as: "admin",
				body: `{"physicalLockId":"{freeURL}","bindingCode":"{freeCode}","title":"Garage","description":"side"}`, wantStatus: 200,
				dynamic: []string{"id", "bindDate"},
				wantBody: `{"id":"<id>","ownerAccountId":"{o1}","physicalLockId":"{free}","title":"Garage","description":"side",` + lockType +
					`,"bindDate":"<time>","unbindDate":null,"active":true,"rclSerialNo":0,"rclDate":null,"lastSeenRclSerialNo":null,"lastSeenRclUpdateDate":null,"targetType":"Lock","supportedFeatures":null,"membershipStatistics":null,"healthStatuses":null}`},
			{name: "BindAgain", method: "PUT", path: "/api/v1/Owners/{o1}/BoundLocks", as: "admin",
				body: `{"physicalLockId":"{free}","bindingCode":"{freeCode}"}`, wantStatus: 403,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The lock is already bound to an owner account.","ErrorDetails":"physical lock \"{free}\" is bound to an owner account already","UserErrorMessage":""}`},
			{name: "FilterByPhysicalLockID", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks?$filter=physicalLockId%20eq%20'{freeQuery}'&$select=title,physicalLockId", as: "reader", wantStatus: 200,
				wantBody: `[{"physicalLockId":"{free}","title":"Garage"}]`},
			{name: "GetExpanded", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}?expand=supportedFeatures,membershipStatistics,healthStatuses", as: "reader", wantStatus: 200,
				dynamic: []string{"physicalLockId", "bindDate"},
				wantBody: `{"id":"{lock1}","ownerAccountId":"{o1}","physicalLockId":"<physicalLockId>","title":"Front Door","description":"",` + lockType +
					`,"bindDate":"<time>","unbindDate":null,"active":true,"rclSerialNo":0,"rclDate":null,"lastSeenRclSerialNo":null,"lastSeenRclUpdateDate":null,"targetType":"Lock","supportedFeatures":{"timeRestrictionIcalSupport":"Supported"},"membershipStatistics":{"ByState":[]},"healthStatuses":[]}`},
			{name: "UnknownExpand", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}?$expand=colour", as: "reader", wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"expand: unknown value \"colour\"; allowed are supportedFeatures, membershipStatistics, healthStatuses","UserErrorMessage":""}`},
			{name: "Patch", method: "PATCH", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}", as: "admin",
				body: `{"title":"Main Door","description":"ground floor"}`, wantStatus: 200, dynamic: []string{"physicalLockId", "bindDate"},
				wantBody: `{"id":"{lock1}","ownerAccountId":"{o1}","physicalLockId":"<physicalLockId>","title":"Main Door","description":"ground floor",` + lockType +
					`,"bindDate":"<time>","unbindDate":null,"active":true,"rclSerialNo":0,"rclDate":null,"lastSeenRclSerialNo":null,"lastSeenRclUpdateDate":null,"targetType":"Lock","supportedFeatures":null,"membershipStatistics":null,"healthStatuses":null}`},
			{name: "Unbind", method: "DELETE", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}", as: "admin", wantStatus: 204},
			{name: "UnboundStaysVisible", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks?$filter=active%20eq%20false&$select=id,active", as: "reader", wantStatus: 200,
				wantBody: `[{"id":"{lock1}","active":false}]`},
			{name: "TopTooLarge", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks?$top=5000", as: "reader", wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"$top: must be an integer between 0 and 1000, got \"5000\"","UserErrorMessage":""}`},
			{name: "FilterUnknownProperty", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks?$filter=colour%20eq%20'red'", as: "reader", wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"$filter: unknown property \"colour\" at position 1","UserErrorMessage":""}`},
		})
	})
}

// urlLockID is the URL form of a physical lock id: URL-safe Base64 without padding.
func urlLockID(id string) string {
	return strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(id), "=")
}

// TestBoundLocks_BindingCodeIsPermanent follows a lock through two owners: its binding code,
// like the code printed on a Tapkey lock, binds it whenever it is unbound and never while it is
// bound, in whatever account.
func TestBoundLocks_BindingCodeIsPermanent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		f.client(context.Background(), "oscarAdmin", allScopes, f.ids["o2"])
		f.ids["free"], f.ids["freeCode"] = f.freeLockID, f.freeCode
		bind := func(owner, as string) string {
			t.Helper()
			l, err := f.account(as, owner).BindLock(context.Background(), keyward.BindLockRequest{PhysicalLockID: f.freeLockID, BindingCode: f.freeCode})
			if err != nil || l.OwnerAccountID != f.ids[owner] || l.PhysicalLockID != f.freeLockID || !l.Active {
				t.Fatalf("bind to %s: %v %s", owner, err, apitest.JSON(l))
			}
			return l.ID
		}
		const boundElsewhere = `{"ErrorCode":"","ErrorMessage":"The lock is already bound to an owner account.","ErrorDetails":"physical lock \"{free}\" is bound to an owner account already","UserErrorMessage":""}`
		f.ids["first"] = bind("o1", "admin")
		f.run(t, []scenario{
			{name: "BoundElsewhere", method: "PUT", path: "/api/v1/Owners/{o2}/BoundLocks", as: "oscarAdmin",
				body: `{"physicalLockId":"{free}","bindingCode":"{freeCode}"}`, wantStatus: 403, wantBody: boundElsewhere},
			{name: "Unbind", method: "DELETE", path: "/api/v1/Owners/{o1}/BoundLocks/{first}", as: "admin", wantStatus: 204},
			{name: "WrongCodeWhileUnbound", method: "PUT", path: "/api/v1/Owners/{o2}/BoundLocks", as: "oscarAdmin",
				body: `{"physicalLockId":"{free}","bindingCode":"WRONG"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The binding code is wrong.","ErrorDetails":"no lock with physicalLockId \"{free}\" and this binding code is registered","UserErrorMessage":""}`},
		})
		f.ids["second"] = bind("o2", "oscarAdmin") // the same code, in the lock's next account
		f.run(t, []scenario{
			{name: "BoundElsewhereAgain", method: "PUT", path: "/api/v1/Owners/{o1}/BoundLocks", as: "admin",
				body: `{"physicalLockId":"{free}","bindingCode":"{freeCode}"}`, wantStatus: 403, wantBody: boundElsewhere},
			{name: "UnbindSecond", method: "DELETE", path: "/api/v1/Owners/{o2}/BoundLocks/{second}", as: "oscarAdmin", wantStatus: 204},
		})
		if third := bind("o1", "admin"); third == f.ids["first"] || third == f.ids["second"] {
			t.Fatalf("binding again reused the bound lock %s; every binding is a new bound lock", third)
		}
	})
}
