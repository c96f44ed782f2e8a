package portal

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

// grantPageSize is how many rows a page of grants or grantees shows.
const grantPageSize = 50

// grantQuery is an OData query of a filter (may be "") and one page: $top one more than the
// page, which tells whether a next page exists.
func grantQuery(filter string, page int) (*keyward.Query, error) {
	v := url.Values{"$top": {strconv.Itoa(grantPageSize + 1)}, "$skip": {strconv.Itoa((page - 1) * grantPageSize)}}
	if filter != "" {
		v.Set("$filter", filter)
	}
	return odata.Parse(v)
}

// findGrantPage is one page of the account's grants that filter selects, and whether a next page
// follows (grantQuery reads one grant more than a page holds).
func (s *Server) findGrantPage(rq *request, ownerID, filter string, page int) ([]*keyward.Grant, bool, error) {
	return pageOfGrants(filter, page, func(q *keyward.Query) ([]*keyward.Grant, error) { return s.svc.Grants.FindGrants(rq.ctx, ownerID, q) })
}

// pageOfGrants reads page of the grants that find lists with the filter, and whether more follow.
func pageOfGrants(filter string, page int, find func(*keyward.Query) ([]*keyward.Grant, error)) ([]*keyward.Grant, bool, error) {
	q, err := grantQuery(filter, page)
	if err != nil {
		return nil, false, err
	}
	grants, err := find(q)
	if err != nil {
		return nil, false, err
	}
	if len(grants) > grantPageSize {
		return grants[:grantPageSize], true, nil
	}
	return grants, false, nil
}

// allQuery is a query for the options of a select: the first keyward.MaxTop entities the filter
// selects. An account with more uses the e-mail field or the filters of the lists instead.
func allQuery(filter string) *keyward.Query {
	v := url.Values{"$top": {strconv.Itoa(keyward.MaxTop)}}
	if filter != "" {
		v.Set("$filter", filter)
	}
	q, err := odata.Parse(v)
	if err != nil {
		panic(err) // the filters are the portal's own constants
	}
	return q
}

// pageNumber reads the ?page= of a list, 1 for none; a malformed one is the user's mistake.
func pageNumber(rq *request) (int, error) {
	raw := rq.query("page")
	if raw == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, keyward.Invalidf("query parameter %q must be a page number, got %q", "page", raw)
	}
	return n, nil
}

// grantPager is the pager under a list: links to the previous and next pages, keeping the
// list's filters.
type grantPager struct {
	Page       int
	Prev, Next string // "" when there is none
}

// newGrantPager builds the pager of page for a list at path with the filters in q; more tells
// that the query found a row beyond the page.
func newGrantPager(path string, q url.Values, page int, more bool) grantPager {
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "page" && k != "notice" {
				v[k] = vs
			}
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	p := grantPager{Page: page}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if more {
		p.Next = link(page + 1)
	}
	return p
}

// targetOption is a bound lock or lock group a grant can target, with the zone its times are in.
type targetOption struct {
	ID, Title string
	Group     bool
	// Zone is the lock's zone, or the zone all of a group's locks share ("UTC" for a group
	// without locks); Mixed is a group whose locks are in different zones, whose times are
	// shown in UTC and for which the builder writes no schedule.
	Zone  string
	Mixed bool
}

// label is the option's text: its title and its zone.
func (o targetOption) label(s *Server, rq *request) string {
	if o.Mixed {
		return s.t(rq, "portal.grants.targetMixed", o.Title)
	}
	return o.Title + " (" + o.Zone + ")"
}

// grantTargets lists the account's active bound locks and lock groups with their zones, the
// first keyward.MaxTop of each, and the chosen one (an id, "" for none) where they lack it.
func (s *Server) grantTargets(rq *request, ownerID, chosen string) ([]targetOption, error) {
	locks, err := s.svc.Locks.FindBoundLocks(rq.ctx, ownerID, allQuery("active eq true"))
	if err != nil {
		return nil, err
	}
	var out []targetOption
	for _, l := range locks {
		out = append(out, targetOption{ID: l.ID, Title: l.Title, Zone: zoneName(l.TimeZone)})
	}
	groups, err := s.svc.LockGroups.FindLockGroups(rq.ctx, ownerID, allQuery("active eq true"))
	if err != nil {
		return nil, err
	}
	targets, err := s.groupTargets(rq, ownerID, groups)
	if err != nil {
		return nil, err
	}
	out = append(out, targets...)
	return withChosen(out, chosen, func(o targetOption) string { return o.ID }, func() (targetOption, error) {
		return s.grantTarget(rq, ownerID, chosen)
	})
}

// grantTarget is the target option of the active bound lock or lock group id, read by itself:
// the selects hold the first keyward.MaxTop of the account's locks and groups, and a target
// beyond them must still be offered and get its zone. It is keyward.ErrNotFound for an id of
// neither, or of an unbound lock or deleted group, which the selects do not offer either.
func (s *Server) grantTarget(rq *request, ownerID, id string) (targetOption, error) {
	l, err := s.svc.Locks.FindBoundLock(rq.ctx, ownerID, id, nil)
	switch {
	case err == nil && l.Active:
		return targetOption{ID: l.ID, Title: l.Title, Zone: zoneName(l.TimeZone)}, nil
	case err == nil:
		return targetOption{}, keyward.ErrNotFound.WithDetails("bound lock %q is unbound", id)
	case !errors.Is(err, keyward.ErrNotFound):
		return targetOption{}, err
	}
	g, err := s.svc.LockGroups.FindLockGroup(rq.ctx, ownerID, id, nil)
	switch {
	case err != nil:
		return targetOption{}, err
	case !g.Active:
		return targetOption{}, keyward.ErrNotFound.WithDetails("lock group %q is deleted", id)
	}
	return s.groupTarget(rq, ownerID, g)
}

// withChosen returns the options of a select with the chosen one (an id, "" for none) added
// where list, the account's first keyward.MaxTop, lacks it: a link preselects it (the link on
// its own page, a filter of the list) and the select must show what is chosen. find reads the
// chosen one; one that does not exist (any more) is left out, and whoever uses the id refuses it.
func withChosen[T any](list []T, chosen string, id func(T) string, find func() (T, error)) ([]T, error) {
	if chosen == "" || slices.ContainsFunc(list, func(o T) bool { return id(o) == chosen }) {
		return list, nil
	}
	o, err := find()
	switch {
	case errors.Is(err, keyward.ErrNotFound):
		return list, nil
	case err != nil:
		return nil, err
	}
	return append(list, o), nil
}

// groupTarget is a lock group with the zone of its member locks (groupZone).
func (s *Server) groupTarget(rq *request, ownerID string, g *keyward.LockGroup) (targetOption, error) {
	opts, err := s.groupTargets(rq, ownerID, []*keyward.LockGroup{g})
	if err != nil {
		return targetOption{}, err
	}
	return opts[0], nil
}

// groupTargets are the lock groups with the zones of their member locks, read in one statement
// however many groups and members there are.
func (s *Server) groupTargets(rq *request, ownerID string, groups []*keyward.LockGroup) ([]targetOption, error) {
	if len(groups) == 0 {
		return nil, nil
	}
	zones, err := s.svc.LockGroups.LockGroupZones(rq.ctx, ownerID, groupIDs(groups))
	if err != nil {
		return nil, err
	}
	out := make([]targetOption, len(groups))
	for i, g := range groups {
		out[i] = groupZone(g, zones[g.ID])
	}
	return out, nil
}

// groupZone is a lock group as a target, with the zone its member locks' zones share: UTC for a
// group without locks, and Mixed when they disagree.
func groupZone(g *keyward.LockGroup, zones []string) targetOption {
	opt := targetOption{ID: g.ID, Title: g.Title, Group: true, Zone: "UTC"}
	for i, z := range zones {
		z = zoneName(z)
		switch {
		case i == 0:
			opt.Zone = z
		case z != opt.Zone:
			opt.Zone, opt.Mixed = "UTC", true
			return opt
		}
	}
	return opt
}

// zoneName is a lock's zone as the portal uses it: an IANA name time.LoadLocation knows, else UTC.
func zoneName(zone string) string {
	if zone == "" {
		return "UTC"
	}
	if _, err := keyward.LoadLocation(zone); err != nil {
		return "UTC"
	}
	return zone
}

// location is the zone's *time.Location (UTC for one it does not know).
func location(zone string) *time.Location {
	if loc, err := keyward.LoadLocation(zone); err == nil {
		return loc
	}
	return time.UTC
}

// targetOf is the option of a grant's target as embedded in the grant; a group's zone needs
// its members, which zones caches across the grants of one page.
func (s *Server) targetOf(rq *request, g *keyward.Grant, zones map[string]targetOption) (targetOption, error) {
	if g.BoundLock == nil {
		return targetOption{ID: g.BoundLockID, Title: g.BoundLockID, Zone: "UTC"}, nil
	}
	if l := g.BoundLock.Lock; l != nil {
		return targetOption{ID: l.ID, Title: l.Title, Zone: zoneName(l.TimeZone)}, nil
	}
	if opt, ok := zones[g.BoundLockID]; ok {
		return opt, nil
	}
	opt, err := s.groupTarget(rq, g.OwnerAccountID, g.BoundLock.Group)
	if err == nil {
		zones[g.BoundLockID] = opt
	}
	return opt, err
}

// groupZonesOf reads the zones of the groups that the grants (of one account) target, in one
// statement, as targetOf caches them.
func (s *Server) groupZonesOf(rq *request, grants []*keyward.Grant) (map[string]targetOption, error) {
	zones := map[string]targetOption{}
	var groups []*keyward.LockGroup
	seen := map[string]bool{}
	for _, g := range grants {
		if g.BoundLock != nil && g.BoundLock.Group != nil && !seen[g.BoundLockID] {
			seen[g.BoundLockID] = true
			groups = append(groups, g.BoundLock.Group)
		}
	}
	if len(groups) == 0 {
		return zones, nil
	}
	opts, err := s.groupTargets(rq, grants[0].OwnerAccountID, groups)
	for _, o := range opts {
		zones[o.ID] = o
	}
	return zones, err
}

// groupIDs are the groups' ids.
func groupIDs(groups []*keyward.LockGroup) []string {
	ids := make([]string, len(groups))
	for i, g := range groups {
		ids[i] = g.ID
	}
	return ids
}

// granteeOption is a contact or bound card a grant can be for.
type granteeOption struct{ ID, Label string }

func (o granteeOption) id() string { return o.ID }

// contactLabel names a contact: its title and address, or whichever it has.
func contactLabel(c *keyward.Contact) string {
	id := deref(c.Identifier)
	if id == "" {
		id = deref(c.IPUserID)
		if c.IPID != keyward.IPTapkey {
			id = c.IPID + ": " + id
		}
	}
	if t := deref(c.Title); t != "" && t != id {
		return t + " <" + id + ">"
	}
	return id
}

// cardLabel names a bound card: its title, else its label, else its id.
func cardLabel(c *keyward.BoundCard) string {
	for _, v := range []string{deref(c.Title), c.Label} {
		if v != "" {
			return v
		}
	}
	return c.ID
}

// grantContacts lists the account's contacts for a select, the first keyward.MaxTop and the
// chosen one (an id, "" for none) where they lack it.
func (s *Server) grantContacts(rq *request, ownerID, chosen string) ([]granteeOption, error) {
	list, err := s.svc.Contacts.FindContacts(rq.ctx, ownerID, allQuery(""))
	if err != nil {
		return nil, err
	}
	out := make([]granteeOption, 0, len(list)+1)
	for _, c := range list {
		out = append(out, granteeOption{ID: c.ID, Label: contactLabel(c)})
	}
	return withChosen(out, chosen, granteeOption.id, func() (granteeOption, error) {
		c, err := s.svc.Contacts.FindContact(rq.ctx, ownerID, chosen)
		if err != nil {
			return granteeOption{}, err
		}
		return granteeOption{ID: c.ID, Label: contactLabel(c)}, nil
	})
}

// grantCards lists the account's active bound cards for a select, the first keyward.MaxTop and
// the chosen one (an id, "" for none) where they lack it.
func (s *Server) grantCards(rq *request, ownerID, chosen string) ([]granteeOption, error) {
	list, err := s.svc.Cards.FindBoundCards(rq.ctx, ownerID, allQuery("isActive eq true"))
	if err != nil {
		return nil, err
	}
	out := make([]granteeOption, 0, len(list)+1)
	for _, c := range list {
		out = append(out, granteeOption{ID: c.ID, Label: cardLabel(c)})
	}
	return withChosen(out, chosen, granteeOption.id, func() (granteeOption, error) {
		c, err := s.svc.Cards.FindBoundCard(rq.ctx, ownerID, chosen)
		switch {
		case err != nil:
			return granteeOption{}, err
		case !c.IsActive: // as the select's own cards
			return granteeOption{}, keyward.ErrNotFound.WithDetails("bound card %q is unbound", chosen)
		}
		return granteeOption{ID: c.ID, Label: cardLabel(c)}, nil
	})
}

// granteeOf names a grant's grantee as embedded in it.
func granteeOf(g *keyward.Grant) string {
	switch {
	case g.BoundCard != nil:
		return cardLabel(g.BoundCard)
	case g.Contact != nil:
		return contactLabel(g.Contact)
	case g.BoundCardID != nil:
		return *g.BoundCardID
	}
	return deref(g.ContactID)
}

// validity says in words when a grant is valid, in the zone.
func (s *Server) validity(rq *request, from, before *keyward.Time, zone string) string {
	switch {
	case from == nil && before == nil:
		return s.t(rq, "portal.grants.validAlways")
	case before == nil:
		return s.t(rq, "portal.grants.validFrom", localTime(from, zone))
	case from == nil:
		return s.t(rq, "portal.grants.validBefore", localTime(before, zone))
	}
	return s.t(rq, "portal.grants.validBetween", localTime(from, zone), localTime(before, zone))
}

// grantStateKeys are the texts of the grant states.
var grantStateKeys = map[string]string{
	keyward.GrantOk:                "portal.grants.state.Ok",
	keyward.GrantRevocationPending: "portal.grants.state.RevocationPending",
	keyward.GrantRevoked:           "portal.grants.state.Revoked",
}

// cardWriteKeys are the texts of a card grant's write states.
var cardWriteKeys = map[string]string{
	keyward.CardWritePending: "portal.grants.card.WritePending",
	keyward.CardWritten:      "portal.grants.card.Written",
}

// stateText is the text of a grant's state.
func (s *Server) stateText(rq *request, state string) string {
	if key, ok := grantStateKeys[state]; ok {
		return s.t(rq, key)
	}
	return state
}

// cardWriteText is the text of a card grant's write state, "" for a contact grant.
func (s *Server) cardWriteText(rq *request, state *string) string {
	if state == nil {
		return ""
	}
	if key, ok := cardWriteKeys[*state]; ok {
		return s.t(rq, key)
	}
	return *state
}

// odataAnd joins the conditions of a $filter.
func odataAnd(conds []string) string { return strings.Join(conds, " and ") }
