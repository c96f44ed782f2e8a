package app_test

import (
	"context"
	"encoding/json"
	"testing"
)

func TestLockGroups(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		res := f.do("PUT", "/api/v1/Owners/{o1}/LockGroups", f.token("admin"), `{"title":"Building A","description":"all doors"}`, nil)
		checkJSON(t, res.body, f.expand(`{"id":"<id>","ownerAccountId":"{o1}","title":"Building A","description":"all doors","active":true,"rclSerialNo":null,"rclDate":null,"targetType":"Group","physicalLockId":null,"supportedFeatures":null,"statistics":null}`), "id")
		var g struct{ ID string }
		f.must(json.Unmarshal([]byte(res.body), &g))
		f.ids["group"] = g.ID
		f.run(t, []scenario{
			{name: "CreateWithoutTitle", method: "PUT", path: "/api/v1/Owners/{o1}/LockGroups", as: "admin", body: `{"description":"x"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"field \"title\" is required","UserErrorMessage":""}`},
			{name: "AddMember", method: "PUT", path: "/api/v1/Owners/{o1}/LockGroups/{group}/BoundLocks", as: "admin", body: `{"boundLockId":"{lock1}"}`, wantStatus: 200,
				wantBody: `{"id":"{group}","ownerAccountId":"{o1}","title":"Building A","description":"all doors","active":true,"rclSerialNo":null,"rclDate":null,"targetType":"Group","physicalLockId":null,"supportedFeatures":null,"statistics":null}`},
			{name: "AddOtherTenantsLock", method: "PUT", path: "/api/v1/Owners/{o1}/LockGroups/{group}/BoundLocks", as: "admin", body: `{"boundLockId":"{lock2}"}`, wantStatus: 404,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The resource was not found.","ErrorDetails":"bound lock \"{lock2}\" does not exist","UserErrorMessage":""}`},
			{name: "Members", method: "GET", path: "/api/v1/Owners/{o1}/LockGroups/{group}/BoundLocks?$select=id,title", as: "reader", wantStatus: 200,
				wantBody: `[{"id":"{lock1}","title":"Front Door"}]`},
			{name: "GetExpanded", method: "GET", path: "/api/v1/Owners/{o1}/LockGroups/{group}?expand=supportedFeatures,statistics", as: "reader", wantStatus: 200,
				wantBody: `{"id":"{group}","ownerAccountId":"{o1}","title":"Building A","description":"all doors","active":true,"rclSerialNo":null,"rclDate":null,"targetType":"Group","physicalLockId":null,"supportedFeatures":{"timeRestrictionIcalSupport":"Supported"},"statistics":{"ByState":[{"State":"JoinPending","Count":1}]}}`},
			{name: "Patch", method: "PATCH", path: "/api/v1/Owners/{o1}/LockGroups/{group}", as: "admin", body: `{"title":"Building B"}`, wantStatus: 200,
				wantBody: `{"id":"{group}","ownerAccountId":"{o1}","title":"Building B","description":"all doors","active":true,"rclSerialNo":null,"rclDate":null,"targetType":"Group","physicalLockId":null,"supportedFeatures":null,"statistics":null}`},
			{name: "RemoveMember", method: "DELETE", path: "/api/v1/Owners/{o1}/LockGroups/{group}/BoundLocks/{lock1}", as: "admin", wantStatus: 204},
			{name: "RemoveAgain", method: "DELETE", path: "/api/v1/Owners/{o1}/LockGroups/{group}/BoundLocks/{lock1}", as: "admin", wantStatus: 404,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The resource was not found.","ErrorDetails":"bound lock \"{lock1}\" is not a member of lock group \"{group}\"","UserErrorMessage":""}`},
			{name: "ListAfterRemove", method: "GET", path: "/api/v1/Owners/{o1}/LockGroups/{group}/BoundLocks", as: "reader", wantStatus: 200, wantBody: `[]`},
			{name: "Delete", method: "DELETE", path: "/api/v1/Owners/{o1}/LockGroups/{group}", as: "admin", wantStatus: 204},
			{name: "DeletedStaysReadable", method: "GET", path: "/api/v1/Owners/{o1}/LockGroups?$select=id,active", as: "reader", wantStatus: 200,
				wantBody: `[{"id":"{group}","active":false}]`},
			{name: "NoMembersForDeleted", method: "PUT", path: "/api/v1/Owners/{o1}/LockGroups/{group}/BoundLocks", as: "admin", body: `{"boundLockId":"{lock1}"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"lock group \"{group}\" is deleted and cannot get members","UserErrorMessage":""}`},
		})
	})
}

func TestBoundCards(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		card, err := f.m.Service.RegisterCard(asOperator(context.Background()), 4)
		f.must(err)
		f.ids["pcard"], f.ids["uid"] = card.ID, card.UID
		res := f.do("PUT", "/api/v1/Owners/{o1}/BoundCards", f.token("admin"), `{"physicalCardId":"{pcard}","title":"Ann's card","label":"0042"}`, nil)
		if res.status != 200 {
			t.Fatalf("bind card: %d %s", res.status, res.body)
		}
		checkJSON(t, res.body, f.expand(`{"id":"<id>","label":"0042","uid":"{uid}","isActive":true,"physicalCardId":"{pcard}","ownerAccountId":"{o1}","bindDate":"<time>","unbindDate":null,"title":"Ann's card","nofGrantsCapacity":4}`), "id", "bindDate")
		var c struct{ ID, BindDate string }
		f.must(json.Unmarshal([]byte(res.body), &c))
		f.ids["card"], f.ids["cardBindDate"] = c.ID, c.BindDate
		f.run(t, []scenario{
			{name: "BindAgainByUID", method: "PUT", path: "/api/v1/Owners/{o2}/BoundCards", as: "admin", body: `{"uid":"{uid}"}`, wantStatus: 403,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The caller has no permission for this operation.","ErrorDetails":"the caller has no permission on owner account \"{o2}\"","UserErrorMessage":""}`},
			{name: "BindAgain", method: "PUT", path: "/api/v1/Owners/{o1}/BoundCards", as: "admin", body: `{"uid":"{uid}"}`, wantStatus: 403,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The card is already bound to an owner account.","ErrorDetails":"physical card \"{pcard}\" is bound to an owner account already","UserErrorMessage":""}`},
			{name: "BindUnknown", method: "PUT", path: "/api/v1/Owners/{o1}/BoundCards", as: "admin", body: `{"uid":"AAAA"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"no card with this uid is registered","UserErrorMessage":""}`},
			{name: "PatchTitle", method: "PATCH", path: "/api/v1/Owners/{o1}/BoundCards/{card}", as: "admin", body: `{"title":"Spare"}`, wantStatus: 204},
			{name: "Get", method: "GET", path: "/api/v1/Owners/{o1}/BoundCards/{card}", as: "reader", wantStatus: 200,
				wantBody: `{"id":"{card}","label":"0042","uid":"{uid}","isActive":true,"physicalCardId":"{pcard}","ownerAccountId":"{o1}","bindDate":"{cardBindDate}","unbindDate":null,"title":"Spare","nofGrantsCapacity":4}`},
			{name: "ListSelect", method: "GET", path: "/api/v1/Owners/{o1}/BoundCards?$select=id,title&$filter=isActive%20eq%20true", as: "reader", wantStatus: 200,
				wantBody: `[{"id":"{card}","title":"Spare"}]`},
			{name: "PatchOtherTenant", method: "PATCH", path: "/api/v1/Owners/{o1}/BoundCards/nope", as: "admin", body: `{"title":"x"}`, wantStatus: 404,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The resource was not found.","ErrorDetails":"bound card \"nope\" does not exist","UserErrorMessage":""}`},
		})
	})
}
