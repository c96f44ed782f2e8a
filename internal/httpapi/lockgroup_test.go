package httpapi

import (
	"context"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
)

// lockGroupJSON is a lock group of o1 on the wire, written out by hand.
func lockGroupJSON(id, title, description, supportedFeatures, statistics string) string {
	return `{"id":"` + id + `","ownerAccountId":"{o1}","title":"` + title + `","description":"` + description +
		`","active":true,"rclSerialNo":null,"rclDate":null,"targetType":"Group","physicalLockId":null,` +
		`"supportedFeatures":` + supportedFeatures + `,"statistics":` + statistics + `}`
}

func TestServer_LockGroups(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	asAda := keyward.NewContextWithPrincipal(context.Background(), w.token("ada", allScopes...))
	w.ids["g2"] = apitest.Check(w.svc.CreateLockGroup(asAda, w.ids["o1"], keyward.LockGroupCreate{Title: "Floor 2"}))(t).ID
	const twoPending = `{"ByState":[{"State":"JoinPending","Count":2}]}`
	runScenarios(t, w, []scenario{
		{Name: "List", Method: "GET", Path: "/api/v1/Owners/{o1}/LockGroups?$expand=statistics",
			WantStatus: 200, WantBody: `[` + lockGroupJSON("{g1}", "Floor 1", "East wing", "null", twoPending) + `,` +
				lockGroupJSON("{g2}", "Floor 2", "", "null", `{"ByState":[]}`) + `]`},
		{Name: "GetExpand", Method: "GET", Path: "/api/v1/Owners/{o1}/LockGroups/{g1}?expand=supportedFeatures,statistics",
			WantStatus: 200, WantBody: lockGroupJSON("{g1}", "Floor 1", "East wing", supported, twoPending)},
		{Name: "Members", Method: "GET", Path: "/api/v1/Owners/{o1}/LockGroups/{g1}/BoundLocks?$select=id,title",
			WantStatus: 200, WantBody: `[{"id":"{lock1}","title":"Front door"},{"id":"{lock2}","title":"Back door"}]`},
		{Name: "MembersEmptyIsArray", Method: "GET", Path: "/api/v1/Owners/{o1}/LockGroups/{g2}/BoundLocks",
			WantStatus: 200, WantBody: `[]`},
		{Name: "Create", Method: "PUT", Path: "/api/v1/Owners/{o1}/lockgroups", Body: `{"title":"Floor 3","description":"West wing"}`,
			WantStatus: 200, WantBody: lockGroupJSON("{new}", "Floor 3", "West wing", "null", "null")},
		{Name: "Patch", Method: "PATCH", Path: "/api/v1/Owners/{o1}/LockGroups/{g1}", Body: `{"title":"Ground floor"}`,
			WantStatus: 200, WantBody: lockGroupJSON("{g1}", "Ground floor", "East wing", "null", "null")},
		{Name: "AddMemberReturnsGroup", Method: "PUT", Path: "/api/v1/owners/{o1}/lockgroups/{g2}/boundlocks", Body: `{"boundLockId":"{lock1}"}`,
			WantStatus: 200, WantBody: lockGroupJSON("{g2}", "Floor 2", "", "null", "null")},
		{Name: "RemoveMember", Method: "DELETE", Path: "/api/v1/Owners/{o1}/LockGroups/{g1}/BoundLocks/{lock2}",
			WantStatus: 204},
		{Name: "MembersAfterChanges", Method: "GET", Path: "/api/v1/Owners/{o1}/LockGroups/{g2}/BoundLocks?$select=id",
			WantStatus: 200, WantBody: `[{"id":"{lock1}"}]`},
		{Name: "Delete", Method: "DELETE", Path: "/api/v1/Owners/{o1}/LockGroups/{g2}",
			WantStatus: 204},
		{Name: "ErrCreateNotInPlan", Method: "PUT", Path: "/api/v1/Owners/{o2}/LockGroups", Body: `{"title":"x"}`,
			Header:     map[string]string{"Accept-Language": "de"},
			WantStatus: 402, WantBody: errBody("InsufficientAccountLevel", "The owner account's plan does not include this feature.",
				`the plan "free" of owner account "{o2}" does not include lockGroups`, "Ihr Tarif enthält diese Funktion nicht.")},
	})
}
