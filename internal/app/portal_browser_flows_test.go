package app_test

import (
	"context"
	"errors"
	"net/url"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

// The browser flows that end what the other flows begin: renaming, unbinding, deleting and
// revoking, each through its confirmation page, and the data checked through the service after
// the flow.

// TestPortalBrowser_Lifecycle plays e2e/portal/lifecycle.mjs: a lock renamed after a refusal and
// unbound, the seeded group renamed after a refusal, its member removed and the group deleted.
func TestPortalBrowser_Lifecycle(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		asPolly := asUser(context.Background(), e.polly)
		side := e.bind(asPolly, e.ids["o1"], "Side Door")
		got := runPortalFlow(t, e, "lifecycle", map[string]any{"ownerId": e.ids["o1"], "lockId": side.ID, "groupId": e.ids["group"]})
		want := map[string]any{
			"lockTitleError":    invalidText + ` (field "title" is required)`,
			"lockSaved":         "The lock was saved.",
			"lockTitle":         "Garden Door",
			"unbindQuestion":    "Unbind the lock Garden Door (" + side.PhysicalLockID + ")?",
			"unbindConsequence": "Its grants are revoked at once and it leaves its lock groups. Its log entries are kept, and its binding code binds it again later.",
			"unboundNotice":     "The lock was unbound.",
			"unboundRows":       float64(0),
			"groupTitleError":   invalidText + ` (field "title" is required)`,
			"groupSaved":        "The lock group was saved.",
			"groupTitle":        "Lobby",
			"removeQuestion":    "Remove the lock Front Door from the group Lobby?",
			"removedNotice":     "The lock was removed from the group.",
			"noMembers":         "The group has no locks yet.",
			"deleteQuestion":    "Delete the lock group Lobby?",
			"deleteConsequence": "Its grants are revoked; its locks stay bound and learn of the revocation at their next sync.",
			"deletedNotice":     "The lock group was deleted.",
			"groupRows":         float64(0),
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("flow results (-want +got):\n%s", diff)
		}
		l, err := e.m.Service.FindBoundLock(asPolly, e.ids["o1"], side.ID, nil)
		e.must(err)
		if l.Active || l.Title != "Garden Door" || l.Description != "Garden side" {
			t.Errorf("the lock after the flow = %+v, want Garden Door (Garden side), unbound", l)
		}
		g, err := e.m.Service.FindLockGroup(asPolly, e.ids["o1"], e.ids["group"], nil)
		e.must(err)
		if g.Active || g.Title != "Lobby" {
			t.Errorf("the group after the flow = %+v, want Lobby, deleted", g)
		}
		if l1, err := e.m.Service.FindBoundLock(asPolly, e.ids["o1"], e.ids["lock1"], nil); err != nil || !l1.Active {
			t.Errorf("lock1, the group's removed member, = %+v, %v: want it still bound", l1, err)
		}
	})
}

// TestPortalBrowser_Contacts plays e2e/portal/contacts.mjs: a contact refused and added, the
// guest edited, its grants revoked and the guest deleted; a card refused, bound and renamed, and
// the seeded card's grants revoked.
func TestPortalBrowser_Contacts(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		ctx := context.Background()
		asPolly := asUser(ctx, e.polly)
		cardGrant, err := e.m.Service.CreateGrant(asPolly, e.ids["o1"], e.cardGrant("lock1", "card"))
		e.must(err)
		pc, err := e.m.Service.RegisterCard(asOperator(ctx), 2)
		e.must(err)
		got := runPortalFlow(t, e, "contacts", map[string]any{"ownerId": e.ids["o1"], "guestId": e.ids["guest"], "grantId": e.ids["grant"],
			"cardId": e.ids["card"], "cardGrantId": cardGrant.ID, "physicalCardId": pc.ID})
		revoked, err := e.m.Service.FindGrant(asPolly, e.ids["o1"], cardGrant.ID)
		e.must(err)
		states := map[string]string{keyward.GrantRevoked: "Revoked", keyward.GrantRevocationPending: "Revocation pending"}
		if revoked.Active || states[revoked.State] == "" {
			t.Errorf("the card grant after the flow = %+v, want it revoked", revoked)
		}
		want := map[string]any{
			"duplicate":          "A contact with this email address or user ID already exists.",
			"addedNotice":        "The contact was added.",
			"addedIdentity":      "nina@example.com",
			"savedNotice":        "The contact was saved.",
			"revokeQuestion":     "Revoke all grants of Gus (guest@example.com)?",
			"revokedNotice":      "All grants of the contact were revoked.",
			"grantState":         "Revoked",
			"deleteQuestion":     "Delete the contact Gus (guest@example.com)?",
			"deletedNotice":      "The contact was deleted.",
			"guestRows":          float64(0),
			"unknownCard":        invalidText + " (no card with this physicalCardId is registered)",
			"boundNotice":        "The card was bound.",
			"boundTitle":         "Red card",
			"capacity":           "2",
			"cardSaved":          "The card was saved.",
			"cardTitle":          "Green card",
			"cardRevokeQuestion": "Revoke all grants of the card Blue card?",
			"cardRevokedNotice":  "All grants of the card were revoked.",
			"cardGrantState":     states[revoked.State],
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("flow results (-want +got):\n%s", diff)
		}

		q, err := odata.Parse(url.Values{"$filter": {"identifier eq 'nina@example.com'"}})
		e.must(err)
		if made, err := e.m.Service.FindContacts(asPolly, e.ids["o1"], q); err != nil || len(made) != 1 || apitest.Deref(made[0].Title) != "Nina" {
			t.Errorf("the added contact = %+v, %v, want Nina", made, err)
		}
		if _, err := e.m.Service.FindContact(asPolly, e.ids["o1"], e.ids["guest"]); !errors.Is(err, keyward.ErrNotFound) {
			t.Errorf("the deleted guest: %v, want not found", err)
		}
		cards, err := e.m.Service.FindBoundCards(asPolly, e.ids["o1"], nil)
		e.must(err)
		if len(cards) != 2 || cards[1].PhysicalCardID != pc.ID || apitest.Deref(cards[1].Title) != "Green card" {
			t.Errorf("cards after the flow = %+v, want Blue card and Green card", cards)
		}
	})
}
