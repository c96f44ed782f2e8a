package client

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// Grants lists the account's grants, revoked ones included.
func (a *Account) Grants(ctx context.Context, q *Query) ([]*keyward.Grant, error) {
	return list[keyward.Grant](ctx, a.c, a.path+"/Grants", q.values())
}

// Grant reads one grant.
func (a *Account) Grant(ctx context.Context, id string) (*keyward.Grant, error) {
	return entity[keyward.Grant](ctx, a.c, http.MethodGet, a.grant(id), nil, nil)
}

// CreateGrant creates a grant, or with g.DryRun only checks it and returns what it would be.
func (a *Account) CreateGrant(ctx context.Context, g keyward.GrantCreate) (*keyward.Grant, error) {
	return entity[keyward.Grant](ctx, a.c, http.MethodPut, a.path+"/Grants", nil, g)
}

// RevokeGrant revokes a grant, or with dryRun returns what the revocation would make of it.
func (a *Account) RevokeGrant(ctx context.Context, id string, dryRun bool) (*keyward.Grant, error) {
	return entity[keyward.Grant](ctx, a.c, http.MethodPost, a.grant(id)+"/Revoke", nil, keyward.RevokeRequest{DryRun: dryRun})
}

// DeleteGrantFromCard ends a card grant whose key is deleted from the card itself.
func (a *Account) DeleteGrantFromCard(ctx context.Context, id string) (*keyward.Grant, error) {
	return entity[keyward.Grant](ctx, a.c, http.MethodPost, a.grant(id)+"/DeleteFromCard", nil, nil)
}

// RevokeContactGrants revokes every active grant of a contact and returns them.
func (a *Account) RevokeContactGrants(ctx context.Context, contactID string) ([]*keyward.Grant, error) {
	return listOf[keyward.Grant](ctx, a.c, http.MethodPost, a.path+"/Contacts"+seg(contactID)+"/RevokeGrants", nil)
}

// RevokeBoundCardGrants revokes every active grant of a bound card and returns them.
func (a *Account) RevokeBoundCardGrants(ctx context.Context, boundCardID string) ([]*keyward.Grant, error) {
	return listOf[keyward.Grant](ctx, a.c, http.MethodPost, a.path+"/BoundCards"+seg(boundCardID)+"/RevokeGrants", nil)
}

// BoundCardGrants lists the grants of a bound card.
func (a *Account) BoundCardGrants(ctx context.Context, boundCardID string, q *Query) ([]*keyward.Grant, error) {
	return list[keyward.Grant](ctx, a.c, a.path+"/BoundCards"+seg(boundCardID)+"/Grants", q.values())
}

// GrantWindows lists the intervals in [from, to) in which a grant allows access; a zero time
// leaves the bound to the server's default.
func (a *Account) GrantWindows(ctx context.Context, id string, from, to time.Time) (*keyward.GrantWindows, error) {
	q := url.Values{}
	setTime(q, "from", from)
	setTime(q, "to", to)
	return entity[keyward.GrantWindows](ctx, a.c, http.MethodGet, a.grant(id)+"/Windows", q, nil)
}

// AccessQuery names who an access check is for, exactly one of ContactID and BoundCardID, and
// when: a zero At is now.
type AccessQuery struct {
	ContactID   string
	BoundCardID string
	At          time.Time
}

// AccessCheck decides whether a contact or card may open a bound lock at an instant, and why.
func (a *Account) AccessCheck(ctx context.Context, boundLockID string, aq AccessQuery) (*keyward.AccessDecision, error) {
	q := url.Values{}
	setString(q, "contactId", aq.ContactID)
	setString(q, "boundCardId", aq.BoundCardID)
	setTime(q, "at", aq.At)
	return entity[keyward.AccessDecision](ctx, a.c, http.MethodGet, a.path+"/BoundLocks"+seg(boundLockID)+"/AccessCheck", q, nil)
}

// grant is the path of one grant.
func (a *Account) grant(id string) string { return a.path + "/Grants" + seg(id) }

// setString sets a query parameter unless v is "".
func setString(q url.Values, name, v string) {
	if v != "" {
		q.Set(name, v)
	}
}

// setTime sets an RFC 3339 query parameter unless t is zero.
func setTime(q url.Values, name string, t time.Time) {
	if !t.IsZero() {
		setString(q, name, keyward.NewTime(t).String())
	}
}
