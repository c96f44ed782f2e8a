package app_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
	"github.com/keyward/keyward/internal/odata"
)

// The inventory pages of the portal: locks, lock groups, contacts and cards, over HTTP as a
// browser without JavaScript uses them, each change checked through the service afterwards.

const (
	invalidText   = "This request cannot be processed. Please check your entries and try again."
	forbiddenText = "You do not have permission to do this."
	notFoundText  = "What you are looking for does not exist or no longer exists."
)

// viennaTime is an instant as the portal shows it in a lock of the fixture's zone.
func viennaTime(t *testing.T, at time.Time) string {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Vienna")
	if err != nil {
		t.Fatal(err)
	}
	return at.In(loc).Format("2006-01-02 15:04 MST") + " (Europe/Vienna)"
}

// rowText is the text of the cells of the table row with the data attribute, "|"-separated,
// tags and surrounding space removed.
func rowText(p htmlPage, attr, id string) string {
	row := p.Find(`(?s)<tr ` + attr + `="` + regexp.QuoteMeta(id) + `">(.*?)</tr>`)
	cells := regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`).FindAllStringSubmatch(row, -1)
	tags := regexp.MustCompile(`<[^>]+>`)
	var out []string
	for _, c := range cells {
		out = append(out, strings.Join(strings.Fields(tags.ReplaceAllString(c[1], "")), " "))
	}
	return strings.Join(out, "|")
}

// TestPortal_Locks binds a lock (refused with a wrong code, a lock bound elsewhere and no id),
// renames it, unbinds it after the confirmation page, and shows lock1's health, propagation,
// grants and log after a sync in the field.
func TestPortal_Locks(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		ctx, asPolly := context.Background(), asUser(context.Background(), e.polly)
		b := e.signedIn(t)
		base := "/portal/owners/" + e.ids["o1"] + "/locks"
		list := b.do(http.MethodGet, base, nil)
		wantPage(t, list, http.StatusOK, nil)

		for _, c := range []struct {
			name, physical, code, field string
			status                      int
			want                        string
		}{
			{"WrongCode", e.freeLockID, "wrong-code", "bindingCode-error", http.StatusBadRequest,
				"No lock with this id and binding code is registered. Check both on the lock's label."},
			{"BoundElsewhere", e.ids["phys2"], e.lock2Code, "physicalLockId-error", http.StatusForbidden,
				"This lock is bound to an owner account already. It must be unbound there first."},
			{"NoID", "", e.freeCode, "physicalLockId-error", http.StatusBadRequest, invalidText + ` (field "physicalLockId" is required)`},
		} {
			p := b.submit(list, "bind-lock", base, map[string]string{"physicalLockId": c.physical, "bindingCode": c.code, "title": "Back Door"})
			wantPage(t, p, c.status, map[string]string{c.field: c.want})
			if got := p.Find(`name="title" value="([^"]*)"`); got != "Back Door" {
				t.Errorf("%s: the title typed became %q", c.name, got)
			}
		}
		page := b.follow(b.submit(list, "bind-lock", base, map[string]string{"physicalLockId": e.freeLockID, "bindingCode": e.freeCode, "title": "Back Door"}), base+"/")
		wantPage(t, page, http.StatusOK, map[string]string{"notice": "The lock was bound.", "physical-lock-id": e.freeLockID,
			"lock-zone": "Europe/Vienna", "last-sync": "Never synced", "no-log": "The lock has not reported any log entries yet."})
		bound, err := e.m.Service.FindBoundLocks(asPolly, e.ids["o1"], nil)
		e.must(err)
		if len(bound) != 2 || bound[1].PhysicalLockID != e.freeLockID || bound[1].Title != "Back Door" {
			t.Fatalf("bound locks = %+v, want lock1 and Back Door", bound)
		}
		back := bound[1]
		lockPath := base + "/" + back.ID

		p := b.submit(page, "rename-lock", lockPath+"/rename", map[string]string{"title": " ", "description": "Garden side"})
		wantPage(t, p, http.StatusBadRequest, map[string]string{"title-error": invalidText + ` (field "title" is required)`})
		page = b.follow(b.submit(page, "rename-lock", lockPath+"/rename", map[string]string{"title": "Garden Door", "description": "Garden side"}), lockPath)
		wantPage(t, page, http.StatusOK, map[string]string{"notice": "The lock was saved."})
		if l, err := e.m.Service.FindBoundLock(asPolly, e.ids["o1"], back.ID, nil); err != nil || l.Title != "Garden Door" || l.Description != "Garden side" {
			t.Fatalf("renamed lock = %+v, %v", l, err)
		}

		confirm := b.do(http.MethodGet, lockPath+"/unbind", nil)
		wantPage(t, confirm, http.StatusOK, map[string]string{"question": "Unbind the lock Garden Door (" + e.freeLockID + ")?",
			"consequence": "Its grants are revoked at once and it leaves its lock groups. Its log entries are kept, and its binding code binds it again later."})
		list = b.follow(b.submit(confirm, "confirm-form", lockPath+"/unbind", nil), base)
		wantPage(t, list, http.StatusOK, map[string]string{"notice": "The lock was unbound."})
		if l, err := e.m.Service.FindBoundLock(asPolly, e.ids["o1"], back.ID, nil); err != nil || l.Active {
			t.Fatalf("unbound lock = %+v, %v", l, err)
		}
		if strings.Contains(list.Body, `data-lock="`+back.ID+`"`) {
			t.Error("the list shows the unbound lock")
		}

		// lock1 in the field: the guest's key reached it, it synced with two entries and its
		// health; then the guest's grant was revoked and a card grant made.
		l1, err := e.admin.BoundLock(ctx, e.ids["lock1"])
		e.must(err)
		e.deliverKeys(t, l1)
		opened := keyward.NewTime(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
		entries := []lockproto.LogEntry{
			{EntryNo: 1, LockTimestamp: opened, LogType: lockproto.LogTypeCommand, Command: lockproto.CommandTriggerLock,
				Result: lockproto.ResultAllowed, Reason: lockproto.ReasonAllowed, GrantID: apitest.Ptr(e.ids["grant"]), ContactID: apitest.Ptr(e.ids["guest"])},
			{EntryNo: 2, LockTimestamp: keyward.NewTime(opened.Add(time.Hour)), LogType: lockproto.LogTypeCommand, Command: lockproto.CommandTriggerLock,
				Result: lockproto.ResultDenied, Reason: lockproto.ReasonExpired, BoundCardID: apitest.Ptr(e.ids["card"])},
		}
		health := []lockproto.HealthReport{{MeasuredAt: keyward.NewTime(time.Now()), BatteryVoltage: 2.9, BatteryWarning: lockproto.BatteryLow, Temperature: 21.5}}
		if _, err := e.locks[l1.PhysicalLockID].Sync(ctx, client.New(e.base, nil), entries, health); err != nil {
			t.Fatal(err)
		}
		_, err = e.m.Service.RevokeGrant(asPolly, e.ids["o1"], e.ids["grant"], false)
		e.must(err)
		cardGrant, err := e.m.Service.CreateGrant(asPolly, e.ids["o1"], e.cardGrant("lock1", "card"))
		e.must(err)
		l1, err = e.m.Service.FindBoundLock(asPolly, e.ids["o1"], e.ids["lock1"], nil)
		e.must(err)
		prop, err := e.m.Service.FindLockPropagation(asPolly, e.ids["o1"], e.ids["lock1"])
		e.must(err)
		if l1.LastSyncAt == nil || len(prop.PendingRevocations) != 1 || len(prop.PendingCardWrites) != 1 || prop.PendingRevocations[0].ExposureEndsAt == nil {
			t.Fatalf("lock1 = %+v, propagation %+v: want a sync, a pending revocation and a card write", l1, prop)
		}
		synced := viennaTime(t, l1.LastSyncAt.Time)

		list = b.do(http.MethodGet, base, nil)
		if got, want := rowText(list, "data-lock", e.ids["lock1"]), "Front Door|Td30|2.90 V, low|"+synced+"|2"; got != want {
			t.Errorf("lock1's row = %q, want %q", got, want)
		}
		page = b.do(http.MethodGet, base+"/"+e.ids["lock1"], nil)
		wantPage(t, page, http.StatusOK, map[string]string{
			"propagation-state": "Revocations the lock has not confirmed: 1. Cards it has still to write: 1. It learns of them at its next sync.",
			"all-log":           "All log entries of this lock",
		})
		if got := page.Find(`href="([^"]*)" id="all-log"`); got != "/portal/owners/"+e.ids["o1"]+"/logs?lock="+e.ids["lock1"] {
			t.Errorf("all entries link = %q", got)
		}
		if got := page.Find(`id="last-sync"><time datetime="[^"]+">([^<]*)<`); got != synced {
			t.Errorf("last sync = %q, want %q", got, synced)
		}
		measured := viennaTime(t, health[0].MeasuredAt.Time)
		wantRows(t, page, `(?s)<table id="health".*?</table>`, []string{
			"Battery voltage|2.90 V|" + measured + "|current",
			"Battery warning|low|" + measured + "|current",
			"Temperature|21.5 °C|" + measured + "|current",
		})
		rev := prop.PendingRevocations[0]
		wantRowPrefix(t, rowText(page, "data-grant", e.ids["grant"]), "Show grant Guest (guest@example.com)|Guest (guest@example.com)|"+viennaTime(t, rev.RevokedAt.Time)+" (")
		if got := page.Find(`(?s)<td class="exposure"><time datetime="[^"]+">([^<]*)<`); got != viennaTime(t, rev.ExposureEndsAt.Time) {
			t.Errorf("exposure ends = %q", got)
		}
		if got := rowText(page, "data-card", e.ids["card"]); got != "Blue card|1|"+viennaTime(t, prop.PendingCardWrites[0].Since.Time) {
			t.Errorf("card write row = %q", got)
		}
		grants := page.Find(`(?s)(<table id="grants".*?</table>)`)
		for id, want := range map[string]string{e.ids["grant"]: "Guest (guest@example.com)|Revocation pending|Show grant Guest (guest@example.com)",
			cardGrant.ID: "Blue card|Active|Show grant Blue card"} {
			if got := rowText(&apitest.Page{Body: grants}, "data-grant", id); got != want {
				t.Errorf("grant %s row = %q, want %q", id, got, want)
			}
		}
		wantRows(t, page, `(?s)<table id="log".*?</table>`, []string{
			viennaTime(t, opened.Add(time.Hour)) + "|Blue card|TriggerLock|Denied (Expired)",
			viennaTime(t, opened.Time) + "|Guest (guest@example.com)|TriggerLock|Allowed (Allowed)",
		})

		p = b.do(http.MethodGet, base+"?page=0", nil)
		wantPage(t, p, http.StatusBadRequest, map[string]string{"message": invalidText})
		p = b.do(http.MethodGet, "/portal/owners/"+e.ids["o2"]+"/locks", nil)
		wantPage(t, p, http.StatusForbidden, map[string]string{"message": forbiddenText})
		p = b.do(http.MethodGet, base+"/"+e.ids["lock2"], nil)
		wantPage(t, p, http.StatusNotFound, map[string]string{"message": notFoundText})
		p = b.do(http.MethodGet, base+"/"+e.ids["lock2"]+"/unbind", nil)
		wantPage(t, p, http.StatusNotFound, map[string]string{"message": notFoundText})
	})
}

// wantRows checks the body rows of the table the pattern finds, in order.
func wantRows(t *testing.T, p htmlPage, table string, want []string) {
	t.Helper()
	body := p.Find(`(` + table + `)`)
	rows := regexp.MustCompile(`(?s)<tbody>(.*)</tbody>`).FindStringSubmatch(body)
	if rows == nil {
		t.Fatalf("no table body for %s in\n%s", table, p.Body)
	}
	var got []string
	for _, r := range regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`).FindAllStringSubmatch(rows[1], -1) {
		got = append(got, rowText(&apitest.Page{Body: `<tr x="y">` + r[1] + `</tr>`}, "x", "y"))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows of %s:\n got %q\nwant %q", table, got, want)
	}
}

// wantRowPrefix checks the beginning of a row's text.
func wantRowPrefix(t *testing.T, got, prefix string) {
	t.Helper()
	if !strings.HasPrefix(got, prefix) {
		t.Errorf("row = %q, want it to begin %q", got, prefix)
	}
}

// TestPortal_Groups creates a group (refused without a title and on a plan without groups),
// renames it, adds and removes a member, and deletes it, each after its confirmation page.
func TestPortal_Groups(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		asPolly := asUser(context.Background(), e.polly)
		b := e.signedIn(t)
		base := "/portal/owners/" + e.ids["o1"] + "/groups"
		list := b.do(http.MethodGet, base, nil)
		wantPage(t, list, http.StatusOK, nil)
		if got := rowText(list, "data-group", e.ids["group"]); got != "Ground floor|" {
			t.Errorf("the seeded group's row = %q", got)
		}

		p := b.submit(list, "create-group", base, map[string]string{"title": "", "description": "Upstairs"})
		wantPage(t, p, http.StatusBadRequest, map[string]string{"title-error": invalidText + ` (field "title" is required)`})
		e.setPlan(t, "o1", "basic")
		p = b.submit(list, "create-group", base, map[string]string{"title": "First floor", "description": "Upstairs"})
		wantPage(t, p, http.StatusPaymentRequired, map[string]string{"form-error": "Your current plan does not include this feature. Please upgrade your plan to use it."})
		if got := p.Find(`id="group-description" name="description" value="([^"]*)"`); got != "Upstairs" {
			t.Errorf("the description typed became %q", got)
		}
		e.setPlan(t, "o1", "unlimited")
		page := b.follow(b.submit(list, "create-group", base, map[string]string{"title": "First floor", "description": "Upstairs"}), base+"/")
		wantPage(t, page, http.StatusOK, map[string]string{"notice": "The lock group was created.", "no-members": "The group has no locks yet."})
		groups, err := e.m.Service.FindLockGroups(asPolly, e.ids["o1"], nil)
		e.must(err)
		if len(groups) != 2 || groups[1].Title != "First floor" || groups[1].Description != "Upstairs" {
			t.Fatalf("groups = %+v", groups)
		}
		g := groups[1]
		groupPath := base + "/" + g.ID

		p = b.submit(page, "rename-group", groupPath+"/rename", map[string]string{"title": "", "description": ""})
		wantPage(t, p, http.StatusBadRequest, map[string]string{"title-error": invalidText + ` (field "title" is required)`})
		page = b.follow(b.submit(page, "rename-group", groupPath+"/rename", map[string]string{"title": "Upper floor", "description": ""}), groupPath)
		wantPage(t, page, http.StatusOK, map[string]string{"notice": "The lock group was saved."})
		if got, err := e.m.Service.FindLockGroup(asPolly, e.ids["o1"], g.ID, nil); err != nil || got.Title != "Upper floor" || got.Description != "" {
			t.Fatalf("renamed group = %+v, %v", got, err)
		}

		// An unbound lock cannot join; lock1, the account's one bound lock, can.
		unbound := e.bind(asPolly, e.ids["o1"], "Old Door")
		e.must(e.m.Service.UnbindLock(asPolly, e.ids["o1"], unbound.ID))
		if got := page.Find(`<select id="member-lock" name="boundLockId"><option value="([^"]*)">Front Door</option></select>`); got != e.ids["lock1"] {
			t.Errorf("the member choice is not lock1 alone:\n%s", page.Body)
		}
		p = b.submit(page, "add-member", groupPath+"/members", map[string]string{"boundLockId": unbound.ID})
		wantPage(t, p, http.StatusBadRequest, map[string]string{"boundLockId-error": invalidText + ` (bound lock "` + unbound.ID + `" is unbound and cannot join a group)`})
		p = b.submit(page, "add-member", groupPath+"/members", map[string]string{"boundLockId": e.ids["lock2"]})
		wantPage(t, p, http.StatusNotFound, map[string]string{"message": notFoundText})
		page = b.follow(b.submit(page, "add-member", groupPath+"/members", map[string]string{"boundLockId": e.ids["lock1"]}), groupPath)
		wantPage(t, page, http.StatusOK, map[string]string{"notice": "The lock was added to the group.", "no-candidates": "Every bound lock of the account is in this group."})
		members, err := e.m.Service.FindLockGroupMembers(asPolly, e.ids["o1"], g.ID, nil)
		e.must(err)
		if len(members) != 1 || members[0].ID != e.ids["lock1"] {
			t.Fatalf("members = %+v, want lock1", members)
		}

		remove := groupPath + "/members/" + e.ids["lock1"] + "/remove"
		confirm := b.do(http.MethodGet, remove, nil)
		wantPage(t, confirm, http.StatusOK, map[string]string{"question": "Remove the lock Front Door from the group Upper floor?",
			"consequence": "The group's keys no longer open this lock once it has synced. Grants on the lock itself stay."})
		page = b.follow(b.submit(confirm, "confirm-form", remove, nil), groupPath)
		wantPage(t, page, http.StatusOK, map[string]string{"notice": "The lock was removed from the group."})
		members, err = e.m.Service.FindLockGroupMembers(asPolly, e.ids["o1"], g.ID, nil)
		e.must(err)
		if len(members) != 0 {
			t.Fatalf("members after the removal = %+v", members)
		}

		confirm = b.do(http.MethodGet, groupPath+"/delete", nil)
		wantPage(t, confirm, http.StatusOK, map[string]string{"question": "Delete the lock group Upper floor?",
			"consequence": "Its grants are revoked; its locks stay bound and learn of the revocation at their next sync."})
		list = b.follow(b.submit(confirm, "confirm-form", groupPath+"/delete", nil), base)
		wantPage(t, list, http.StatusOK, map[string]string{"notice": "The lock group was deleted."})
		if got, err := e.m.Service.FindLockGroup(asPolly, e.ids["o1"], g.ID, nil); err != nil || got.Active {
			t.Fatalf("deleted group = %+v, %v", got, err)
		}
		if strings.Contains(list.Body, g.ID) {
			t.Error("the list shows the deleted group")
		}

		p = b.do(http.MethodGet, "/portal/owners/"+e.ids["o2"]+"/groups", nil)
		wantPage(t, p, http.StatusForbidden, map[string]string{"message": forbiddenText})
		p = b.do(http.MethodGet, base+"/"+e.ids["lock1"], nil)
		wantPage(t, p, http.StatusNotFound, map[string]string{"message": notFoundText})
	})
}

// TestPortal_Contacts pages and searches the contacts, creates a Keyward user's contact and an
// identity provider's user's (each refused once), edits one, revokes its grants and deletes it
// after the confirmation pages, and keeps the last Owner's contact.
func TestPortal_Contacts(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		ctx := context.Background()
		asPolly := asUser(ctx, e.polly)
		b := e.signedIn(t)
		base := "/portal/owners/" + e.ids["o1"] + "/contacts"
		// 51 contacts are one more than a page holds.
		before, err := e.m.Service.FindContacts(asPolly, e.ids["o1"], nil)
		e.must(err)
		for i := range 51 - len(before) {
			_, err := e.m.Service.CreateContact(asPolly, e.ids["o1"], keyward.ContactCreate{Identifier: apitest.Ptr("p" + strconv.Itoa(100+i) + "@example.com")})
			e.must(err)
		}
		list := b.do(http.MethodGet, base, nil)
		wantPage(t, list, http.StatusOK, map[string]string{"page-number": "Page 1", "next-page": "Next page"})
		if n := strings.Count(list.Body, "<tr data-contact="); n != 50 {
			t.Errorf("page 1 lists %d contacts, want 50", n)
		}
		second := b.do(http.MethodGet, list.Find(`<a href="([^"]*)" rel="next"`), nil)
		wantPage(t, second, http.StatusOK, map[string]string{"page-number": "Page 2", "prev-page": "Previous page"})
		if n := strings.Count(second.Body, "<tr data-contact="); n != 1 || !strings.Contains(second.Body, "p"+strconv.Itoa(100+50-len(before))+"@example.com") {
			t.Errorf("page 2 lists %d contacts, want the last one created alone", n)
		}
		found := b.do(http.MethodGet, base+"?q=GUEST", nil)
		wantPage(t, found, http.StatusOK, nil)
		if n := strings.Count(found.Body, "<tr data-contact="); n != 1 || rowText(found, "data-contact", e.ids["guest"]) != "guest@example.com|Guest" {
			t.Errorf("the search for GUEST found %d contacts:\n%s", n, found.Body)
		}
		found = b.do(http.MethodGet, base+"?q=nobody", nil)
		wantPage(t, found, http.StatusOK, map[string]string{"no-contacts": "No contact matches the search."})

		p := b.submit(list, "create-user-contact", base, map[string]string{"identifier": "not-an-address", "title": "Nina"})
		wantPage(t, p, http.StatusBadRequest, map[string]string{"identifier-error": invalidText + ` (field "identifier" must be an e-mail address for ipId "tapkey", got "not-an-address")`})
		p = b.submit(list, "create-user-contact", base, map[string]string{"identifier": "Guest@example.com", "title": "Nina"})
		wantPage(t, p, http.StatusBadRequest, map[string]string{"identifier-error": "A contact with this email address or user ID already exists."})
		p = b.submit(list, "create-idp-contact", base, map[string]string{"ipId": "acme.idp", "ipUserId": "", "title": "Ida"})
		wantPage(t, p, http.StatusBadRequest, map[string]string{"ipUserId-error": invalidText + ` (field "ipUserId" must not be empty)`})
		page := b.follow(b.submit(list, "create-idp-contact", base, map[string]string{"ipId": "acme.idp", "ipUserId": "u-42", "title": "Ida"}), base+"/")
		wantPage(t, page, http.StatusOK, map[string]string{"notice": "The contact was added.", "contact-identity": "acme.idp: u-42",
			"no-grants": "This contact has no grants."})
		page = b.follow(b.submit(list, "create-user-contact", base, map[string]string{"identifier": "nina@example.com", "title": "Nina"}), base+"/")
		wantPage(t, page, http.StatusOK, map[string]string{"notice": "The contact was added.", "contact-identity": "nina@example.com"})
		q, err := odata.Parse(url.Values{"$filter": {"identifier eq 'nina@example.com' or ipUserId eq 'u-42'"}})
		e.must(err)
		made, err := e.m.Service.FindContacts(asPolly, e.ids["o1"], q)
		e.must(err)
		if len(made) != 2 || made[0].IPID != "acme.idp" || apitest.Deref(made[0].Title) != "Ida" || made[1].IPID != keyward.IPTapkey || apitest.Deref(made[1].Title) != "Nina" {
			t.Fatalf("created contacts = %+v", made)
		}

		// The guest: edited, then its grants revoked, then deleted.
		guestPath := base + "/" + e.ids["guest"]
		page = b.do(http.MethodGet, guestPath, nil)
		if got := rowText(page, "data-grant", e.ids["grant"]); got != "Front Door|Active|Show grant Front Door" {
			t.Errorf("the guest's grant row = %q", got)
		}
		p = b.submit(page, "edit-contact", guestPath+"/edit", map[string]string{"title": strings.Repeat("x", 1025), "comment": ""})
		wantPage(t, p, http.StatusBadRequest, map[string]string{"title-error": invalidText + ` (field "title" is longer than 1024 characters)`})
		page = b.follow(b.submit(page, "edit-contact", guestPath+"/edit", map[string]string{"title": "Gus", "comment": "Cleaner, Tuesdays"}), guestPath)
		wantPage(t, page, http.StatusOK, map[string]string{"notice": "The contact was saved."})
		if c, err := e.m.Service.FindContact(asPolly, e.ids["o1"], e.ids["guest"]); err != nil || apitest.Deref(c.Title) != "Gus" || apitest.Deref(c.Comment) != "Cleaner, Tuesdays" {
			t.Fatalf("edited contact = %+v, %v", c, err)
		}

		confirm := b.do(http.MethodGet, guestPath+"/revoke", nil)
		wantPage(t, confirm, http.StatusOK, map[string]string{"question": "Revoke all grants of Gus (guest@example.com)?",
			"consequence": "Every active grant of the contact ends now. A lock that holds one of its keys learns of it at its next sync and may open for it until then. The contact stays."})
		page = b.follow(b.submit(confirm, "confirm-form", guestPath+"/revoke", nil), guestPath)
		wantPage(t, page, http.StatusOK, map[string]string{"notice": "All grants of the contact were revoked."})
		if g, err := e.m.Service.FindGrant(asPolly, e.ids["o1"], e.ids["grant"]); err != nil || g.Active || g.State != keyward.GrantRevoked {
			t.Fatalf("the guest's grant = %+v, %v", g, err)
		}
		if got := rowText(page, "data-grant", e.ids["grant"]); got != "Front Door|Revoked|Show grant Front Door" {
			t.Errorf("the revoked grant's row = %q", got)
		}

		confirm = b.do(http.MethodGet, guestPath+"/delete", nil)
		wantPage(t, confirm, http.StatusOK, map[string]string{"question": "Delete the contact Gus (guest@example.com)?",
			"consequence": "Its grants are revoked first, so that locks that hold one of its keys learn of it at their next sync. Then the contact is removed with its grants and, if it has one, its administrator permission. Its log entries stay."})
		list = b.follow(b.submit(confirm, "confirm-form", guestPath+"/delete", nil), base)
		wantPage(t, list, http.StatusOK, map[string]string{"notice": "The contact was deleted."})
		if _, err := e.m.Service.FindContact(asPolly, e.ids["o1"], e.ids["guest"]); !errors.Is(err, keyward.ErrNotFound) {
			t.Fatalf("the deleted contact: %v, want not found", err)
		}

		// Olivia leaves; Polly's own contact is then the last Owner's and stays.
		e.must(e.m.Service.DeletePermission(asPolly, e.ids["o1"], e.ids["oliviaPerm"]))
		perms, err := e.m.Service.FindPermissions(asPolly, e.ids["o1"], nil)
		e.must(err)
		var last string
		for _, perm := range perms {
			if perm.Role == keyward.RoleOwner {
				last = base + "/" + perm.ContactID + "/delete"
			}
		}
		p = b.submit(b.do(http.MethodGet, last, nil), "confirm-form", last, nil)
		wantPage(t, p, http.StatusForbidden, map[string]string{"form-error": "This contact is the last Owner of the account and cannot be deleted. Make someone else an Owner first."})

		p = b.do(http.MethodGet, "/portal/owners/"+e.ids["o2"]+"/contacts", nil)
		wantPage(t, p, http.StatusForbidden, map[string]string{"message": forbiddenText})
		p = b.do(http.MethodGet, base+"/"+e.ids["lock1"], nil)
		wantPage(t, p, http.StatusNotFound, map[string]string{"message": notFoundText})
	})
}

// TestPortal_Cards binds a card (refused for an unknown id and a card bound already), edits the
// seeded card's title, shows its grants with their progress onto the card, and revokes them
// after the confirmation page.
func TestPortal_Cards(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		ctx := context.Background()
		asPolly := asUser(ctx, e.polly)
		b := e.signedIn(t)
		base := "/portal/owners/" + e.ids["o1"] + "/cards"
		seeded, err := e.m.Service.FindBoundCard(asPolly, e.ids["o1"], e.ids["card"])
		e.must(err)
		list := b.do(http.MethodGet, base, nil)
		if got := rowText(list, "data-card", e.ids["card"]); got != "Blue card|"+seeded.PhysicalCardID+"|4" {
			t.Errorf("the seeded card's row = %q", got)
		}

		p := b.submit(list, "bind-card", base, map[string]string{"physicalCardId": "no-such-card", "title": "Red card"})
		wantPage(t, p, http.StatusBadRequest, map[string]string{"physicalCardId-error": invalidText + " (no card with this physicalCardId is registered)"})
		p = b.submit(list, "bind-card", base, map[string]string{"physicalCardId": seeded.PhysicalCardID, "title": "Red card"})
		wantPage(t, p, http.StatusForbidden, map[string]string{"physicalCardId-error": "This card is bound to an owner account already. It must be unbound there first."})
		pc, err := e.m.Service.RegisterCard(asOperator(ctx), 2)
		e.must(err)
		page := b.follow(b.submit(list, "bind-card", base, map[string]string{"physicalCardId": pc.ID, "title": "Red card"}), base+"/")
		wantPage(t, page, http.StatusOK, map[string]string{"notice": "The card was bound.", "physical-card-id": pc.ID, "card-capacity": "2",
			"no-grants": "This card has no grants."})
		cards, err := e.m.Service.FindBoundCards(asPolly, e.ids["o1"], nil)
		e.must(err)
		if len(cards) != 2 || cards[1].PhysicalCardID != pc.ID || apitest.Deref(cards[1].Title) != "Red card" {
			t.Fatalf("cards = %+v", cards)
		}

		g, err := e.m.Service.CreateGrant(asPolly, e.ids["o1"], e.cardGrant("lock1", "card"))
		e.must(err)
		cardPath := base + "/" + e.ids["card"]
		page = b.do(http.MethodGet, cardPath, nil)
		if got := rowText(page, "data-grant", g.ID); got != "Front Door|Active|Waiting to be written to the card|Show grant Front Door" {
			t.Errorf("the card grant's row = %q", got)
		}
		p = b.submit(page, "edit-card", cardPath+"/edit", map[string]string{"title": strings.Repeat("x", 1025)})
		wantPage(t, p, http.StatusBadRequest, map[string]string{"title-error": invalidText + ` (field "title" is longer than 1024 characters)`})
		page = b.follow(b.submit(page, "edit-card", cardPath+"/edit", map[string]string{"title": "Green card"}), cardPath)
		wantPage(t, page, http.StatusOK, map[string]string{"notice": "The card was saved."})
		if c, err := e.m.Service.FindBoundCard(asPolly, e.ids["o1"], e.ids["card"]); err != nil || apitest.Deref(c.Title) != "Green card" {
			t.Fatalf("edited card = %+v, %v", c, err)
		}

		confirm := b.do(http.MethodGet, cardPath+"/revoke", nil)
		wantPage(t, confirm, http.StatusOK, map[string]string{"question": "Revoke all grants of the card Green card?",
			"consequence": "Use this for a lost or stolen card. Every active grant of the card ends now. A lock that holds one of them learns of it at its next sync and may open for the card until then; the next lock the card is presented to clears it. The card stays bound."})
		page = b.follow(b.submit(confirm, "confirm-form", cardPath+"/revoke", nil), cardPath)
		wantPage(t, page, http.StatusOK, map[string]string{"notice": "All grants of the card were revoked."})
		revoked, err := e.m.Service.FindGrant(asPolly, e.ids["o1"], g.ID)
		e.must(err)
		states := map[string]string{keyward.GrantRevoked: "Revoked", keyward.GrantRevocationPending: "Revocation pending"}
		if revoked.Active || states[revoked.State] == "" {
			t.Fatalf("the card grant after the revocation = %+v", revoked)
		}
		if got, want := rowText(page, "data-grant", g.ID), "Front Door|"+states[revoked.State]+"|"; !strings.HasPrefix(got, want) {
			t.Errorf("the revoked card grant's row = %q, want it to begin %q", got, want)
		}

		p = b.do(http.MethodGet, "/portal/owners/"+e.ids["o2"]+"/cards", nil)
		wantPage(t, p, http.StatusForbidden, map[string]string{"message": forbiddenText})
		p = b.do(http.MethodGet, base+"/"+e.ids["lock1"], nil)
		wantPage(t, p, http.StatusNotFound, map[string]string{"message": notFoundText})
		p = b.do(http.MethodGet, base+"/"+e.ids["lock1"]+"/revoke", nil)
		wantPage(t, p, http.StatusNotFound, map[string]string{"message": notFoundText})
	})
}
