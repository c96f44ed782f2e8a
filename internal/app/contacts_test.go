package app_test

import "testing"

const duplicateContact = `"ErrorCode":"Duplicate","ErrorMessage":"A contact with this identifier already exists.","ErrorDetails":"a contact for ipId \"tapkey\" and identifier \"GUEST@example.com\" already exists in this owner account"`

func TestContacts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		f.run(t, []scenario{
			{name: "CreateIdentifier", method: "PUT", path: "/api/v1/Owners/{o1}/Contacts", as: "admin",
				body: `{"ipId":"tapkey","identifier":"ann@example.com","title":"Ann","comment":"cleaner"}`, wantStatus: 200, dynamic: []string{"id"},
				wantBody: `{"id":"<id>","ownerId":"{o1}","identifier":"ann@example.com","email":"ann@example.com","ipId":"tapkey","ipUserId":null,"title":"Ann","comment":"cleaner"}`},
			{name: "CreateLegacyEmail", method: "PUT", path: "/api/v1/Owners/{o1}/Contacts", as: "admin",
				body: `{"email":"ben@example.com"}`, wantStatus: 200, dynamic: []string{"id"},
				wantBody: `{"id":"<id>","ownerId":"{o1}","identifier":"ben@example.com","email":"ben@example.com","ipId":"tapkey","ipUserId":null,"title":null,"comment":null}`},
			{name: "CreateExternal", method: "PUT", path: "/api/v1/Owners/{o1}/Contacts", as: "admin",
				body: `{"ipId":"acme.idp","ipUserId":"u-42"}`, wantStatus: 200, dynamic: []string{"id"},
				wantBody: `{"id":"<id>","ownerId":"{o1}","identifier":null,"email":null,"ipId":"acme.idp","ipUserId":"u-42","title":null,"comment":null}`},
			{name: "DuplicateGerman", method: "PUT", path: "/api/v1/Owners/{o1}/Contacts", as: "admin", header: map[string]string{"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"},
				body: `{"identifier":"GUEST@example.com"}`, wantStatus: 400,
				wantBody: `{` + duplicateContact + `,"UserErrorMessage":"Ein Kontakt mit dieser E-Mail-Adresse bzw. Benutzerkennung existiert bereits."}`},
			{name: "DuplicateFrench", method: "PUT", path: "/api/v1/Owners/{o1}/Contacts", as: "admin", header: map[string]string{"Accept-Language": "fr-CH, fr;q=0.9"},
				body: `{"identifier":"GUEST@example.com"}`, wantStatus: 400,
				wantBody: `{` + duplicateContact + `,"UserErrorMessage":"Un contact avec cette adresse e-mail ou cet identifiant existe déjà."}`},
			{name: "DuplicateUnsupportedLanguageIsEnglish", method: "PUT", path: "/api/v1/Owners/{o1}/Contacts", as: "admin", header: map[string]string{"Accept-Language": "ja"},
				body: `{"identifier":"GUEST@example.com"}`, wantStatus: 400,
				wantBody: `{` + duplicateContact + `,"UserErrorMessage":"A contact with this email address or user ID already exists."}`},
			{name: "DuplicateExternal", method: "PUT", path: "/api/v1/Owners/{o1}/Contacts", as: "admin",
				body: `{"ipId":"acme.idp","ipUserId":"u-42"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"Duplicate","ErrorMessage":"A contact with this identifier already exists.","ErrorDetails":"a contact for ipId \"acme.idp\" and ipUserId \"u-42\" already exists in this owner account","UserErrorMessage":"A contact with this email address or user ID already exists."}`},
			{name: "EmailWithExternalIdP", method: "PUT", path: "/api/v1/Owners/{o1}/Contacts", as: "admin",
				body: `{"email":"x@example.com","ipId":"acme.idp","ipUserId":"u-1"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"field \"email\" is the legacy form for Keyward users and cannot be combined with \"ipId\" or \"ipUserId\"","UserErrorMessage":""}`},
			{name: "IPUserIDWithoutIPID", method: "PUT", path: "/api/v1/Owners/{o1}/Contacts", as: "admin",
				body: `{"ipUserId":"u-1"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"field \"ipUserId\" needs the \"ipId\" of an external identity provider","UserErrorMessage":""}`},
			{name: "NotAnAddress", method: "PUT", path: "/api/v1/Owners/{o1}/Contacts", as: "admin",
				body: `{"identifier":"not-an-address"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"field \"identifier\" must be an e-mail address for ipId \"tapkey\", got \"not-an-address\"","UserErrorMessage":""}`},
			{name: "Empty", method: "PUT", path: "/api/v1/Owners/{o1}/Contacts", as: "admin", body: `{}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"one of \"identifier\", \"email\" or \"ipUserId\" (with \"ipId\") is required","UserErrorMessage":""}`},
			{name: "Patch", method: "PATCH", path: "/api/v1/Owners/{o1}/Contacts/{guest}", as: "admin", body: `{"title":"Guest of honour","comment":"VIP"}`, wantStatus: 200,
				wantBody: `{"id":"{guest}","ownerId":"{o1}","identifier":"guest@example.com","email":"guest@example.com","ipId":"tapkey","ipUserId":null,"title":"Guest of honour","comment":"VIP"}`},
			{name: "PatchEmailItalian", method: "PATCH", path: "/api/v1/Owners/{o1}/Contacts/{guest}", as: "admin", header: map[string]string{"Accept-Language": "it"},
				body: `{"email":"new@example.com"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"EmailChangeNotSupported","ErrorMessage":"Changing the e-mail address of a user is not supported.","ErrorDetails":"field \"email\" of contact \"{guest}\" cannot be changed; create a new contact instead","UserErrorMessage":"Non è possibile modificare l'indirizzo e-mail di un utente."}`},
			{name: "ListFilterStartswith", method: "GET", path: "/api/v1/Owners/{o1}/Contacts?$filter=startswith(identifier,'GUEST')&$select=id,identifier", as: "reader", wantStatus: 200,
				wantBody: `[{"id":"{guest}","identifier":"guest@example.com"}]`},
			{name: "Delete", method: "DELETE", path: "/api/v1/Owners/{o1}/Contacts/{guest}", as: "admin", wantStatus: 204},
			{name: "GetDeleted", method: "GET", path: "/api/v1/Owners/{o1}/Contacts/{guest}", as: "admin", wantStatus: 404,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The resource was not found.","ErrorDetails":"contact \"{guest}\" does not exist","UserErrorMessage":""}`},
		})
	})
}
