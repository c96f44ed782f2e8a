package httpapi

import "testing"

func TestServer_Owners(t *testing.T) {
	t.Parallel()
	const home = `{"id":"{o2}","name":"Home","active":true}`
	other := map[string]string{"Authorization": "Bearer other"}
	runScenarios(t, newWorld(t), []scenario{
		{Name: "List", Method: "GET", Path: "/api/v1/Owners",
			WantStatus: 200, WantBody: `[` + ownerJSON + `,` + home + `]`},
		{Name: "ListEmptyIsArray", Method: "GET", Path: "/api/v1/Owners", Header: other,
			WantStatus: 200, WantBody: `[]`},
		{Name: "ListSelect", Method: "GET", Path: "/api/v1/Owners?$select=id,name",
			WantStatus: 200, WantBody: `[{"id":"{o1}","name":"Office"},{"id":"{o2}","name":"Home"}]`},
		{Name: "ListSelectCaseInsensitive", Method: "GET", Path: "/api/v1/Owners?$SELECT=ID&",
			WantStatus: 200, WantBody: `[{"id":"{o1}"},{"id":"{o2}"}]`},
		{Name: "ListSelectEmptyIsArray", Method: "GET", Path: "/api/v1/Owners?$select=id", Header: other,
			WantStatus: 200, WantBody: `[]`},
		{Name: "ErrListBadOption", Method: "GET", Path: "/api/v1/Owners?$top=x",
			WantStatus: 400, WantBody: errBody("", "The request is invalid.", `$top: must be an integer between 0 and 1000, got "x"`, "")},
		{Name: "Get", Method: "GET", Path: "/api/v1/Owners/{o1}",
			WantStatus: 200, WantBody: ownerJSON},
		{Name: "Patch", Method: "PATCH", Path: "/api/v1/owners/{o1}", Body: `{"name":"Another Office"}`,
			WantStatus: 200, WantBody: `{"id":"{o1}","name":"Another Office","active":true}`},
		{Name: "ErrPatchWithoutBody", Method: "PATCH", Path: "/api/v1/owners/{o1}",
			WantStatus: 400, WantBody: errBody("", "The request is invalid.", "the request body is empty; a JSON object is required", "")},
		{Name: "Create", Method: "PUT", Path: "/api/v1/Owners", Body: `{"name":"Holiday Home"}`,
			WantStatus: 200, WantBody: `{"id":"{new}","name":"Holiday Home","active":true}`},
	})
}
