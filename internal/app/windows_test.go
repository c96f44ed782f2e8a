package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
)

// The weekday schedule 08:00–12:00 Vienna keeps its local hours across the switch to summer time
// on 29 March 2026: 07:00Z on Friday, 06:00Z on Monday.
func TestGrants_WindowsAndAccessCheck(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		grantFixture(t, f)
		g := f.contactGrant("lock1", "guest")
		g.ValidFrom, g.ValidBefore = keyward.TimePtr(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), keyward.TimePtr(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
		g.TimeRestrictionIcal = apitest.Ptr(crlf(weekdays))
		f.createGrant(t, "g", g)
		const fri = `{"start":"2026-03-27T07:00:00.000Z","end":"2026-03-27T11:00:00.000Z","localStart":"2026-03-27T08:00:00+01:00","localEnd":"2026-03-27T12:00:00+01:00","timeZone":"Europe/Vienna"}`
		const mon = `{"start":"2026-03-30T06:00:00.000Z","end":"2026-03-30T10:00:00.000Z","localStart":"2026-03-30T08:00:00+02:00","localEnd":"2026-03-30T12:00:00+02:00","timeZone":"Europe/Vienna"}`
		// The schedule starts on Monday 5 January, after the validity starts.
		const jan5 = `{"start":"2026-01-05T07:00:00.000Z","end":"2026-01-05T11:00:00.000Z","localStart":"2026-01-05T08:00:00+01:00","localEnd":"2026-01-05T12:00:00+01:00","timeZone":"Europe/Vienna"}`
		check := func(at, reason, detail, next string, allowed bool) string {
			return `{"boundLockId":"{lock1}","contactId":"{guest}","boundCardId":null,"at":"` + at + `","allowed":` + map[bool]string{true: "true", false: "false"}[allowed] +
				`,"lockMayStillAllow":false,"grants":[{"grantId":"{g}","viaLockGroupId":null,"state":"Ok","reason":"` + reason + `","lockMayStillAllow":false,"detail":"` + detail + `","nextWindow":` + next + `}]}`
		}
		f.run(t, []scenario{
			{name: "Windows", method: "GET", path: "/api/v1/Owners/{o1}/Grants/{g}/Windows?from=2026-03-27T00:00:00Z&to=2026-03-31T00:00:00Z", as: "admin", wantStatus: 200,
				wantBody: `{"grantId":"{g}","from":"2026-03-27T00:00:00.000Z","to":"2026-03-31T00:00:00.000Z","timeZone":"Europe/Vienna","windows":[` + fri + `,` + mon + `],"truncated":false}`},
			{name: "WindowsClippedToRange", method: "GET", path: "/api/v1/Owners/{o1}/Grants/{g}/Windows?from=2026-03-30T08:00:00Z&to=2026-03-30T09:00:00Z", as: "admin", wantStatus: 200,
				wantBody: `{"grantId":"{g}","from":"2026-03-30T08:00:00.000Z","to":"2026-03-30T09:00:00.000Z","timeZone":"Europe/Vienna","windows":[{"start":"2026-03-30T08:00:00.000Z","end":"2026-03-30T09:00:00.000Z","localStart":"2026-03-30T10:00:00+02:00","localEnd":"2026-03-30T11:00:00+02:00","timeZone":"Europe/Vienna"}],"truncated":false}`},
			{name: "WindowsBadRange", method: "GET", path: "/api/v1/Owners/{o1}/Grants/{g}/Windows?from=2026-03-30T00:00:00Z&to=2026-03-01T00:00:00Z", as: "admin", wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"from 2026-03-30T00:00:00.000Z must be before to 2026-03-01T00:00:00.000Z, at most 366 days apart","UserErrorMessage":""}`},
			{name: "WindowsBadTime", method: "GET", path: "/api/v1/Owners/{o1}/Grants/{g}/Windows?from=yesterday", as: "admin", wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"query parameter \"from\": \"yesterday\" is not an RFC 3339 date-time with offset (e.g. 2026-01-02T03:04:05.000Z)","UserErrorMessage":""}`},
			{name: "Allowed", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}/AccessCheck?contactId={guest}&at=2026-03-30T07:00:00Z", as: "admin", wantStatus: 200,
				wantBody: check("2026-03-30T07:00:00.000Z", "Allowed", "the grant allows access", "null", true)},
			{name: "OutsideOnSaturday", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}/AccessCheck?contactId={guest}&at=2026-03-28T09:00:00Z", as: "admin", wantStatus: 200,
				wantBody: check("2026-03-28T09:00:00.000Z", "OutsideTimeRestriction", "the instant is outside the grant's time restriction", mon, false)},
			{name: "NotYetValid", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}/AccessCheck?contactId={guest}&at=2025-12-31T09:00:00Z", as: "admin", wantStatus: 200,
				wantBody: check("2025-12-31T09:00:00.000Z", "NotYetValid", "the grant is valid from 2026-01-01T00:00:00.000Z", jan5, false)},
			{name: "Expired", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}/AccessCheck?contactId={guest}&at=2027-01-04T09:00:00Z", as: "admin", wantStatus: 200,
				wantBody: check("2027-01-04T09:00:00.000Z", "Expired", "the grant was valid before 2027-01-01T00:00:00.000Z", "null", false)},
			{name: "NoGrantsOtherLock", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lockOld}/AccessCheck?contactId={guest}", as: "admin", wantStatus: 200, dynamic: []string{"at"},
				wantBody: `{"boundLockId":"{lockOld}","contactId":"{guest}","boundCardId":null,"at":"<at>","allowed":false,"lockMayStillAllow":false,"grants":[]}`},
			{name: "BothGrantees", method: "GET", path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}/AccessCheck?contactId={guest}&boundCardId={card}", as: "admin", wantStatus: 400,
				wantBody: `{"ErrorCode":"","ErrorMessage":"The request is invalid.","ErrorDetails":"give exactly one of the query parameters \"contactId\" and \"boundCardId\"","UserErrorMessage":""}`},
		})
		res := f.do("GET", "/api/v1/Owners/{o1}/Grants/{g}/Windows?from=2026-03-27T00:00:00Z&to=2026-03-31T00:00:00Z", f.token("admin"), "", map[string]string{"Accept": "text/calendar"})
		want := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Keyward//Access windows//EN\r\nCALSCALE:GREGORIAN\r\n" +
			"BEGIN:VEVENT\r\nUID:{g}-0@keyward\r\nDTSTAMP:20260327T000000Z\r\nDTSTART:20260327T070000Z\r\nDTEND:20260327T110000Z\r\nSUMMARY:Access window\r\nEND:VEVENT\r\n" +
			"BEGIN:VEVENT\r\nUID:{g}-1@keyward\r\nDTSTAMP:20260327T000000Z\r\nDTSTART:20260330T060000Z\r\nDTEND:20260330T100000Z\r\nSUMMARY:Access window\r\nEND:VEVENT\r\n" +
			"END:VCALENDAR\r\n"
		if res.status != 200 || res.body != f.expand(want) || !strings.HasPrefix(res.header.Get("Content-Type"), "text/calendar") {
			t.Fatalf("ics export: %d %s\n%q", res.status, res.header.Get("Content-Type"), res.body)
		}
	})
}
