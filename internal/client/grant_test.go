package client_test

import (
	"testing"
	"time"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
)

// weekdays is 08:00–12:00 in Vienna from Monday to Friday.
const weekdays = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;TZID=Europe/Vienna:20260105T080000\r\n" +
	"DTEND;TZID=Europe/Vienna:20260105T120000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// grantEnv is what grants need: a bound lock, a lock group holding it, a contact and a bound card.
type grantEnv struct {
	*env
	lock    *keyward.BoundLock
	group   *keyward.LockGroup
	contact *keyward.Contact
	card    *keyward.BoundCard
	owner   *keyward.Owner
}

func newGrantEnv(t *testing.T, e *env) *grantEnv {
	t.Helper()
	g := &grantEnv{env: e}
	phys, code := e.registerLock()
	l, err := e.acct.BindLock(ctx, keyward.BindLockRequest{PhysicalLockID: phys, BindingCode: code, Title: apitest.Ptr("Door")})
	e.must(err)
	group, err := e.acct.CreateLockGroup(ctx, keyward.LockGroupCreate{Title: "Floor"})
	e.must(err)
	_, err = e.acct.AddLockGroupMember(ctx, group.ID, l.ID)
	e.must(err)
	g.contact, err = e.acct.CreateContact(ctx, keyward.ContactCreate{Identifier: apitest.Ptr("guest@example.com")})
	e.must(err)
	pc, err := e.m.Service.RegisterCard(op, 2)
	e.must(err)
	card, err := e.acct.BindCard(ctx, keyward.BindCardRequest{PhysicalCardID: &pc.ID, Title: apitest.Ptr("Card"), Label: apitest.Ptr("0042")})
	e.must(err)
	want := &keyward.BoundCard{ID: card.ID, Label: "0042", UID: pc.UID, IsActive: true, PhysicalCardID: pc.ID, OwnerAccountID: e.acct.ID,
		BindDate: card.BindDate, Title: apitest.Ptr("Card"), NofGrantsCapacity: 2}
	check(t, "BindCard", card, want, nil)
	e.must(e.acct.UpdateBoundCard(ctx, card.ID, keyward.BoundCardUpdate{Title: apitest.Ptr("Spare")}))
	want.Title = apitest.Ptr("Spare")
	got, err := e.acct.BoundCard(ctx, card.ID)
	check(t, "BoundCard", got, want, err)
	cards, err := e.acct.BoundCards(ctx, nil)
	check(t, "BoundCards", cards, []*keyward.BoundCard{want}, err)
	// the entities as grants embed them
	g.card = want
	g.lock, err = e.acct.BoundLock(ctx, l.ID)
	e.must(err)
	g.group, err = e.acct.LockGroup(ctx, group.ID)
	e.must(err)
	g.owner, err = e.acct.Owner(ctx)
	e.must(err)
	return g
}

// want is the grant the server must answer for a grant of g made from req, revoked or not.
func (g *grantEnv) want(id string, req keyward.GrantCreate, state string) *keyward.Grant {
	w := &keyward.Grant{ID: id, OwnerAccountID: g.acct.ID, BoundLockID: req.BoundLockID, ContactID: req.ContactID, BoundCardID: req.BoundCardID,
		BoundLock: &keyward.GrantTarget{Lock: g.lock}, Owner: g.owner, ValidFrom: req.ValidFrom, ValidBefore: req.ValidBefore,
		TimeRestrictionIcal: req.TimeRestrictionIcal, State: state, Active: state == keyward.GrantOk}
	if req.BoundLockID == g.group.ID {
		w.BoundLock = &keyward.GrantTarget{Group: g.group}
	}
	if req.ContactID != nil {
		w.Contact = g.contact
	} else {
		w.BoundCard, w.CardWriteState = g.card, apitest.Ptr(keyward.CardWritePending) // no lock writes cards here
	}
	return w
}

func TestClient_Grants(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		g := newGrantEnv(t, e)
		req := keyward.GrantCreate{BoundLockID: g.lock.ID, ContactID: &g.contact.ID, TimeRestrictionIcal: apitest.Ptr(weekdays),
			ValidFrom: keyward.TimePtr(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), ValidBefore: keyward.TimePtr(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))}
		dry := req
		dry.DryRun = true
		got, err := e.acct.CreateGrant(ctx, dry)
		e.must(err)
		check(t, "CreateGrant dry run", got, g.want(got.ID, req, keyward.GrantOk), nil)
		grants, err := e.acct.Grants(ctx, nil)
		check(t, "Grants after a dry run", grants, []*keyward.Grant{}, err)

		got, err = e.acct.CreateGrant(ctx, req)
		e.must(err)
		want := g.want(got.ID, req, keyward.GrantOk)
		check(t, "CreateGrant", got, want, nil)
		got, err = e.acct.Grant(ctx, want.ID)
		check(t, "Grant", got, want, err)
		grants, err = e.acct.Grants(ctx, &client.Query{Filter: "contactId eq '" + g.contact.ID + "'"})
		check(t, "Grants", grants, []*keyward.Grant{want}, err)

		windows, err := e.acct.GrantWindows(ctx, want.ID, time.Date(2026, 3, 27, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC))
		check(t, "GrantWindows", windows, &keyward.GrantWindows{GrantID: want.ID, From: at("2026-03-27T00:00:00Z"), To: at("2026-03-31T00:00:00Z"),
			TimeZone: "Europe/Vienna", Windows: []keyward.Window{
				{Start: at("2026-03-27T07:00:00Z"), End: at("2026-03-27T11:00:00Z"), LocalStart: "2026-03-27T08:00:00+01:00", LocalEnd: "2026-03-27T12:00:00+01:00", TimeZone: "Europe/Vienna"},
				{Start: at("2026-03-30T06:00:00Z"), End: at("2026-03-30T10:00:00Z"), LocalStart: "2026-03-30T08:00:00+02:00", LocalEnd: "2026-03-30T12:00:00+02:00", TimeZone: "Europe/Vienna"},
			}}, err)
		d, err := e.acct.AccessCheck(ctx, g.lock.ID, client.AccessQuery{ContactID: g.contact.ID, At: at("2026-03-30T07:00:00Z").Time})
		check(t, "AccessCheck", d, &keyward.AccessDecision{BoundLockID: g.lock.ID, ContactID: &g.contact.ID, At: at("2026-03-30T07:00:00Z"), Allowed: true,
			Grants: []keyward.GrantDecision{{GrantID: want.ID, State: keyward.GrantOk, Reason: keyward.ReasonAllowed, Detail: "the grant allows access"}}}, err)

		revoked := g.want(want.ID, req, keyward.GrantRevoked)
		got, err = e.acct.RevokeGrant(ctx, want.ID, true)
		check(t, "RevokeGrant dry run", got, revoked, err)
		got, err = e.acct.Grant(ctx, want.ID)
		check(t, "Grant after a dry run", got, want, err)
		got, err = e.acct.RevokeGrant(ctx, want.ID, false)
		check(t, "RevokeGrant", got, revoked, err)
	})
}

func TestClient_GrantsInBulk(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		g := newGrantEnv(t, e)
		onGroup := keyward.GrantCreate{BoundLockID: g.group.ID, ContactID: &g.contact.ID}
		got, err := e.acct.CreateGrant(ctx, onGroup)
		e.must(err)
		groupGrant := g.want(got.ID, onGroup, keyward.GrantOk)
		check(t, "CreateGrant on a group", got, groupGrant, nil)
		d, err := e.acct.AccessCheck(ctx, g.lock.ID, client.AccessQuery{ContactID: g.contact.ID, At: at("2026-06-01T12:00:00Z").Time})
		check(t, "AccessCheck via the group", d, &keyward.AccessDecision{BoundLockID: g.lock.ID, ContactID: &g.contact.ID, At: at("2026-06-01T12:00:00Z"), Allowed: true,
			Grants: []keyward.GrantDecision{{GrantID: groupGrant.ID, ViaGroupID: &g.group.ID, State: keyward.GrantOk, Reason: keyward.ReasonAllowed,
				Detail: "the grant allows access"}}}, err)

		onCard := keyward.GrantCreate{BoundLockID: g.lock.ID, BoundCardID: &g.card.ID}
		first, err := e.acct.CreateGrant(ctx, onCard)
		e.must(err)
		d, err = e.acct.AccessCheck(ctx, g.lock.ID, client.AccessQuery{BoundCardID: g.card.ID, At: at("2026-06-01T12:00:00Z").Time})
		check(t, "AccessCheck of the card", d, &keyward.AccessDecision{BoundLockID: g.lock.ID, BoundCardID: &g.card.ID, At: at("2026-06-01T12:00:00Z"), Allowed: true,
			Grants: []keyward.GrantDecision{{GrantID: first.ID, State: keyward.GrantOk, Reason: keyward.ReasonAllowed, Detail: "the grant allows access"}}}, err)
		grants, err := e.acct.BoundCardGrants(ctx, g.card.ID, nil)
		check(t, "BoundCardGrants", grants, []*keyward.Grant{g.want(first.ID, onCard, keyward.GrantOk)}, err)
		got, err = e.acct.DeleteGrantFromCard(ctx, first.ID)
		check(t, "DeleteGrantFromCard", got, g.want(first.ID, onCard, keyward.GrantRevoked), err)
		second, err := e.acct.CreateGrant(ctx, onCard)
		e.must(err)
		grants, err = e.acct.RevokeBoundCardGrants(ctx, g.card.ID)
		check(t, "RevokeBoundCardGrants", grants, []*keyward.Grant{g.want(second.ID, onCard, keyward.GrantRevoked)}, err)
		grants, err = e.acct.RevokeContactGrants(ctx, g.contact.ID)
		check(t, "RevokeContactGrants", grants, []*keyward.Grant{g.want(groupGrant.ID, onGroup, keyward.GrantRevoked)}, err)
		grants, err = e.acct.Grants(ctx, &client.Query{Filter: "active eq true"})
		check(t, "Grants still active", grants, []*keyward.Grant{}, err)
	})
}

// at parses a wire time of a test.
func at(s string) keyward.Time {
	t, err := keyward.ParseTime(s)
	if err != nil {
		panic(err)
	}
	return t
}
