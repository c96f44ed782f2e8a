package app_test

import (
	"strings"
	"testing"
)

// ics wraps VEVENT lines into a calendar, with CRLF line ends escaped for a JSON string.
func ics(events ...string) string {
	return `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n` + strings.Join(events, "") + `END:VCALENDAR\r\n`
}

func event(lines ...string) string {
	return `BEGIN:VEVENT\r\n` + strings.Join(lines, `\r\n`) + `\r\nEND:VEVENT\r\n`
}

const (
	viennaStart = `DTSTART;TZID=Europe/Vienna:20260105T080000`
	viennaEnd   = `DTEND;TZID=Europe/Vienna:20260105T120000`
)

func grantBody(lock, ical string) string {
	return `{"boundLockId":"{` + lock + `}","contactId":"{guest}","timeRestrictionIcal":"` + ical + `"}`
}

// TestGrants_ErrorCodes reaches every grant ErrorCode of the seed through the public API and
// checks status, the whole body and a localized UserErrorMessage.
func TestGrants_ErrorCodes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		grantFixture(t, f)
		seventeen := strings.Repeat(event(viennaStart, viennaEnd), 17)
		large := ics(event(viennaStart, viennaEnd, `SUMMARY:`+strings.Repeat("x", 4100)))
		de := map[string]string{"Accept-Language": "de-DE"}
		f.run(t, []scenario{
			{name: "TimeRestrictionIcalTooLarge", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin", header: de,
				body: grantBody("lock1", large), wantStatus: 400,
				wantBody: `{"ErrorCode":"TimeRestrictionIcalTooLarge","ErrorMessage":"The time restriction iCal text is too large.","ErrorDetails":"the text has 4287 bytes; at most 4096 are allowed","UserErrorMessage":"Der Zeitplan ist zu umfangreich. Bitte kürzen Sie ihn und versuchen Sie es erneut."}`},
			{name: "TimeRestrictionIcalTooComplex", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin", header: de,
				body: grantBody("lock1", ics(seventeen)), wantStatus: 400,
				wantBody: `{"ErrorCode":"TimeRestrictionIcalTooComplex","ErrorMessage":"The time restriction iCal is too complex.","ErrorDetails":"line 68: VEVENT number 17 exceeds the limit of 16 events","UserErrorMessage":"Der Zeitplan ist zu komplex. Bitte verwenden Sie weniger Zeiträume und versuchen Sie es erneut."}`},
			{name: "TimeRestrictionIcalMalformed", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin", header: de,
				body: grantBody("lock1", ics(event(`DTSTART;TZID=Europe/Vienna:20260105T0800`, viennaEnd))), wantStatus: 400,
				wantBody: `{"ErrorCode":"TimeRestrictionIcalMalformed","ErrorMessage":"The time restriction iCal is malformed.","ErrorDetails":"line 5: DTSTART: \"20260105T0800\" is not a DATE-TIME (want YYYYMMDDTHHMMSS[Z])","UserErrorMessage":"Der Zeitplan ist ungültig und konnte nicht verarbeitet werden. Bitte überprüfen Sie ihn und versuchen Sie es erneut."}`},
			{name: "TimeRestrictionIcalIllegalTimezoneFloating", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin", header: de,
				body: grantBody("lock1", ics(event(`DTSTART:20260105T080000`, `DTEND:20260105T120000`))), wantStatus: 400,
				wantBody: `{"ErrorCode":"TimeRestrictionIcalIllegalTimezone","ErrorMessage":"The time restriction iCal uses an illegal time zone.","ErrorDetails":"line 5: DTSTART: \"20260105T080000\" is a floating time; give a TZID parameter or a UTC time ending in Z","UserErrorMessage":"Der Zeitplan verwendet eine nicht unterstützte Zeitzone. Bitte verwenden Sie für alle Zeiten eine einzige unterstützte Zeitzone."}`},
			{name: "TimeRestrictionIcalIllegalTimezoneMixed", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin",
				body: grantBody("lock1", ics(event(viennaStart, viennaEnd), event(`DTSTART;TZID=Europe/Berlin:20260105T080000`, `DTEND;TZID=Europe/Berlin:20260105T120000`))), wantStatus: 400,
				wantBody: `{"ErrorCode":"TimeRestrictionIcalIllegalTimezone","ErrorMessage":"The time restriction iCal uses an illegal time zone.","ErrorDetails":"event 2 uses time zone \"Europe/Berlin\" but event 1 uses \"Europe/Vienna\"","UserErrorMessage":"The schedule uses an unsupported time zone. Please use a single supported time zone for all times."}`},
			{name: "TimeRestrictionIcalNotSupportedByLock", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin", header: de,
				body: grantBody("lockNoTR", ics(event(viennaStart, viennaEnd))), wantStatus: 400,
				wantBody: `{"ErrorCode":"TimeRestrictionIcalNotSupportedByLock","ErrorMessage":"The lock does not support time restrictions.","ErrorDetails":"bound lock \"{lockNoTR}\" (TK.Td30) does not support time restrictions","UserErrorMessage":"Dieses Schloss unterstützt keine zeitlich eingeschränkten Berechtigungen. Ein Firmware-Update des Schlosses kann Abhilfe schaffen."}`},
			{name: "ProtocolVersionTooOld", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin", header: de,
				body: grantBody("lockOld", ics(event(viennaStart, viennaEnd, `RRULE:FREQ=MONTHLY;BYMONTHDAY=5`))), wantStatus: 400,
				wantBody: `{"ErrorCode":"ProtocolVersionTooOld","ErrorMessage":"The lock's protocol version does not support this grant.","ErrorDetails":"bound lock \"{lockOld}\" speaks protocol version 2; MONTHLY and YEARLY rules need version 3","UserErrorMessage":"Dieses Schloss unterstützt nicht alle Funktionen, die diese Berechtigung verwendet. Ein Firmware-Update des Schlosses kann Abhilfe schaffen."}`},
			{name: "MonthlyOnNewLockIsFine", method: "PUT", path: "/api/v1/Owners/{o1}/Grants?dryRun=true", as: "admin",
				body: grantBody("lock1", ics(event(viennaStart, viennaEnd, `RRULE:FREQ=MONTHLY;BYMONTHDAY=5`))), wantStatus: 200, dynamic: []string{"id"},
				wantBody: grantJSON("<id>", "contact", `null`, `null`, `"`+ics(event(viennaStart, viennaEnd, `RRULE:FREQ=MONTHLY;BYMONTHDAY=5`))+`"`, "Ok", true)},
			{name: "DryRunStoredNothing", method: "GET", path: "/api/v1/Owners/{o1}/Grants", as: "admin", wantStatus: 200, wantBody: `[]`},
		})
	})
}

// TestGrants_PlanErrorCodes moves the account to plans that lack what the grant needs.
func TestGrants_PlanErrorCodes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		grantFixture(t, f)
		f.setPlan(t, "o1", "basic")
		f.run(t, []scenario{
			{name: "InsufficientAccountLevelTimeRestriction", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin", header: map[string]string{"Accept-Language": "fr"},
				body: grantBody("lock1", weekdays), wantStatus: 402,
				wantBody: `{"ErrorCode":"InsufficientAccountLevel","ErrorMessage":"The owner account's plan does not include this feature.","ErrorDetails":"the plan \"basic\" of owner account \"{o1}\" does not include timeRestrictions","UserErrorMessage":"Votre abonnement actuel n'inclut pas cette fonctionnalité. Veuillez passer à une offre supérieure pour l'utiliser."}`},
			{name: "InsufficientAccountLevelLockGroup", method: "PUT", path: "/api/v1/Owners/{o1}/LockGroups", as: "admin", header: map[string]string{"Accept-Language": "it"},
				body: `{"title":"All"}`, wantStatus: 402,
				wantBody: `{"ErrorCode":"InsufficientAccountLevel","ErrorMessage":"The owner account's plan does not include this feature.","ErrorDetails":"the plan \"basic\" of owner account \"{o1}\" does not include lockGroups","UserErrorMessage":"Il piano attuale non include questa funzionalità. Per utilizzarla è necessario passare a un piano superiore."}`},
		})
		f.setPlan(t, "o1", "three")
		for _, who := range []string{"a", "b", "c"} {
			f.createGrant(t, who, f.inlineGrant("lock1", who+"@example.com"))
		}
		// A user who holds a grant already counts already: a second grant for them is fine.
		f.createGrant(t, "a2", f.inlineGrant("lockOld", "a@example.com"))
		f.run(t, []scenario{
			{name: "InsufficientSmartphoneUserContingent", method: "PUT", path: "/api/v1/Owners/{o1}/Grants", as: "admin", header: map[string]string{"Accept-Language": "nl-BE"},
				body: `{"boundLockId":"{lock1}","contact":{"identifier":"fourth@example.com"}}`, wantStatus: 402,
				wantBody: `{"ErrorCode":"InsufficientSmartphoneUserContingent","ErrorMessage":"The owner account has reached the number of smartphone users of its plan.","ErrorDetails":"the plan \"three\" of owner account \"{o1}\" allows 3 smartphone users and 3 have active grants","UserErrorMessage":"Het maximale aantal smartphonegebruikers van uw abonnement is bereikt. Stap over op een hoger abonnement om meer gebruikers toe te voegen."}`},
			{name: "RefusedInlineContactLeftNothing", method: "GET", path: "/api/v1/Owners/{o1}/Contacts?$filter=identifier%20eq%20'fourth@example.com'", as: "admin", wantStatus: 200, wantBody: `[]`},
		})
	})
}
