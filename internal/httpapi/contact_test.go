package httpapi

import "testing"

func TestServer_Contacts(t *testing.T) {
	t.Parallel()
	const external = `{"id":"{c2}","ownerId":"{o1}","identifier":null,"email":null,"ipId":"idp","ipUserId":"ext-7","title":null,"comment":null}`
	runScenarios(t, newWorld(t), []scenario{
		{Name: "ListSelect", Method: "GET", Path: "/api/v1/Owners/{o1}/Contacts?$select=id,identifier&",
			WantStatus: 200, WantBody: `[{"id":"{adaContact}","identifier":"ada@example.com"},{"id":"{c1}","identifier":"a@example.com"},{"id":"{c2}","identifier":null}]`},
		{Name: "Get", Method: "GET", Path: "/api/v1/Owners/{o1}/Contacts/{c2}",
			WantStatus: 200, WantBody: external},
		{Name: "Patch", Method: "PATCH", Path: "/api/v1/Owners/{o1}/Contacts/{c1}", Body: `{"title":"T","comment":"C"}`,
			WantStatus: 200, WantBody: `{"id":"{c1}","ownerId":"{o1}","identifier":"a@example.com","email":"a@example.com","ipId":"tapkey","ipUserId":null,"title":"T","comment":"C"}`},
		{Name: "Create", Method: "PUT", Path: "/api/v1/Owners/{o1}/Contacts", Body: `{"ipId":"idp","ipUserId":"ext-9","title":"Nine"}`,
			WantStatus: 200, WantBody: `{"id":"{new}","ownerId":"{o1}","identifier":null,"email":null,"ipId":"idp","ipUserId":"ext-9","title":"Nine","comment":null}`},
		{Name: "ErrDuplicate", Method: "PUT", Path: "/api/v1/Owners/{o1}/Contacts", Body: `{"identifier":"a@example.com"}`,
			WantStatus: 400, WantBody: errBody("Duplicate", "A contact with this identifier already exists.",
				`a contact for ipId "tapkey" and identifier "a@example.com" already exists in this owner account`, "This contact already exists.")},
		{Name: "Delete", Method: "DELETE", Path: "/api/v1/Owners/{o1}/Contacts/{c2}",
			WantStatus: 204},
		{Name: "GetDeleted", Method: "GET", Path: "/api/v1/Owners/{o1}/Contacts/{c2}",
			WantStatus: 404, WantBody: errBody("", "The resource was not found.", `contact "{c2}" does not exist`, "")},
	})
}
