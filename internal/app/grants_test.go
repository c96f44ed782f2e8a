package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
)

// grantFixture adds to the fixture what grants need: a lock without time-restriction support
// ("lockNoTR"), a lock speaking protocol 2 ("lockOld"), a card holding one grant ("card"), and
// the embedded JSON of the objects grants carry.
func grantFixture(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	asOlivia := asUser(ctx, f.olivia)
	l, err := f.m.Service.BindLock(asOlivia, f.ids["o1"], keyward.BindLockRequest{PhysicalLockID: f.freeLockID, BindingCode: f.freeCode, Title: apitest.Ptr("Shed")})
	f.must(err)
	f.ids["lockNoTR"] = l.ID
	old, code := f.registerLock(ctx, keyward.PhysicalLockCreate{LockTypeID: "TK.Td20", ProtocolVersion: 2, TimeZone: "Europe/Vienna", TimeRestrictionSupport: true})
	l, err = f.m.Service.BindLock(asOlivia, f.ids["o1"], keyward.BindLockRequest{PhysicalLockID: old.ID, BindingCode: code, Title: apitest.Ptr("Old gate")})
	f.must(err)
	f.ids["lockOld"] = l.ID
	pc, err := f.m.Service.RegisterCard(asOperator(ctx), 1)
	f.must(err)
	c, err := f.m.Service.BindCard(asOlivia, f.ids["o1"], keyward.BindCardRequest{PhysicalCardID: &pc.ID, Title: apitest.Ptr("Card")})
	f.must(err)
	f.ids["card"] = c.ID
	for name, path := range map[string]string{"guestJSON": "/Contacts/{guest}", "lock1JSON": "/BoundLocks/{lock1}",
		"lockOldJSON": "/BoundLocks/{lockOld}", "cardJSON": "/BoundCards/{card}", "ownerJSON": ""} {
		f.ids[name] = f.entityJSON(t, path)
	}
}

// grantJSON is the full JSON of a grant of the fixture.
// A card grant's JSON ends with its cardWriteState: WritePending, as no test lock writes cards.
func grantJSON(id, grantee string, validFrom, validBefore, ical, state string, active bool) string {
	contactID, cardID, contact, card, cardState := `null`, `null`, `null`, `null`, ``
	if grantee == "card" {
		cardID, card, cardState = `"{card}"`, `{cardJSON}`, `,"cardWriteState":"WritePending"`
	} else {
		contactID, contact = `"{guest}"`, `{guestJSON}`
	}
	return `{"id":"` + id + `","ownerAccountId":"{o1}","boundLockId":"{lock1}","contactId":` + contactID + `,"boundCardId":` + cardID +
		`,"contact":` + contact + `,"boundCard":` + card + `,"boundLock":{lock1JSON},"owner":{ownerJSON},"validFrom":` + validFrom +
		`,"validBefore":` + validBefore + `,"timeRestrictionIcal":` + ical + `,"state":"` + state + `","active":` + map[bool]string{true: "true", false: "false"}[active] + cardState + `}`
}

// crlf turns the escaped line ends of a JSON string's text (weekdays, ics) into real ones, for
// requests sent through the Go client.
func crlf(escaped string) string { return strings.ReplaceAll(escaped, `\r\n`, "\r\n") }

const (
	seedDuplicate = `"ErrorCode":"Duplicate","ErrorMessage":"only one grant allowed per lock and user/card"`
	weekdays      = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;TZID=Europe/Vienna:20260105T080000\r\nDTEND;TZID=Europe/Vienna:20260105T120000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`
)

func TestGrants_Create(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		grantFixture(t, f)
		res := f.do("PUT", "/api/v1/Owners/{o1}/Grants", f.token("admin"),
			`{"boundLockId":"{lock1}","contactId":"{guest}","validFrom":"2026-01-01T10:35:39.1234567+02:00","validBefore":null}`, nil)
		if res.status != 200 {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		checkJSON(t, res.body, f.expand(grantJSON("<id>", "contact", `"2026-01-01T08:35:39.123Z"`, `null`, `null`, "Ok", true)), "id")
		var g struct{ ID string }
		f.must(json.Unmarshal([]byte(res.body), &g))
		f.ids["grant"] = g.ID
		f.run(t, []scenario{
			{name: "Get", method: "GET", path: "/api/v1/Owners/{o1}/Grants/{grant}", as: "reader", wantStatus: 401,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The access token lacks a required scope.","ErrorDetails":"the operation requires the scope \"read:grants\"","UserErrorMessage":""}`},
			{name: "GetWithScope", method: "GET", path: "/api/v1/Owners/{o1}/Grants/{grant}", as: "admin", wantStatus: 200,
				wantBody: grantJSON("{grant}", "contact", `"2026-01-01T08:35:39.123Z"`, `null`, `null`, "Ok", true)},
			{name: "DuplicateGerman", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin", header: map[string]string{"Accept-Language": "de"},
				body: `{"boundLockId":"{lock1}","contactId":"{guest}"}`, wantStatus: 400,
				wantBody: `{` + seedDuplicate + `,"ErrorDetails":"contact \"{guest}\" already has an active grant for Lock \"{lock1}\"","UserErrorMessage":"Für dieses Schloss und diese Person bzw. Karte gibt es bereits eine aktive Berechtigung."}`},
			{name: "DuplicateByInlineContact", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin", header: map[string]string{"Accept-Language": "fr"},
				body: `{"boundLockId":"{lock1}","contact":{"identifier":"GUEST@example.com"}}`, wantStatus: 400,
				wantBody: `{` + seedDuplicate + `,"ErrorDetails":"contact \"{guest}\" already has an active grant for Lock \"{lock1}\"","UserErrorMessage":"Une autorisation d'accès active existe déjà pour cette serrure et cette personne ou carte."}`},
			{name: "GenericTwoGrantees", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin", header: map[string]string{"Accept-Language": "es"},
				body: `{"boundLockId":"{lock1}","contactId":"{guest}","boundCardId":"{card}"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"Generic","ErrorMessage":"The grant request is invalid.","ErrorDetails":"give exactly one grantee: \"contactId\", \"contact\" or \"boundCardId\" (got 2)","UserErrorMessage":"No se ha podido crear el permiso de acceso. Compruebe los datos introducidos e inténtelo de nuevo."}`},
			{name: "GenericPeriod", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin",
				body: `{"boundLockId":"{lock1}","contactId":"{guest}","validFrom":"2026-02-01T00:00:00Z","validBefore":"2026-01-01T00:00:00Z"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"Generic","ErrorMessage":"The grant request is invalid.","ErrorDetails":"validFrom 2026-02-01T00:00:00.000Z must be before validBefore 2026-01-01T00:00:00.000Z","UserErrorMessage":"The access permission could not be created. Please check your entries and try again."}`},
			{name: "UnknownLock", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin",
				body: `{"boundLockId":"{lock2}","contactId":"{guest}"}`, wantStatus: 404,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The resource was not found.","ErrorDetails":"no bound lock or lock group \"{lock2}\" exists","UserErrorMessage":""}`},
			{name: "CardGrant", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin",
				body: `{"boundLockId":"{lock1}","boundCardId":"{card}","validFrom":null,"validBefore":null,"timeRestrictionIcal":null}`, wantStatus: 200,
				dynamic: []string{"id"}, wantBody: grantJSON("<id>", "card", `null`, `null`, `null`, "Ok", true)},
			{name: "CardCapacityExceeded", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin", header: map[string]string{"Accept-Language": "nl"},
				body: `{"boundLockId":"{lockOld}","boundCardId":"{card}"}`, wantStatus: 400,
				wantBody: `{"ErrorCode":"CardCapacityExceeded","ErrorMessage":"The capacity of the card was exceeded.","ErrorDetails":"bound card \"{card}\" holds 1 active grants, its capacity","UserErrorMessage":"Op deze kaart is geen ruimte meer voor extra toegangsrechten. Trek eerst een van de bestaande toegangsrechten in."}`},
			{name: "ListActive", method: "GET", path: "/api/v1/Owners/{o1}/Grants?$filter=active%20eq%20true%20and%20contactId%20ne%20null&$select=id,state", as: "admin", wantStatus: 200,
				wantBody: `[{"id":"{grant}","state":"Ok"}]`},
		})
	})
}
