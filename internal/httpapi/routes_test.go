package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// routeWant is one expected route and the Service method its handler calls.
type routeWant struct {
	Route
	Calls string
}

var wantRoutes = []routeWant{
	{Route{"GET", "/api/v1/openapi.yaml", true, ""}, ""},
	{Route{"GET", "/api/v1/Owners", false, "Owner"}, "FindOwners"},
	{Route{"PUT", "/api/v1/Owners", false, ""}, "CreateOwner"},
	{Route{"GET", "/api/v1/Owners/{ownerId}", false, ""}, "FindOwner"},
	{Route{"PATCH", "/api/v1/Owners/{ownerId}", false, ""}, "UpdateOwner"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/Permissions", false, "Permission"}, "FindPermissions"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/Permissions", false, ""}, "CreatePermission"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/Permissions/{permissionId}", false, ""}, "FindPermission"},
	{Route{"DELETE", "/api/v1/Owners/{ownerId}/Permissions/{permissionId}", false, ""}, "DeletePermission"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/BoundLocks", false, "BoundLock"}, "FindBoundLocks"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/BoundLocks", false, ""}, "BindLock"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/BoundLocks/{boundLockId}", false, ""}, "FindBoundLock"},
	{Route{"PATCH", "/api/v1/Owners/{ownerId}/BoundLocks/{boundLockId}", false, ""}, "UpdateBoundLock"},
	{Route{"DELETE", "/api/v1/Owners/{ownerId}/BoundLocks/{boundLockId}", false, ""}, "UnbindLock"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/LockGroups", false, "LockGroup"}, "FindLockGroups"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/LockGroups", false, ""}, "CreateLockGroup"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/LockGroups/{lockGroupId}", false, ""}, "FindLockGroup"},
	{Route{"PATCH", "/api/v1/Owners/{ownerId}/LockGroups/{lockGroupId}", false, ""}, "UpdateLockGroup"},
	{Route{"DELETE", "/api/v1/Owners/{ownerId}/LockGroups/{lockGroupId}", false, ""}, "DeleteLockGroup"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/LockGroups/{lockGroupId}/BoundLocks", false, "BoundLock"}, "FindLockGroupMembers"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/LockGroups/{lockGroupId}/BoundLocks", false, ""}, "AddLockGroupMember"},
	{Route{"DELETE", "/api/v1/Owners/{ownerId}/LockGroups/{lockGroupId}/BoundLocks/{boundLockId}", false, ""}, "RemoveLockGroupMember"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/Contacts", false, "Contact"}, "FindContacts"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/Contacts", false, ""}, "CreateContact"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/Contacts/{contactId}", false, ""}, "FindContact"},
	{Route{"PATCH", "/api/v1/Owners/{ownerId}/Contacts/{contactId}", false, ""}, "UpdateContact"},
	{Route{"DELETE", "/api/v1/Owners/{ownerId}/Contacts/{contactId}", false, ""}, "DeleteContact"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/BoundCards", false, "BoundCard"}, "FindBoundCards"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/BoundCards", false, ""}, "BindCard"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/BoundCards/{boundCardId}", false, ""}, "FindBoundCard"},
	{Route{"PATCH", "/api/v1/Owners/{ownerId}/BoundCards/{boundCardId}", false, ""}, "UpdateBoundCard"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/BoundLocks/{boundLockId}/AccessCheck", false, ""}, "AccessCheck"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/Grants", false, "Grant"}, "FindGrants"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/Grants", false, ""}, "CreateGrant"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/Grants/{grantId}", false, ""}, "FindGrant"},
	{Route{"POST", "/api/v1/Owners/{ownerId}/Grants/{grantId}/Revoke", false, ""}, "RevokeGrant"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/Grants/{grantId}/Revoke", false, ""}, "RevokeGrant"},
	{Route{"POST", "/api/v1/Owners/{ownerId}/Grants/{grantId}/DeleteFromCard", false, ""}, "DeleteGrantFromCard"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/Grants/{grantId}/Windows", false, ""}, "GrantWindows"},
	{Route{"POST", "/api/v1/Owners/{ownerId}/Contacts/{contactId}/RevokeGrants", false, ""}, "RevokeContactGrants"},
	{Route{"POST", "/api/v1/Owners/{ownerId}/BoundCards/{boundCardId}/RevokeGrants", false, ""}, "RevokeBoundCardGrants"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/BoundCards/{boundCardId}/Grants", false, "Grant"}, "FindBoundCardGrants"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/IdentityProviders", false, ""}, "FindIdentityProviders"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/IdentityProviders", false, ""}, "CreateIdentityProvider"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/IdentityProviders/{ipId}", false, ""}, "FindIdentityProvider"},
	{Route{"DELETE", "/api/v1/Owners/{ownerId}/IdentityProviders/{ipId}", false, ""}, "DeleteIdentityProvider"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/IdentityProviders/{ipId}/Users", false, "IPUser"}, "FindIPUsers"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/IdentityProviders/{ipId}/Users", false, ""}, "CreateIPUser"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/IdentityProviders/{ipId}/Users/{userId}", false, ""}, "FindIPUser"},
	{Route{"PATCH", "/api/v1/Owners/{ownerId}/IdentityProviders/{ipId}/Users/{userId}", false, ""}, "UpdateIPUser"},
}

func TestServer_Routes(t *testing.T) {
	got := newTestServer(nil, io.Discard).Routes()
	if len(got) != len(wantRoutes) {
		t.Errorf("got %d routes, want %d", len(got), len(wantRoutes))
	}
	for i := range min(len(got), len(wantRoutes)) {
		if got[i] != wantRoutes[i].Route {
			t.Errorf("route %d = %+v, want %+v", i, got[i], wantRoutes[i].Route)
		}
	}
}

// TestServer_RoutesReachTheirHandler sends each route, in lower case and with its parameters
// filled, to a fake with no methods set and reads from the log which Service method answered.
func TestServer_RoutesReachTheirHandler(t *testing.T) {
	param := regexp.MustCompile(`\{[^}]*\}`)
	for _, rt := range wantRoutes {
		if rt.Public {
			continue
		}
		t.Run(rt.Method+" "+rt.Pattern, func(t *testing.T) {
			t.Parallel()
			sc := scenario{Method: rt.Method, Path: strings.ToLower(param.ReplaceAllString(rt.Pattern, "ID"))}
			if rt.Method == "PUT" || rt.Method == "PATCH" {
				sc.Body = "{}"
			}
			var logs bytes.Buffer
			if rec := serve(t, sc, &logs); rec.Code != http.StatusInternalServerError {
				t.Fatalf("status = %d, want 500 from the unset fake method (body %s)", rec.Code, rec.Body)
			}
			want := "fake service: " + rt.Calls + " not set"
			var errs []string
			for _, rec := range logRecords(t, &logs) {
				if rec["msg"] == "internal error" {
					errs = append(errs, rec["error"].(string))
				}
			}
			if len(errs) != 1 || !strings.Contains(errs[0], want) {
				t.Errorf("internal errors logged = %q, want one containing %q", errs, want)
			}
		})
	}
}

func TestServer_OpenAPI(t *testing.T) {
	tests := []struct {
		Name       string
		Spec       []byte
		WantStatus int
		WantType   string
		WantBody   string
	}{
		{Name: "ServedWithoutToken", Spec: []byte("openapi: 3.1.0\n"), WantStatus: 200,
			WantType: "application/yaml; charset=utf-8", WantBody: "openapi: 3.1.0\n"},
		{Name: "ErrNotConfigured", WantStatus: 404, WantType: contentTypeJSON,
			WantBody: errBody("", "The resource was not found.", "no OpenAPI document is configured", "")},
	}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			s := New(Config{Service: &fakeService{}, Verifier: fakeVerifier{}, Logger: discardLogger(), OpenAPI: tt.Spec})
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest("GET", "/API/V1/OpenAPI.yaml", nil))
			if rec.Code != tt.WantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.WantStatus)
			}
			if got := rec.Header().Get("Content-Type"); got != tt.WantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.WantType)
			}
			if got := rec.Body.String(); got != tt.WantBody {
				t.Errorf("body = %q, want %q", got, tt.WantBody)
			}
		})
	}
}

func TestOwnsPath(t *testing.T) {
	tests := []struct {
		Path string
		Want bool
	}{
		{"/api/v1/Owners", true},
		{"/API/v1", true},
		{"//api//v1/", true},
		{"/api", true},
		{"/apix/v1", false},
		{"/connect/token", false},
		{"/", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.Path, func(t *testing.T) {
			if got := OwnsPath(tt.Path); got != tt.Want {
				t.Errorf("OwnsPath(%q) = %v, want %v", tt.Path, got, tt.Want)
			}
		})
	}
}

// TestServer_OverTheNetwork checks that what the tests send through ServeHTTP also survives a
// real net/http server and client: doubled slashes are not cleaned away and an oversized body is
// answered with the 400 body.
func TestServer_OverTheNetwork(t *testing.T) {
	ts := httptest.NewServer(newTestServer(ownerService(), io.Discard))
	t.Cleanup(ts.Close)
	tests := []struct {
		Name       string
		Method     string
		Path       string
		Body       string
		WantStatus int
		WantBody   string
	}{
		{Name: "DoubleSlashes", Method: "GET", Path: "//api//V1//owners//o1//",
			WantStatus: 200, WantBody: `{"id":"o1","name":"Office","active":true}`},
		{Name: "ErrTooLarge", Method: "PUT", Path: "/api/v1/Owners", Body: strings.Repeat(" ", DefaultMaxBodyBytes+1),
			WantStatus: 400, WantBody: errBody("", "The request is invalid.", "request body exceeds 1048576 bytes", "")},
	}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			req, err := http.NewRequest(tt.Method, ts.URL+tt.Path, strings.NewReader(tt.Body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer good")
			res, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tt.WantStatus {
				t.Errorf("status = %d, want %d", res.StatusCode, tt.WantStatus)
			}
			checkBody(t, body, tt.WantBody)
		})
	}
}
