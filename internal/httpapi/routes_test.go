package httpapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// routeWant is one expected route and the use case its handler calls, as refusals name it.
type routeWant struct {
	Route
	Calls string
}

var wantRoutes = []routeWant{
	{Route{"GET", "/api/v1/openapi.yaml", true, "", false}, ""},
	{Route{"GET", "/api/v1/Owners", false, "Owner", false}, "list the owner accounts"},
	{Route{"PUT", "/api/v1/Owners", false, "", false}, "create an owner account"},
	{Route{"GET", "/api/v1/Owners/{ownerId}", false, "", true}, "read the owner account"},
	{Route{"PATCH", "/api/v1/Owners/{ownerId}", false, "", false}, "change the owner account"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/Permissions", false, "Permission", true}, "list the permissions"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/Permissions", false, "", false}, "grant a permission"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/Permissions/{permissionId}", false, "", true}, "read a permission"},
	{Route{"DELETE", "/api/v1/Owners/{ownerId}/Permissions/{permissionId}", false, "", false}, "remove a permission"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/BoundLocks", false, "BoundLock", true}, "list the bound locks"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/BoundLocks", false, "", false}, "bind a lock"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/BoundLocks/{boundLockId}", false, "", true}, "read a bound lock"},
	{Route{"PATCH", "/api/v1/Owners/{ownerId}/BoundLocks/{boundLockId}", false, "", false}, "change a bound lock"},
	{Route{"DELETE", "/api/v1/Owners/{ownerId}/BoundLocks/{boundLockId}", false, "", false}, "unbind a lock"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/LockGroups", false, "LockGroup", true}, "list the lock groups"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/LockGroups", false, "", false}, "create a lock group"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/LockGroups/{lockGroupId}", false, "", true}, "read a lock group"},
	{Route{"PATCH", "/api/v1/Owners/{ownerId}/LockGroups/{lockGroupId}", false, "", false}, "change a lock group"},
	{Route{"DELETE", "/api/v1/Owners/{ownerId}/LockGroups/{lockGroupId}", false, "", false}, "delete a lock group"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/LockGroups/{lockGroupId}/BoundLocks", false, "BoundLock", true}, "list a lock group's members"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/LockGroups/{lockGroupId}/BoundLocks", false, "", false}, "add a lock to a lock group"},
	{Route{"DELETE", "/api/v1/Owners/{ownerId}/LockGroups/{lockGroupId}/BoundLocks/{boundLockId}", false, "", false}, "remove a lock from a lock group"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/Contacts", false, "Contact", true}, "list the contacts"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/Contacts", false, "", false}, "create a contact"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/Contacts/{contactId}", false, "", true}, "read a contact"},
	{Route{"PATCH", "/api/v1/Owners/{ownerId}/Contacts/{contactId}", false, "", false}, "change a contact"},
	{Route{"DELETE", "/api/v1/Owners/{ownerId}/Contacts/{contactId}", false, "", false}, "delete a contact"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/BoundCards", false, "BoundCard", true}, "list the bound cards"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/BoundCards", false, "", false}, "bind a card"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/BoundCards/{boundCardId}", false, "", true}, "read a bound card"},
	{Route{"PATCH", "/api/v1/Owners/{ownerId}/BoundCards/{boundCardId}", false, "", false}, "change a bound card"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/BoundLocks/{boundLockId}/AccessCheck", false, "", false}, "check access to a lock"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/BoundLocks/{boundLockId}/Propagation", false, "", false}, "read a bound lock's propagation"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/LogEntries", false, "LogEntry", false}, "list the log entries"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/BoundLocks/{boundLockId}/LogEntries", false, "LogEntry", false}, "list a bound lock's log entries"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/Grants", false, "Grant", true}, "list the grants"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/Grants", false, "", false}, "create a grant"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/Grants/{grantId}", false, "", true}, "read a grant"},
	{Route{"POST", "/api/v1/Owners/{ownerId}/Grants/{grantId}/Revoke", false, "", false}, "revoke a grant"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/Grants/{grantId}/Revoke", false, "", false}, "revoke a grant"},
	{Route{"POST", "/api/v1/Owners/{ownerId}/Grants/{grantId}/DeleteFromCard", false, "", false}, "delete a grant from a card"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/Grants/{grantId}/Windows", false, "", false}, "list a grant's access windows"},
	{Route{"POST", "/api/v1/Owners/{ownerId}/Contacts/{contactId}/RevokeGrants", false, "", false}, "revoke a contact's grants"},
	{Route{"POST", "/api/v1/Owners/{ownerId}/BoundCards/{boundCardId}/RevokeGrants", false, "", false}, "revoke a bound card's grants"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/BoundCards/{boundCardId}/Grants", false, "Grant", true}, "list a bound card's grants"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/IdentityProviders", false, "", true}, "list the identity providers"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/IdentityProviders", false, "", false}, "register an identity provider"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/IdentityProviders/{ipId}", false, "", true}, "read an identity provider"},
	{Route{"DELETE", "/api/v1/Owners/{ownerId}/IdentityProviders/{ipId}", false, "", false}, "delete an identity provider"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/IdentityProviders/{ipId}/Users", false, "IPUser", true}, "list an identity provider's users"},
	{Route{"PUT", "/api/v1/Owners/{ownerId}/IdentityProviders/{ipId}/Users", false, "", false}, "create an identity provider's user"},
	{Route{"GET", "/api/v1/Owners/{ownerId}/IdentityProviders/{ipId}/Users/{userId}", false, "", true}, "read an identity provider's user"},
	{Route{"PATCH", "/api/v1/Owners/{ownerId}/IdentityProviders/{ipId}/Users/{userId}", false, "", false}, "change an identity provider's user"},
	{Route{"GET", "/api/v1/Me", false, "", false}, "read the caller's user"},
	{Route{"GET", "/api/v1/Me/Mobiles", false, "", false}, "list the caller's mobiles"},
	{Route{"PUT", "/api/v1/Me/Mobiles", false, "", false}, "register a mobile"},
	{Route{"DELETE", "/api/v1/Me/Mobiles/{mobileId}", false, "", false}, "remove a mobile"},
	{Route{"GET", "/api/v1/Me/Mobiles/{mobileId}/Keys", false, "", false}, "fetch a mobile's keys"},
	{Route{"POST", "/api/v1/Devices/Locks/Sync", true, "", false}, ""},
}

func TestServer_Routes(t *testing.T) {
	t.Parallel()
	got := newTestServer(newWorld(t), io.Discard).Routes()
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
// filled, as a lock acting as itself: every use case of the Management API refuses a device,
// and the refusal names the use case that answered.
func TestServer_RoutesReachTheirHandler(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	srv := newTestServer(w, io.Discard)
	param := regexp.MustCompile(`\{[^}]*\}`)
	for _, rt := range wantRoutes {
		if rt.Public {
			continue
		}
		t.Run(rt.Method+" "+rt.Pattern, func(t *testing.T) {
			sc := scenario{Method: rt.Method, Path: strings.ToLower(param.ReplaceAllString(rt.Pattern, "ID")),
				Header: map[string]string{"Authorization": "Bearer device"}}
			if rt.Method == "PUT" || rt.Method == "PATCH" {
				sc.Body = "{}"
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, w.request(sc))
			want := errBody("", "The caller has no permission for this operation.",
				w.expand(`lock "{phys1}" acts only as itself and cannot `+rt.Calls+`; only a user (with a token or a session) can`), "")
			if rec.Code != http.StatusForbidden {
				t.Errorf("status = %d, want 403", rec.Code)
			}
			checkBody(t, rec.Body.Bytes(), want)
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
	w := newWorld(t)
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			s := New(Config{Services: w.svc.Services(), Verifier: w, Logger: discardLogger(), OpenAPI: tt.Spec})
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
	t.Parallel()
	w := newWorld(t)
	ts := httptest.NewServer(newTestServer(w, io.Discard))
	t.Cleanup(ts.Close)
	tests := []struct {
		Name       string
		Method     string
		Path       string
		Body       string
		WantStatus int
		WantBody   string
	}{
		{Name: "DoubleSlashes", Method: "GET", Path: "//api//V1//owners//{o1}//",
			WantStatus: 200, WantBody: ownerJSON},
		{Name: "ErrTooLarge", Method: "PUT", Path: "/api/v1/Owners", Body: strings.Repeat(" ", DefaultMaxBodyBytes+1),
			WantStatus: 400, WantBody: errBody("", "The request is invalid.", "request body exceeds 1048576 bytes", "")},
	}
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			req, err := http.NewRequest(tt.Method, ts.URL+w.expand(tt.Path), strings.NewReader(tt.Body))
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
			checkBody(t, body, w.expand(tt.WantBody))
		})
	}
}
