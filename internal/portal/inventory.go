package portal

import (
	"errors"
	"net/url"
	"strconv"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

// inventoryPageSize is how many rows a list of locks, groups, contacts or cards shows at once.
const inventoryPageSize = 50

// inventoryPager is the pager under a list: the page's number and the links to its neighbours ("" at
// either end).
type inventoryPager struct {
	Number     int
	Prev, Next string
}

// inventoryQuery is the OData query of page ?page= (1-based) of a list: the options in v plus $top
// and $skip. It asks for one row more than a page holds, so that the answer tells whether a
// next page exists without counting.
func inventoryQuery(rq *request, v url.Values) (*keyward.Query, int, error) {
	number := 1
	if raw := rq.query("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > keyward.MaxTop*keyward.MaxTop {
			return nil, 0, keyward.Invalidf("query parameter %q must be a page number from 1, got %q", "page", raw)
		}
		number = n
	}
	v.Set("$top", strconv.Itoa(inventoryPageSize+1))
	v.Set("$skip", strconv.Itoa((number-1)*inventoryPageSize))
	q, err := odata.Parse(v)
	return q, number, err
}

// inventoryPage cuts a list read with inventoryQuery to the page and makes the pager's links, which keep
// the list's other query parameters (keep) and change only the page.
func inventoryPage[T any](list []T, number int, base string, keep url.Values) ([]T, inventoryPager) {
	p := inventoryPager{Number: number}
	link := func(n int) string {
		q := url.Values{}
		for k, v := range keep {
			if len(v) > 0 && v[0] != "" {
				q[k] = v
			}
		}
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		if len(q) == 0 {
			return base
		}
		return base + "?" + q.Encode()
	}
	if number > 1 {
		p.Prev = link(number - 1)
	}
	if len(list) > inventoryPageSize {
		list, p.Next = list[:inventoryPageSize], link(number+1)
	}
	return list, p
}

// emptyAsNil is a form's optional text field: nil when left empty, so that an update leaves
// nothing unset by accident and a create stores no empty value.
func emptyAsNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// formRefusal is fieldError for the inventory's forms with two refinements: a plan refusal
// (402) is about the form as a whole, so it is shown above the form; and the refusals that the
// service raises as 403 although the user can correct them (a lock or card bound already) are
// shown next to the field they concern with their own text.
func (s *Server) formRefusal(rq *request, err error, fields ...string) (*refusal, error) {
	switch {
	case errors.Is(err, keyward.ErrWrongBindingCode):
		return s.refuseWith(rq, err, "bindingCode", "portal.locks.wrongCode"), nil
	case errors.Is(err, keyward.ErrLockAlreadyBound):
		return s.refuseWith(rq, err, "physicalLockId", "portal.locks.alreadyBound"), nil
	case errors.Is(err, keyward.ErrCardAlreadyBound):
		return s.refuseWith(rq, err, "physicalCardId", "portal.cards.alreadyBound"), nil
	}
	fe, ferr := s.fieldError(rq, err, fields...)
	if ferr != nil || fe.status != keyward.KindPaymentRequired.Status() {
		return fe, ferr
	}
	for _, text := range fe.errors {
		return &refusal{status: fe.status, errors: fieldErrors{"": text}}, nil
	}
	return fe, nil
}

// refuseWith is the refusal of err with the text of key next to field.
func (s *Server) refuseWith(rq *request, err error, field, key string) *refusal {
	s.log.InfoContext(rq.ctx, "portal: form refused", "path", rq.r.URL.Path, "error", err)
	return &refusal{status: keyward.ErrorOf(err).Kind.Status(), errors: fieldErrors{field: s.t(rq, key)}}
}

// agoText says how long ago a number of seconds is, in minutes, hours or days.
func (s *Server) agoText(rq *request, seconds int64) string {
	minutes := seconds / 60
	switch {
	case minutes < 60:
		return s.t(rq, "portal.inventory.ageMinutes", minutes)
	case minutes < 24*60:
		return s.t(rq, "portal.inventory.ageHours", minutes/60, minutes%60)
	}
	return s.t(rq, "portal.inventory.ageDays", minutes/(24*60), minutes/60%24)
}

// inventoryGrant is one grant in the grant lists of a lock, a contact or a card: the grant, who it
// lets in, what it opens, its state and, for a card grant, its progress onto the card.
type inventoryGrant struct {
	ID, Grantee, Target, State, CardWrite string
	TargetPath                            string
}

// inventoryGrants describes grants for a list; ownerID makes the links to the targets.
func (s *Server) inventoryGrants(rq *request, ownerID string, grants []*keyward.Grant) []inventoryGrant {
	rows := make([]inventoryGrant, 0, len(grants))
	for _, g := range grants {
		row := inventoryGrant{ID: g.ID, Grantee: nameOfGrantee(g), State: s.stateText(rq, g.State), CardWrite: s.cardWriteText(rq, g.CardWriteState)}
		if t := g.BoundLock; t != nil && t.Group != nil {
			row.Target, row.TargetPath = t.Group.Title, ownerPath(ownerID, "groups", t.Group.ID)
		} else if t != nil && t.Lock != nil {
			row.Target, row.TargetPath = t.Lock.Title, ownerPath(ownerID, "locks", t.Lock.ID)
		}
		rows = append(rows, row)
	}
	return rows
}

// nameOfGrantee names a grant's contact or card as a list shows it.
func nameOfGrantee(g *keyward.Grant) string {
	switch {
	case g.Contact != nil:
		return nameOfContact(g.Contact)
	case g.BoundCard != nil:
		return nameOfCard(g.BoundCard)
	case g.BoundCardID != nil:
		return *g.BoundCardID
	}
	return deref(g.ContactID)
}

// nameOfContact is a contact's title and identity: "Guest (guest@example.com)".
func nameOfContact(c *keyward.Contact) string {
	id := deref(c.Identifier)
	if id == "" {
		id = c.IPID + ": " + deref(c.IPUserID)
	}
	if t := deref(c.Title); t != "" {
		return t + " (" + id + ")"
	}
	return id
}

// nameOfCard is a card's title, else its label, else its id.
func nameOfCard(c *keyward.BoundCard) string {
	switch {
	case deref(c.Title) != "":
		return *c.Title
	case c.Label != "":
		return c.Label
	}
	return c.PhysicalCardID
}
