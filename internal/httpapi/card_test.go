package httpapi

import "testing"

// boundCardJSON is a bound card of o1 on the wire, written out by hand; label and title are JSON.
func boundCardJSON(id, pc, uid, label, title string) string {
	return `{"id":"` + id + `","label":` + label + `,"uid":"` + uid + `","isActive":true,"physicalCardId":"` + pc +
		`","ownerAccountId":"{o1}","bindDate":` + testTimeJSON + `,"unbindDate":null,"title":` + title + `,"nofGrantsCapacity":8}`
}

func TestServer_BoundCards(t *testing.T) {
	t.Parallel()
	runScenarios(t, newWorld(t), []scenario{
		{Name: "List", Method: "GET", Path: "/api/v1/Owners/{o1}/BoundCards",
			WantStatus: 200, WantBody: `[` + boundCardJSON("{k1}", "{pc1}", "{uid1}", `"0042"`, "null") + `]`},
		{Name: "ListSelect", Method: "GET", Path: "/api/v1/Owners/{o1}/BoundCards?$select=id,title",
			WantStatus: 200, WantBody: `[{"id":"{k1}","title":null}]`},
		{Name: "Bind", Method: "PUT", Path: "/api/v1/Owners/{o1}/BoundCards", Body: `{"uid":"{uid2}","title":"Janitor"}`,
			WantStatus: 200, WantBody: boundCardJSON("{new}", "{pc2}", "{uid2}", `""`, `"Janitor"`)},
		{Name: "Get", Method: "GET", Path: "/api/v1/owners/{o1}/boundcards/{k1}",
			WantStatus: 200, WantBody: boundCardJSON("{k1}", "{pc1}", "{uid1}", `"0042"`, "null")},
		{Name: "PatchIsNoContent", Method: "PATCH", Path: "/api/v1/Owners/{o1}/BoundCards/{k1}", Body: `{"title":"Lost"}`,
			WantStatus: 204},
		{Name: "GetPatched", Method: "GET", Path: "/api/v1/Owners/{o1}/BoundCards/{k1}",
			WantStatus: 200, WantBody: boundCardJSON("{k1}", "{pc1}", "{uid1}", `"0042"`, `"Lost"`)},
		{Name: "ErrPatchMalformed", Method: "PATCH", Path: "/api/v1/Owners/{o1}/BoundCards/{k1}", Body: `{"title":1}`,
			WantStatus: 400, WantBody: errBody("", "The request is invalid.", `field "title": expected string`, "")},
	})
}
