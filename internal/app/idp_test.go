package app_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
)

// publicKeyPEM returns a new RSA key of the given size as a JSON-escaped PEM string.
func publicKeyPEM(t *testing.T, bits int) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	p := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	b, _ := json.Marshal(string(p))
	return strings.Trim(string(b), `"`)
}

func TestIdentityProviders(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		f.ids["key"] = publicKeyPEM(t, 2048)
		f.ids["smallKey"] = publicKeyPEM(t, 1024)
		idp := `{"ipId":"acme.app","ownerAccountId":"{o1}","issuer":"https://id.acme.example","audience":"keyward","publicKey":"{key}"}`
		f.run(t, []scenario{
			{name: "Create", method: "PUT", path: "/api/v1/Owners/{o1}/IdentityProviders", as: "admin",
				body: `{"ipId":"acme.app","issuer":"https://id.acme.example","audience":"keyward","publicKey":"{key}"}`, wantStatus: 200, wantBody: idp},
			{name: "TakenIPID", method: "PUT", path: "/api/v1/Owners/{o1}/IdentityProviders", as: "admin",
				body: `{"ipId":"acme.app","issuer":"x","audience":"y","publicKey":"{key}"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"the ipId \"acme.app\" is taken","UserErrorMessage":""}`},
			{name: "SmallKey", method: "PUT", path: "/api/v1/Owners/{o1}/IdentityProviders", as: "admin",
				body: `{"ipId":"small","issuer":"x","audience":"y","publicKey":"{smallKey}"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"field \"publicKey\": the RSA key has 1024 bits; 2048 to 4096 are accepted","UserErrorMessage":""}`},
			{name: "NotPEM", method: "PUT", path: "/api/v1/Owners/{o1}/IdentityProviders", as: "admin",
				body: `{"ipId":"nopem","issuer":"x","audience":"y","publicKey":"hello"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"field \"publicKey\" must be a PEM block \"-----BEGIN PUBLIC KEY-----\"","UserErrorMessage":""}`},
			{name: "NotAKeyInsidePEM", method: "PUT", path: "/api/v1/Owners/{o1}/IdentityProviders", as: "admin",
				body: `{"ipId":"garbled","issuer":"x","audience":"y","publicKey":"-----BEGIN PUBLIC KEY-----\nMAMCAQA=\n-----END PUBLIC KEY-----"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"field \"publicKey\": the PEM block does not hold a public key in the X.509 SubjectPublicKeyInfo form that \"BEGIN PUBLIC KEY\" announces","UserErrorMessage":""}`},
			{name: "TapkeyIsReserved", method: "PUT", path: "/api/v1/Owners/{o1}/IdentityProviders", as: "admin",
				body: `{"ipId":"tapkey","issuer":"x","audience":"y","publicKey":"{key}"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"field \"ipId\": \"tapkey\" is Keyward's own identity provider","UserErrorMessage":""}`},
			{name: "List", method: "GET", path: "/api/v1/Owners/{o1}/IdentityProviders", as: "reader", wantStatus: 200, wantBody: `[` + idp + `]`},
			{name: "OtherAccount", method: "GET", path: "/api/v1/Owners/{o1}/IdentityProviders/nope", as: "reader", wantStatus: 404,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The resource was not found.","ErrorDetails":"identity provider \"nope\" does not exist","UserErrorMessage":""}`},
		})
		res := f.do("PUT", "/api/v1/Owners/{o1}/IdentityProviders/acme.app/Users", f.token("admin"), `{"ipId":"acme.app","ipUserId":"u-1"}`, nil)
		checkJSON(t, res.body, `{"id":"<id>","ipId":"acme.app","ipUserId":"u-1","identifier":null,"email":null,"status":"Normal"}`, "id")
		var u struct{ ID string }
		f.must(json.Unmarshal([]byte(res.body), &u))
		f.ids["ipUser"] = u.ID
		user := `{"id":"{ipUser}","ipId":"acme.app","ipUserId":"u-1","identifier":null,"email":null,"status":"Normal"}`
		f.run(t, []scenario{
			{name: "DuplicateIPUserSpanish", method: "PUT", path: "/api/v1/Owners/{o1}/IdentityProviders/acme.app/Users", as: "admin", header: map[string]string{"Accept-Language": "es"},
				body: `{"ipUserId":"u-1"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"Duplicate","ErrorMessage":"A user with this ipUserId already exists for this identity provider.","ErrorDetails":"identity provider \"acme.app\" has a user with ipUserId \"u-1\" already","UserErrorMessage":"Ya existe un usuario con este ID para este proveedor de identidad."}`},
			{name: "ByIPUserIDIsAnObject", method: "GET", path: "/api/v1/Owners/{o1}/IdentityProviders/acme.app/Users?ipUserId=u-1", as: "admin", wantStatus: 200, wantBody: user},
			{name: "UnknownIPUserID", method: "GET", path: "/api/v1/Owners/{o1}/IdentityProviders/acme.app/Users?ipUserId=u-9", as: "admin", wantStatus: 404,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The resource was not found.","ErrorDetails":"User not found: identity provider \"acme.app\" has no user \"u-9\"","UserErrorMessage":""}`},
			{name: "List", method: "GET", path: "/api/v1/Owners/{o1}/IdentityProviders/acme.app/Users", as: "admin", wantStatus: 200, wantBody: `[` + user + `]`},
			{name: "Get", method: "GET", path: "/api/v1/Owners/{o1}/IdentityProviders/acme.app/Users/{ipUser}", as: "admin", wantStatus: 200, wantBody: user},
			{name: "EmailChangeNotSupportedDutch", method: "PATCH", path: "/api/v1/Owners/{o1}/IdentityProviders/acme.app/Users/{ipUser}", as: "admin", header: map[string]string{"Accept-Language": "nl"},
				body: `{"email":"new@example.com"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"EmailChangeNotSupported","ErrorMessage":"Changing the e-mail address of a user is not supported.","ErrorDetails":"the address of identity-provider user \"{ipUser}\" is managed by identity provider \"acme.app\"","UserErrorMessage":"Het e-mailadres van een gebruiker kan niet worden gewijzigd."}`},
			{name: "NeedsScope", method: "GET", path: "/api/v1/Owners/{o1}/IdentityProviders/acme.app/Users", as: "reader", wantStatus: 401,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The access token lacks a required scope.","ErrorDetails":"the operation requires the scope \"read:ip:users\"","UserErrorMessage":""}`},
			{name: "OtherTenantCannotSee", method: "GET", path: "/api/v1/Owners/{o2}/IdentityProviders/acme.app/Users", as: "stranger", wantStatus: 403,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The caller has no permission for this operation.","ErrorDetails":"the caller has no permission on owner account \"{o2}\"","UserErrorMessage":""}`},
			{name: "Delete", method: "DELETE", path: "/api/v1/Owners/{o1}/IdentityProviders/acme.app", as: "admin", wantStatus: 204},
		})
		f.setPlan(t, "o1", "basic")
		f.run(t, []scenario{
			{name: "PlanWithoutIdentityProviders", method: "PUT", path: "/api/v1/Owners/{o1}/IdentityProviders", as: "admin",
				body: `{"ipId":"other","issuer":"x","audience":"y","publicKey":"{key}"}`, wantStatus: 402,
				wantBody: `{"ErrorCode":"InsufficientAccountLevel","ErrorMessage":"The owner account's plan does not include this feature.","ErrorDetails":"the plan \"basic\" of owner account \"{o1}\" does not include identityProviders","UserErrorMessage":"Your current plan does not include this feature. Please upgrade your plan to use it."}`},
		})
	})
}
