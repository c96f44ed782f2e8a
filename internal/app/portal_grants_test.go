package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
)

// The portal's grant pages: the schedule builder and its preview, the refusals next to their
// fields, a grant's page and its revocation, the list, and the access pages of a lock.

// grantsPath is the path of a page of o1's grants.
func (e *portalEnv) grantsPath(parts ...string) string {
	return "/portal/owners/" + e.ids["o1"] + "/" + strings.Join(append([]string{"grants"}, parts...), "/")
}

// postGrant sends the new-grant form of page with the values (several for "day").
func (b *signInBrowser) postGrant(page htmlPage, action string, values url.Values) htmlPage {
	b.t.Helper()
	form := page.Form(b.t, "grant-form")
	for k, vs := range values {
		form[k] = vs
	}
	return b.do(http.MethodPost, action, form)
}

// textarea is the unescaped content of the textarea with the id.
func textarea(p htmlPage, id string) string {
	return p.Find(`(?s)<textarea id="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</textarea>`)
}

// viennaWeekend is what the builder writes for Monday, Friday, Saturday and Sunday 08:00 to
// 12:00 in Vienna from Friday 2027-03-26 on: DTSTART on the first checked day of the week
// before.
const viennaWeekend = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Keyward//Portal schedule//EN\r\nBEGIN:VEVENT\r\n" +
	"DTSTART;TZID=Europe/Vienna:20270319T080000\r\nDTEND;TZID=Europe/Vienna:20270319T120000\r\n" +
	"RRULE:FREQ=WEEKLY;BYDAY=MO,FR,SA,SU\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// TestPortalGrants_BuilderPreviewCreate builds a schedule across the change to summer time in
// Vienna (2027-03-28), previews it (a dry run: nothing is stored), creates the grant and reads
// it back through the service.
func TestPortalGrants_BuilderPreviewCreate(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		ctx := asUser(context.Background(), e.polly)
		b := e.signedIn(t)
		page := b.do(http.MethodGet, e.grantsPath("new"), nil)
		wantPage(t, page, http.StatusOK, nil)
		if got := page.Find(`<option value="` + e.ids["lock1"] + `">([^<]*)</option>`); got != "Front Door (Europe/Vienna)" {
			t.Errorf("lock option = %q", got)
		}
		if got := page.Find(`<option value="` + e.ids["group"] + `">([^<]*)</option>`); got != "Ground floor (Europe/Vienna)" {
			t.Errorf("group option = %q", got)
		}
		values := url.Values{"target": {e.ids["lock1"]}, "email": {"visitor@example.com"}, "valid_from": {"2027-03-26"},
			"valid_until": {"2027-03-29"}, "day": {"SU", "MO", "FR", "SA"}, "time_from": {"08:00"}, "time_to": {"12:00"},
			"ical": {"ignored, since the builder is filled in"}, "do": {"preview"}}
		before, err := e.m.Service.FindGrants(ctx, e.ids["o1"], nil)
		e.must(err)

		p := b.postGrant(page, e.grantsPath("new"), values)
		wantPage(t, p, http.StatusOK, map[string]string{
			"preview-ok":     "Every check passed. Nothing has been saved yet.",
			"preview-zone":   "All times are in the time zone Europe/Vienna.",
			"window-0-start": "2027-03-26 08:00 CET (Europe/Vienna)", "window-0-end": "2027-03-26 12:00 CET (Europe/Vienna)",
			"window-1-start": "2027-03-27 08:00 CET (Europe/Vienna)",
			"window-2-start": "2027-03-28 08:00 CEST (Europe/Vienna)", "window-2-end": "2027-03-28 12:00 CEST (Europe/Vienna)",
			"window-3-start": "2027-03-29 08:00 CEST (Europe/Vienna)", "window-3-end": "2027-03-29 12:00 CEST (Europe/Vienna)",
		})
		if got := textarea(p, "grant-ical"); got != viennaWeekend {
			t.Errorf("iCal text = %q, want %q", got, viennaWeekend)
		}
		if p.Text("window-4-start") != "" {
			t.Errorf("a fifth window after the validity:\n%s", p.Body)
		}
		if got := p.Find(`<time datetime="([^"]+)" id="window-2-start">`); got != "2027-03-28T06:00:00Z" {
			t.Errorf("window 2 datetime = %q, want 06:00 UTC (08:00 CEST)", got)
		}
		// The form keeps what was entered.
		for _, want := range []string{`value="visitor@example.com"`, `id="day-SA" name="day" value="SA" checked`, `value="2027-03-29"`, `value="08:00"`} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("the previewed form lacks %s", want)
			}
		}
		if !strings.Contains(p.Body, `id="day-TU" name="day" value="TU">`) {
			t.Error("Tuesday is checked")
		}
		after, err := e.m.Service.FindGrants(ctx, e.ids["o1"], nil)
		e.must(err)
		if len(after) != len(before) {
			t.Fatalf("the preview stored a grant: %d grants, want %d", len(after), len(before))
		}
		if n := e.contactsNamed(t, "visitor@example.com"); n != 0 {
			t.Errorf("the preview stored the inline contact")
		}

		// The same in German: texts translated, times the same.
		b.Lang = "de"
		p = b.postGrant(page, e.grantsPath("new"), values)
		wantPage(t, p, http.StatusOK, map[string]string{"preview-ok": "Alle Prüfungen bestanden. Noch wurde nichts gespeichert.",
			"preview-zone": "Alle Zeiten in der Zeitzone Europe/Vienna.", "window-2-start": "2027-03-28 08:00 CEST (Europe/Vienna)"})
		b.Lang = ""

		values.Set("do", "create")
		p = b.postGrant(page, e.grantsPath("new"), values)
		id := strings.TrimPrefix(strings.SplitN(p.Location(), "?", 2)[0], e.grantsPath()+"/")
		p = b.follow(p, e.grantsPath(id)+"?notice=grantCreated")
		wantPage(t, p, http.StatusOK, map[string]string{
			"notice":         "The grant was created.",
			"grant-grantee":  "visitor@example.com",
			"grant-target":   "Front Door",
			"grant-zone":     "Europe/Vienna",
			"grant-validity": "From 2027-03-26 00:00 CET (Europe/Vienna) until 2027-03-30 00:00 CEST (Europe/Vienna)",
			"grant-schedule": "Monday, Friday, Saturday, Sunday from 08:00 to 12:00 (Europe/Vienna)",
			"grant-state":    "Active",
			"window-0-start": "2027-03-26 08:00 CET (Europe/Vienna)",
			"window-2-start": "2027-03-28 08:00 CEST (Europe/Vienna)",
			"window-3-end":   "2027-03-29 12:00 CEST (Europe/Vienna)",
		})
		g, err := e.m.Service.FindGrant(ctx, e.ids["o1"], id)
		e.must(err)
		if deref(g.TimeRestrictionIcal) != viennaWeekend || g.Contact == nil || deref(g.Contact.Identifier) != "visitor@example.com" ||
			!g.ValidFrom.Equal(time.Date(2027, 3, 25, 23, 0, 0, 0, time.UTC)) || !g.ValidBefore.Equal(time.Date(2027, 3, 29, 22, 0, 0, 0, time.UTC)) {
			t.Errorf("created grant = %+v", g)
		}
		// The windows the service computes for it are the preview's.
		w, err := e.m.Service.GrantWindows(ctx, e.ids["o1"], id, g.ValidFrom, g.ValidBefore)
		e.must(err)
		if len(w.Windows) != 4 || w.Windows[2].LocalStart != "2027-03-28T08:00:00+02:00" {
			t.Errorf("service windows = %+v", w.Windows)
		}
	})
}

// contactsNamed counts o1's contacts with the identifier.
func (e *portalEnv) contactsNamed(t *testing.T, identifier string) int {
	t.Helper()
	list, err := e.m.Service.FindContacts(asUser(context.Background(), e.polly), e.ids["o1"], nil)
	e.must(err)
	n := 0
	for _, c := range list {
		if deref(c.Identifier) == identifier {
			n++
		}
	}
	return n
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestPortalGrants_BuilderShapes: a night across midnight, the days of a group's zone, the
// expert's own text when the builder is empty, and the builder's own refusals.
func TestPortalGrants_BuilderShapes(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		b := e.signedIn(t)
		page := b.do(http.MethodGet, e.grantsPath("new"), nil)
		night := url.Values{"target": {e.ids["group"]}, "card": {e.ids["card"]}, "valid_from": {"2027-10-29"}, "valid_until": {"2027-11-01"},
			"day": {"SA"}, "time_from": {"22:00"}, "time_to": {"06:00"}, "do": {"preview"}}
		p := b.postGrant(page, e.grantsPath("new"), night)
		wantPage(t, p, http.StatusOK, map[string]string{
			"preview-zone":   "All times are in the time zone Europe/Vienna.",
			"window-0-start": "2027-10-30 22:00 CEST (Europe/Vienna)",
			// The night the clocks go back lasts eight hours: it ends at 05:00 CET.
			"window-0-end": "2027-10-31 05:00 CET (Europe/Vienna)",
		})
		want := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Keyward//Portal schedule//EN\r\nBEGIN:VEVENT\r\n" +
			"DTSTART;TZID=Europe/Vienna:20271023T220000\r\nDTEND;TZID=Europe/Vienna:20271024T060000\r\n" +
			"RRULE:FREQ=WEEKLY;BYDAY=SA\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		if got := textarea(p, "grant-ical"); got != want {
			t.Errorf("iCal text = %q, want %q", got, want)
		}

		// An empty builder leaves the expert's text as written (here in UTC).
		own := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20270105T070000Z\r\nDTEND:20270105T080000Z\r\nRRULE:FREQ=DAILY;COUNT=2\r\nEND:VEVENT\r\nEND:VCALENDAR"
		p = b.postGrant(page, e.grantsPath("new"), url.Values{"target": {e.ids["lock1"]}, "email": {"early@example.com"}, "ical": {own}, "do": {"preview"}})
		wantPage(t, p, http.StatusOK, map[string]string{"preview-zone": "All times are in the time zone UTC.",
			"window-0-start": "2027-01-05 07:00 UTC (UTC)", "window-1-end": "2027-01-06 08:00 UTC (UTC)"})
		if textarea(p, "grant-ical") != own || p.Text("window-2-start") != "" {
			t.Errorf("the expert's text was changed or gave more windows:\n%s", p.Body)
		}

		for _, c := range []struct {
			name   string
			values url.Values
			id     string
			text   string
		}{
			{"NoTimes", url.Values{"target": {e.ids["lock1"]}, "contact": {e.ids["oliviaContact"]}, "day": {"MO"}}, "schedule-error", "Enter both times as HH:MM."},
			{"NoDays", url.Values{"target": {e.ids["lock1"]}, "contact": {e.ids["oliviaContact"]}, "time_from": {"08:00"}, "time_to": {"09:00"}}, "schedule-error", "Choose at least one weekday for the times."},
			{"SameTimes", url.Values{"target": {e.ids["lock1"]}, "contact": {e.ids["oliviaContact"]}, "day": {"MO"}, "time_from": {"08:00"}, "time_to": {"08:00"}}, "schedule-error", "The start and the end must differ."},
			{"NoTarget", url.Values{"contact": {e.ids["oliviaContact"]}}, "target-error", "Choose a lock or a lock group."},
			{"NoGrantee", url.Values{"target": {e.ids["lock1"]}}, "grantee-error", "Choose a contact, enter an e-mail address or choose a card."},
			{"TwoGrantees", url.Values{"target": {e.ids["lock1"]}, "contact": {e.ids["oliviaContact"]}, "card": {e.ids["card"]}}, "grantee-error", "Fill in only one of contact, e-mail address and card."},
			{"BadDate", url.Values{"target": {e.ids["lock1"]}, "contact": {e.ids["oliviaContact"]}, "valid_from": {"26.03.2027"}}, "valid-from-error", "Enter a date as YYYY-MM-DD."},
		} {
			t.Run(c.name, func(t *testing.T) {
				b.t = t
				c.values.Set("do", "create")
				p := b.postGrant(page, e.grantsPath("new"), c.values)
				wantPage(t, p, http.StatusBadRequest, map[string]string{c.id: c.text})
			})
		}
	})
}

// TestPortalGrants_Refusals shows every class of grant error code as its localized
// UserErrorMessage next to the field at fault, in English and German, with the form kept.
func TestPortalGrants_Refusals(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		ctx, asOlivia := context.Background(), asUser(context.Background(), e.olivia)
		s := e.m.Service
		// A lock without time restrictions, one with an old protocol, a full card.
		e.ids["plain"] = e.bindLock(t, keyward.PhysicalLockCreate{LockTypeID: "TK.Td30", ProtocolVersion: 3, TimeZone: "Europe/Vienna"}, "Plain Door")
		e.ids["old"] = e.bindLock(t, keyward.PhysicalLockCreate{LockTypeID: "TK.Td30", ProtocolVersion: 1, TimeZone: "Europe/Vienna", TimeRestrictionSupport: true}, "Old Door")
		pc, err := s.RegisterCard(asOperator(ctx), 1)
		e.must(err)
		full, err := s.BindCard(asOlivia, e.ids["o1"], keyward.BindCardRequest{PhysicalCardID: &pc.ID, Title: apitest.Ptr("Full card")})
		e.must(err)
		_, err = s.CreateGrant(asOlivia, e.ids["o1"], keyward.GrantCreate{BoundLockID: e.ids["lock1"], BoundCardID: &full.ID})
		e.must(err)

		b := e.signedIn(t)
		page := b.do(http.MethodGet, e.grantsPath("new"), nil)
		weekly := url.Values{"day": {"MO"}, "time_from": {"08:00"}, "time_to": {"12:00"}}
		with := func(base url.Values, kv ...string) url.Values {
			v := url.Values{}
			for k, vs := range base {
				v[k] = vs
			}
			for i := 0; i < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		floating := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20270105T080000\r\nDTEND:20270105T120000\r\nEND:VEVENT\r\nEND:VCALENDAR"
		type refusal struct {
			name   string
			values url.Values
			status int
			id     string // the error's element next to the field
			en, de string
		}
		cases := []refusal{
			{"Duplicate", url.Values{"target": {e.ids["lock1"]}, "contact": {e.ids["guest"]}}, 400, "contact-error",
				"This person or card already has an active access permission for this lock.",
				"Für dieses Schloss und diese Person bzw. Karte gibt es bereits eine aktive Berechtigung."},
			{"CardCapacityExceeded", url.Values{"target": {e.ids["group"]}, "card": {full.ID}}, 400, "card-error",
				"This card cannot hold any more access permissions. Please revoke one of its existing permissions first.",
				"Auf dieser Karte ist kein Platz für weitere Berechtigungen. Bitte widerrufen Sie zuerst eine ihrer bestehenden Berechtigungen."},
			{"TimeRestrictionIcalMalformed", url.Values{"target": {e.ids["lock1"]}, "email": {"a@example.com"}, "ical": {"BEGIN:VCALENDAR\r\nEND:VCALENDAR"}}, 400, "schedule-error",
				"The schedule is invalid and could not be processed. Please check it and try again.",
				"Der Zeitplan ist ungültig und konnte nicht verarbeitet werden. Bitte überprüfen Sie ihn und versuchen Sie es erneut."},
			{"TimeRestrictionIcalIllegalTimezone", url.Values{"target": {e.ids["lock1"]}, "email": {"a@example.com"}, "ical": {floating}}, 400, "schedule-error",
				"The schedule uses an unsupported time zone. Please use a single supported time zone for all times.",
				"Der Zeitplan verwendet eine nicht unterstützte Zeitzone. Bitte verwenden Sie für alle Zeiten eine einzige unterstützte Zeitzone."},
			{"TimeRestrictionIcalNotSupportedByLock", with(weekly, "target", e.ids["plain"], "email", "a@example.com"), 400, "schedule-error",
				"This lock does not support time-restricted access. Updating the lock's firmware may help.",
				"Dieses Schloss unterstützt keine zeitlich eingeschränkten Berechtigungen. Ein Firmware-Update des Schlosses kann Abhilfe schaffen."},
			{"ProtocolVersionTooOld", with(weekly, "target", e.ids["old"], "email", "a@example.com"), 400, "target-error",
				"This lock does not support all the features used by this access permission. Updating the lock's firmware may help.",
				"Dieses Schloss unterstützt nicht alle Funktionen, die diese Berechtigung verwendet. Ein Firmware-Update des Schlosses kann Abhilfe schaffen."},
			{"Generic", url.Values{"target": {e.ids["lock1"]}, "email": {"a@example.com"}, "valid_from": {"2027-04-02"}, "valid_until": {"2027-04-01"}}, 400, "valid-until-error",
				"The access permission could not be created. Please check your entries and try again.",
				"Die Berechtigung konnte nicht erstellt werden. Bitte überprüfen Sie Ihre Angaben und versuchen Sie es erneut."},
			{"InvalidAddress", url.Values{"target": {e.ids["lock1"]}, "email": {"not-an-address"}}, 400, "email-error",
				`This request cannot be processed. Please check your entries and try again. (contact: field "identifier" must be an e-mail address for ipId "tapkey", got "not-an-address")`,
				`Diese Anfrage kann nicht verarbeitet werden. Bitte prüfen Sie Ihre Eingaben und versuchen Sie es erneut. (contact: field "identifier" must be an e-mail address for ipId "tapkey", got "not-an-address")`},
		}
		check := func(t *testing.T, c refusal) {
			for _, lang := range []string{"en", "de"} {
				b.t, b.Lang = t, lang
				for _, do := range []string{"preview", "create"} {
					p := b.postGrant(page, e.grantsPath("new"), with(c.values, "do", do))
					want := c.en
					if lang == "de" {
						want = c.de
					}
					wantPage(t, p, c.status, map[string]string{c.id: want})
					if !strings.Contains(p.Body, `aria-invalid="true"`) || strings.Contains(p.Body, `id="preview-ok"`) {
						t.Errorf("%s %s: the field is not marked invalid, or a preview is shown", lang, do)
					}
					for _, v := range c.values["email"] {
						if !strings.Contains(p.Body, `value="`+v+`"`) {
							t.Errorf("%s %s: the form lost the address %q", lang, do, v)
						}
					}
				}
			}
			b.Lang = ""
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { check(t, c) })
		}
		if n := e.contactsNamed(t, "a@example.com"); n != 0 {
			t.Errorf("a refused grant left its inline contact behind")
		}

		// The plan's limits: three smartphone users (guest has one grant already), no features.
		e.setPlan(t, "o1", "three")
		for _, who := range []string{"second@example.com", "third@example.com"} {
			_, err := s.CreateGrant(asOlivia, e.ids["o1"], e.inlineGrant("lock1", who))
			e.must(err)
		}
		t.Run("InsufficientSmartphoneUserContingent", func(t *testing.T) {
			check(t, refusal{"", url.Values{"target": {e.ids["lock1"]}, "email": {"fourth@example.com"}}, 402, "email-error",
				"Your plan's maximum number of smartphone users has been reached. Please upgrade your plan to add more.",
				"Die maximale Anzahl an Smartphone-Nutzern für Ihren Tarif ist erreicht. Um weitere hinzuzufügen, wechseln Sie bitte zu einem höheren Tarif."})
		})
		e.setPlan(t, "o1", "basic")
		levelEN := "Your current plan does not include this feature. Please upgrade your plan to use it."
		levelDE := "Ihr aktueller Tarif umfasst diese Funktion nicht. Bitte wechseln Sie zu einem höheren Tarif, um sie zu nutzen."
		t.Run("InsufficientAccountLevelGroup", func(t *testing.T) {
			check(t, refusal{"", url.Values{"target": {e.ids["group"]}, "contact": {e.ids["oliviaContact"]}}, 402, "target-error", levelEN, levelDE})
		})
		t.Run("InsufficientAccountLevelSchedule", func(t *testing.T) {
			check(t, refusal{"", with(weekly, "target", e.ids["lock1"], "contact", e.ids["oliviaContact"]), 402, "schedule-error", levelEN, levelDE})
		})
	})
}

// bindLock registers a lock as spec describes and binds it to o1 with the title.
func (e *portalEnv) bindLock(t *testing.T, spec keyward.PhysicalLockCreate, title string) string {
	t.Helper()
	ctx := context.Background()
	phys, code := e.registerLock(ctx, spec)
	l, err := e.m.Service.BindLock(asUser(ctx, e.olivia), e.ids["o1"], keyward.BindLockRequest{PhysicalLockID: phys.ID, BindingCode: code, Title: &title})
	e.must(err)
	return l.ID
}

// deliver records that the grants' keys left the server, so that revoking them needs the
// lock's confirmation.
func (e *portalEnv) deliver(t *testing.T, ids ...string) {
	t.Helper()
	ctx := context.Background()
	e.must(e.m.Store.InOwnerTx(ctx, e.ids["o1"], func(tx keyward.OwnerTx) error { return tx.MarkGrantsDelivered(ctx, ids) }))
}

// TestPortalGrants_Revoke revokes a grant no lock has received (Revoked at once) and one whose
// key a lock holds (RevocationPending), each after a confirmation page that says which.
func TestPortalGrants_Revoke(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		ctx := asUser(context.Background(), e.polly)
		held, err := e.m.Service.CreateGrant(asUser(context.Background(), e.olivia), e.ids["o1"], e.contactGrant("group", "oliviaContact"))
		e.must(err)
		e.deliver(t, held.ID)
		b := e.signedIn(t)
		for _, c := range []struct {
			name, id, consequence, notice, state, want string
		}{
			{"Immediate", e.ids["grant"], "No lock has received this grant’s key yet, so it is revoked at once.", "The grant was revoked.", "Revoked", keyward.GrantRevoked},
			{"Pending", held.ID, "A lock already holds this grant’s key. The grant stays “revocation pending” until the lock syncs next; until then the key may still open it.",
				"The grant was revoked; it is pending until the lock confirms it at its next sync.", "Revocation pending", keyward.GrantRevocationPending},
		} {
			t.Run(c.name, func(t *testing.T) {
				b.t = t
				show := b.do(http.MethodGet, e.grantsPath(c.id), nil)
				wantPage(t, show, http.StatusOK, map[string]string{"grant-state": "Active", "revoke-link": "Revoke grant"})
				confirm := b.do(http.MethodGet, e.grantsPath(c.id, "revoke"), nil)
				wantPage(t, confirm, http.StatusOK, map[string]string{"consequence": c.consequence})
				if g, _ := e.m.Service.FindGrant(ctx, e.ids["o1"], c.id); !g.Active {
					t.Fatal("the confirmation page revoked the grant")
				}
				p := b.follow(b.submit(confirm, "confirm-form", e.grantsPath(c.id, "revoke"), nil), e.grantsPath(c.id))
				wantPage(t, p, http.StatusOK, map[string]string{"notice": c.notice, "grant-state": c.state})
				if p.Text("revoke-link") != "" {
					t.Error("a revoked grant offers to revoke it")
				}
				g, err := e.m.Service.FindGrant(ctx, e.ids["o1"], c.id)
				e.must(err)
				if g.Active || g.State != c.want {
					t.Errorf("grant after revoking: active %v, state %s, want %s", g.Active, g.State, c.want)
				}
			})
		}
		b.t = t
		confirm := b.do(http.MethodGet, e.grantsPath(e.ids["grant"], "revoke"), nil)
		wantPage(t, confirm, http.StatusOK, map[string]string{"consequence": "This grant is no longer active; nothing changes.",
			"question": "Revoke the grant of Guest <guest@example.com> on Front Door?"})
	})
}

// mondays is a schedule the builder did not write: the list calls it a custom schedule.
const mondays = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:m\r\nDTSTART;TZID=Europe/Vienna:20270104T080000\r\n" +
	"DTEND;TZID=Europe/Vienna:20270104T120000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// TestPortalGrants_List filters the list and pages it, 50 a page.
func TestPortalGrants_List(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		s, asOlivia := e.m.Service, asUser(context.Background(), e.olivia)
		for i := range 52 {
			_, err := s.CreateGrant(asOlivia, e.ids["o1"], e.inlineGrant("group", fmt.Sprintf("p%02d@example.com", i)))
			e.must(err)
		}
		from, before := keyward.NewTime(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)), keyward.NewTime(time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC))
		card, err := s.CreateGrant(asOlivia, e.ids["o1"], keyward.GrantCreate{BoundLockID: e.ids["lock1"], BoundCardID: apitest.Ptr(e.ids["card"]),
			ValidFrom: &from, ValidBefore: &before, TimeRestrictionIcal: apitest.Ptr(mondays)})
		e.must(err)
		_, err = s.RevokeGrant(asOlivia, e.ids["o1"], e.ids["grant"], false)
		e.must(err)

		b := e.signedIn(t)
		list := b.do(http.MethodGet, e.grantsPath(), nil)
		wantPage(t, list, http.StatusOK, map[string]string{"page-number": "Page 1", "next-page": "Next page"})
		rows := func(p htmlPage) int { return len(regexp.MustCompile(`<tr data-grant=`).FindAllString(p.Body, -1)) }
		if n := rows(list); n != 50 {
			t.Fatalf("%d rows on page 1, want 50", n)
		}
		p := b.do(http.MethodGet, list.Find(`<a href="([^"]+)" id="next-page"`), nil)
		wantPage(t, p, http.StatusOK, map[string]string{"page-number": "Page 2", "prev-page": "Previous page"})
		if n := rows(p); n != 3 || p.Text("next-page") != "" {
			t.Errorf("%d rows on page 2, want 3 (52 group grants and the card's; the revoked one hidden), and no next page", n)
		}
		p = b.do(http.MethodGet, e.grantsPath()+"?card="+e.ids["card"], nil)
		wantPage(t, p, http.StatusOK, map[string]string{
			"grantee-" + card.ID:   "Blue card",
			"target-" + card.ID:    "Front Door",
			"validity-" + card.ID:  "From 2027-01-01 01:00 CET (Europe/Vienna) until 2027-07-01 02:00 CEST (Europe/Vienna)",
			"schedule-" + card.ID:  "Custom schedule",
			"state-" + card.ID:     "Active",
			"cardwrite-" + card.ID: "Waiting to be written to the card",
		})
		if n := rows(p); n != 1 {
			t.Errorf("%d rows for the card, want 1", n)
		}
		p = b.do(http.MethodGet, e.grantsPath()+"?contact="+e.ids["guest"], nil)
		wantPage(t, p, http.StatusOK, map[string]string{"no-grants": "No grants match."})
		p = b.do(http.MethodGet, e.grantsPath()+"?contact="+e.ids["guest"]+"&show=all", nil)
		wantPage(t, p, http.StatusOK, map[string]string{"state-" + e.ids["grant"]: "Revoked", "target-" + e.ids["grant"]: "Front Door"})
		p = b.do(http.MethodGet, e.grantsPath()+"?target="+e.ids["group"]+"&page=2", nil)
		if n := rows(p); n != 2 || !strings.Contains(p.Body, "(group)") {
			t.Errorf("%d rows on page 2 of the group's grants, want 2 marked as group grants", n)
		}
		p = b.do(http.MethodGet, e.grantsPath()+"?page=0", nil)
		wantPage(t, p, http.StatusBadRequest, nil)
	})
}

// TestPortalGrants_Access: who can open lock1 now, and why someone may not at an instant.
func TestPortalGrants_Access(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		s, asOlivia := e.m.Service, asUser(context.Background(), e.olivia)
		later := keyward.NewTime(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
		_, err := s.CreateGrant(asOlivia, e.ids["o1"], keyward.GrantCreate{BoundLockID: e.ids["lock1"], ContactID: apitest.Ptr(e.ids["oliviaContact"]), ValidFrom: &later})
		e.must(err)
		_, err = s.CreateGrant(asOlivia, e.ids["o1"], keyward.GrantCreate{BoundLockID: e.ids["group"], BoundCardID: apitest.Ptr(e.ids["card"]), TimeRestrictionIcal: apitest.Ptr(viennaWeekend)})
		e.must(err)
		pending, err := s.CreateGrant(asOlivia, e.ids["o1"], e.inlineGrant("group", "leaver@example.com"))
		e.must(err)
		e.deliver(t, pending.ID)
		_, err = s.RevokeGrant(asOlivia, e.ids["o1"], pending.ID, false)
		e.must(err)

		b := e.signedIn(t)
		access := "/portal/owners/" + e.ids["o1"] + "/locks/" + e.ids["lock1"] + "/access"
		lock := b.do(http.MethodGet, "/portal/owners/"+e.ids["o1"]+"/locks/"+e.ids["lock1"], nil)
		wantPage(t, lock, http.StatusOK, map[string]string{"lock-access-link": "Who can open this lock now?",
			"lock-check-link": "Why was someone denied?", "lock-new-grant": "Grant access to this lock"})
		for id, href := range map[string]string{"lock-access-link": access, "lock-check-link": access + "/check", "lock-new-grant": e.grantsPath("new") + "?target=" + e.ids["lock1"]} {
			if got := lock.Find(`<a href="([^"]+)" id="` + id + `"`); got != href {
				t.Errorf("#%s links to %q, want %q", id, got, href)
			}
		}
		if p := b.do(http.MethodGet, e.grantsPath("new")+"?target="+e.ids["lock1"], nil); !strings.Contains(p.Body, `<option value="`+e.ids["lock1"]+`" selected>`) {
			t.Error("the new-grant form does not preselect the lock it was opened from")
		}
		p := b.do(http.MethodGet, access, nil)
		wantPage(t, p, http.StatusOK, map[string]string{"access-groups": "Including the grants on its lock groups: Ground floor.",
			"row-0-grantee": "Guest <guest@example.com>", "row-0-verdict": "Allowed", "row-0-reasons": "Allowed", "row-0-lockmay": "—",
			"row-1-grantee": "olivia@example.com", "row-1-verdict": "Denied", "row-1-reasons": "Not yet valid", "row-1-next": "2030-01-01 01:00 CET (Europe/Vienna)",
			"row-2-grantee": "Blue card",
			"row-3-grantee": "leaver@example.com", "row-3-verdict": "Denied", "row-3-reasons": "Revocation pending", "row-3-lockmay": "Yes, until its next sync",
		})
		if got := p.Find(`<title>([^<]*)</title>`); got != "Who can open Front Door now? · Keyward" {
			t.Errorf("title = %q", got)
		}

		check := access + "/check"
		for _, c := range []struct {
			name, grantee, at string
			want              map[string]string
		}{
			{"Allowed", "contact:" + e.ids["guest"], "2027-03-28T09:00", map[string]string{
				"verdict":           "Allowed at 2027-03-28 09:00 CEST (Europe/Vienna): a grant lets them open this lock.",
				"decision-0-target": "Front Door", "decision-0-state": "Active", "decision-0-reason": "Allowed",
				"decision-0-explanation": "This grant allows access at this time."}},
			{"NotYetValid", "contact:" + e.ids["oliviaContact"], "2029-12-31T23:00", map[string]string{
				"verdict":                "Denied at 2029-12-31 23:00 CET (Europe/Vienna): no grant allows access then.",
				"decision-0-explanation": "The grant is not valid yet; it starts 2030-01-01 01:00 CET (Europe/Vienna).",
				"decision-0-next":        "2030-01-01 01:00 CET (Europe/Vienna)"}},
			{"OutsideSchedule", "card:" + e.ids["card"], "2027-03-28T13:30", map[string]string{
				"verdict":                "Denied at 2027-03-28 13:30 CEST (Europe/Vienna): no grant allows access then.",
				"decision-0-target":      "Via the group Ground floor",
				"decision-0-reason":      "Outside the schedule",
				"decision-0-explanation": "The time is outside the grant’s schedule: Monday, Friday, Saturday, Sunday from 08:00 to 12:00 (Europe/Vienna).",
				"decision-0-next":        "2027-03-29 08:00 CEST (Europe/Vienna)"}},
			{"InsideSchedule", "card:" + e.ids["card"], "2027-03-28T08:30", map[string]string{
				"verdict": "Allowed at 2027-03-28 08:30 CEST (Europe/Vienna): a grant lets them open this lock."}},
			{"Pending", "contact:" + *pending.ContactID, "2027-03-28T08:30", map[string]string{
				"verdict":                "Denied at 2027-03-28 08:30 CEST (Europe/Vienna): no grant allows access then.",
				"lock-may-still-allow":   "But the lock may still open: it has not yet learned of a revocation, and until its next sync the revoked key would open it at this time.",
				"decision-0-state":       "Revocation pending",
				"decision-0-explanation": "The grant was revoked, but the lock has not synced since: until it does, it may still accept the key."}},
			{"NoGrant", "contact:" + e.ids["oliviaContact"] + "x", "2027-03-28T08:30", nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				b.t = t
				p := b.do(http.MethodGet, check+"?"+url.Values{"grantee": {c.grantee}, "at": {c.at}}.Encode(), nil)
				if c.want == nil {
					wantPage(t, p, http.StatusNotFound, map[string]string{"grantee-error": "Choose a contact or a card of this account."})
					return
				}
				wantPage(t, p, http.StatusOK, c.want)
			})
		}
		b.t = t
		b.Lang = "fr"
		p = b.do(http.MethodGet, check+"?"+url.Values{"grantee": {"card:" + e.ids["card"]}, "at": {"2027-03-28T13:30"}}.Encode(), nil)
		wantPage(t, p, http.StatusOK, map[string]string{"decision-0-reason": "Hors de l’horaire",
			"decision-0-explanation": "L’heure est hors de l’horaire de l’autorisation : lundi, vendredi, samedi, dimanche de 08:00 à 12:00 (Europe/Vienna)."})
		b.Lang = ""
		p = b.do(http.MethodGet, check+"?grantee=card:"+e.ids["card"]+"&at=yesterday", nil)
		wantPage(t, p, http.StatusBadRequest, map[string]string{"at-error": "Enter a date and a time."})
	})
}

// TestPortalBrowser_Grants plays e2e/portal/grants.mjs in Chromium: the builder filled in by
// the keyboard, its preview, a refusal, the grant created and revoked, the list and the access
// pages of the lock, and a grant a lock holds revoked (pending), every page checked by axe-core.
func TestPortalBrowser_Grants(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		held, err := e.m.Service.CreateGrant(asUser(context.Background(), e.olivia), e.ids["o1"], e.contactGrant("group", "oliviaContact"))
		e.must(err)
		e.deliver(t, held.ID)
		got := runPortalFlow(t, e, "grants", map[string]any{"ownerId": e.ids["o1"], "lockId": e.ids["lock1"], "guestId": e.ids["guest"], "heldId": held.ID})
		want := map[string]any{
			"duplicate":       "This person or card already has an active access permission for this lock.",
			"previewZone":     "All times are in the time zone Europe/Vienna.",
			"summerWindow":    "2027-03-28 08:00 CEST (Europe/Vienna)",
			"ical":            strings.ReplaceAll(viennaWeekend, "\r\n", "\n"),
			"createdNotice":   "The grant was created.",
			"schedule":        "Monday, Friday, Saturday, Sunday from 08:00 to 12:00 (Europe/Vienna)",
			"consequence":     "No lock has received this grant’s key yet, so it is revoked at once.",
			"state":           "Revoked",
			"rows":            float64(3), // the seeded grant, the revoked one and the held one
			"firstVerdict":    "Allowed",
			"verdict":         "Allowed at 2027-03-28 09:00 CEST (Europe/Vienna): a grant lets them open this lock.",
			"heldConsequence": "A lock already holds this grant’s key. The grant stays “revocation pending” until the lock syncs next; until then the key may still open it.",
			"heldNotice":      "The grant was revoked; it is pending until the lock confirms it at its next sync.",
			"heldState":       "Revocation pending",
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("flow results (-want +got):\n%s", diff)
		}
		if g, err := e.m.Service.FindGrant(asUser(context.Background(), e.polly), e.ids["o1"], held.ID); err != nil || g.Active || g.State != keyward.GrantRevocationPending {
			t.Errorf("the held grant after the flow = %+v, %v: want it inactive, %s", g, err, keyward.GrantRevocationPending)
		}
	})
}

// TestPortalGrants_ChoiceBeyondTheSelect: the selects of the new-grant form, of the grant list's
// and the log's filters and of the access check hold the first keyward.MaxTop locks, contacts and
// cards of an account. One beyond them that a link or a filter chooses is still offered and
// chosen, and a grant on a lock beyond them is previewed and scheduled in that lock's zone, not
// in UTC.
func TestPortalGrants_ChoiceBeyondTheSelect(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		ctx := context.Background()
		asOlivia, s := asUser(ctx, e.olivia), e.m.Service
		doors := e.doors(t, keyward.MaxTop)
		for i := range doors {
			email := fmt.Sprintf("guest%04d@example.com", i)
			_, err := s.CreateContact(asOlivia, e.ids["o1"], keyward.ContactCreate{Identifier: &email})
			e.must(err)
			pc, err := s.RegisterCard(asOperator(ctx), 4)
			e.must(err)
			_, err = s.BindCard(asOlivia, e.ids["o1"], keyward.BindCardRequest{PhysicalCardID: &pc.ID})
			e.must(err)
		}
		phys, code := e.registerLock(ctx, keyward.PhysicalLockCreate{LockTypeID: "TK.Td30", ProtocolVersion: 3,
			TimeZone: "America/New_York", TimeRestrictionSupport: true})
		far, err := s.BindLock(asOlivia, e.ids["o1"], keyward.BindLockRequest{PhysicalLockID: phys.ID, BindingCode: code, Title: apitest.Ptr("Far Shed")})
		e.must(err)
		email := "last@example.com"
		last, err := s.CreateContact(asOlivia, e.ids["o1"], keyward.ContactCreate{Identifier: &email})
		e.must(err)
		pc, err := s.RegisterCard(asOperator(ctx), 4)
		e.must(err)
		card, err := s.BindCard(asOlivia, e.ids["o1"], keyward.BindCardRequest{PhysicalCardID: &pc.ID, Title: apitest.Ptr("Last card")})
		e.must(err)

		b := e.signedIn(t)
		check := "/portal/owners/" + e.ids["o1"] + "/locks/" + e.ids["lock1"] + "/access/check"
		logs := "/portal/owners/" + e.ids["o1"] + "/logs"
		for _, c := range []struct{ path, query, value, label string }{
			{e.grantsPath("new"), "target", far.ID, "Far Shed (America/New_York)"},
			{e.grantsPath("new"), "contact", last.ID, "last@example.com"},
			{e.grantsPath("new"), "card", card.ID, "Last card"},
			{e.grantsPath(), "target", far.ID, "Far Shed (America/New_York)"},
			{e.grantsPath(), "contact", last.ID, "last@example.com"},
			{e.grantsPath(), "card", card.ID, "Last card"},
			{check, "grantee", "contact:" + last.ID, "last@example.com"},
			{check, "grantee", "card:" + card.ID, "Last card"},
			{logs, "lock", far.ID, "Far Shed"},
			{logs, "contact", last.ID, "(last@example.com)"},
			{logs, "card", card.ID, "Last card (" + card.Label + ")"},
		} {
			page := b.do(http.MethodGet, c.path+"?"+url.Values{c.query: {c.value}}.Encode(), nil)
			wantPage(t, page, http.StatusOK, nil)
			if got := page.Find(`<option value="` + regexp.QuoteMeta(c.value) + `" selected>([^<]*)</option>`); got != c.label {
				t.Errorf("%s?%s= the last one: selected option %q, want %q", c.path, c.query, got, c.label)
			}
			// A select holds the first MaxTop of each kind it offers (the access check's offers
			// contacts and cards), the account's one group, the empty choice and the chosen one,
			// never all of the account's locks, contacts or cards.
			for _, sel := range regexp.MustCompile(`(?s)<select id="([^"]+)".*?</select>`).FindAllStringSubmatch(page.Body, -1) {
				kinds := map[string]int{"check-grantee": 2}[sel[1]]
				if n := strings.Count(sel[0], "<option "); n > max(kinds, 1)*keyward.MaxTop+3 {
					t.Errorf("%s?%s=%s: the select %s holds %d options", c.path, c.query, c.value, sel[1], n)
				}
			}
		}
		page := b.do(http.MethodGet, e.grantsPath("new")+"?target="+far.ID, nil)
		p := b.postGrant(page, e.grantsPath("new"), url.Values{"target": {far.ID}, "email": {"visitor@example.com"},
			"valid_from": {"2027-03-26"}, "day": {"MO"}, "time_from": {"08:00"}, "time_to": {"12:00"}, "do": {"preview"}})
		wantPage(t, p, http.StatusOK, map[string]string{"preview-zone": "All times are in the time zone America/New_York."})
		if ical := textarea(p, "grant-ical"); !strings.Contains(ical, "DTSTART;TZID=America/New_York:") {
			t.Errorf("the schedule of the lock beyond the select = %q, want it in America/New_York", ical)
		}

		// An unbound lock or card is not offered however it is chosen, as the selects' own are not.
		e.must(s.UnbindLock(asOlivia, e.ids["o1"], far.ID))
		page = b.do(http.MethodGet, e.grantsPath("new")+"?target="+far.ID, nil)
		wantPage(t, page, http.StatusOK, nil)
		if strings.Contains(page.Body, `<option value="`+far.ID+`"`) {
			t.Error("the new-grant form offers an unbound lock a link chose")
		}
	})
}

// doors binds n locks titled "Door 0000" on, in account o1, and returns them.
func (e *portalEnv) doors(t *testing.T, n int) []*keyward.BoundLock {
	t.Helper()
	asOlivia := asUser(context.Background(), e.olivia)
	out := make([]*keyward.BoundLock, n)
	for i := range out {
		out[i] = e.bind(asOlivia, e.ids["o1"], fmt.Sprintf("Door %04d", i))
	}
	return out
}

// TestPortalGroups_MoreMembersThanAList: a group with more members than a list serves
// (keyward.MaxTop) shows them a page at a time, and a search finds a lock to add among every
// lock of the account outside the group, beyond the first keyward.MaxTop too.
func TestPortalGroups_MoreMembersThanAList(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		asOlivia, s, o := asUser(context.Background(), e.olivia), e.m.Service, e.ids["o1"]
		doors := e.doors(t, keyward.MaxTop+10)
		g, err := s.CreateLockGroup(asOlivia, o, keyward.LockGroupCreate{Title: "Every door"})
		e.must(err)
		for _, d := range doors[:keyward.MaxTop+1] {
			_, err := s.AddLockGroupMember(asOlivia, o, g.ID, keyward.LockGroupMemberRequest{BoundLockID: d.ID})
			e.must(err)
		}
		b := e.signedIn(t)
		path := "/portal/owners/" + o + "/groups/" + g.ID
		members := regexp.MustCompile(`<tr data-lock="([^"]+)">`)
		option := regexp.MustCompile(`<option value="([^"]+)"[^>]*>([^<]*)</option>`)
		options := func(p htmlPage) [][]string { // the add form's
			return option.FindAllStringSubmatch(p.Find(`(?s)<select id="member-lock"[^>]*>(.*?)</select>`), -1)
		}
		page := b.do(http.MethodGet, path, nil)
		wantPage(t, page, http.StatusOK, map[string]string{"page-number": "Page 1"})
		if n := len(members.FindAllString(page.Body, -1)); n != 50 || !strings.Contains(page.Body, `id="next-page"`) {
			t.Errorf("the first page shows %d members (want 50) and a next page: %v", n, strings.Contains(page.Body, `id="next-page"`))
		}
		// the candidates are the account's other active locks: lock1 "Front Door" and the nine
		// doors outside the group, never a member
		var got []string
		for _, m := range options(page) {
			got = append(got, m[2])
		}
		want := []string{"Front Door"}
		for _, d := range doors[keyward.MaxTop+1:] {
			want = append(want, d.Title)
		}
		if !slices.Equal(got, want) {
			t.Errorf("the add form offers %q, want %q", got, want)
		}
		last := b.do(http.MethodGet, path+"?page=21", nil)
		wantPage(t, last, http.StatusOK, map[string]string{"page-number": "Page 21"})
		if m := members.FindAllStringSubmatch(last.Body, -1); len(m) != 1 || m[0][1] != doors[keyward.MaxTop].ID || strings.Contains(last.Body, `id="next-page"`) {
			t.Errorf("page 21 shows members %v, want only %s and no next page", m, doors[keyward.MaxTop].ID)
		}
		found := b.do(http.MethodGet, path+"?q=Door+1009", nil)
		wantPage(t, found, http.StatusOK, nil)
		if m := options(found); len(m) != 1 || m[0][1] != doors[keyward.MaxTop+9].ID {
			t.Errorf("a search for Door 1009 offers %v, want that lock alone", m)
		}
		none := b.do(http.MethodGet, path+"?q=Door+0007", nil) // a member
		wantPage(t, none, http.StatusOK, map[string]string{"no-candidates": "No lock outside this group has a title containing “Door 0007”."})
	})
}
