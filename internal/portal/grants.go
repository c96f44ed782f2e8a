package portal

import (
	"net/http"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// grantRoutes are the pages of an account's grants: the list, the form with its schedule
// builder and preview, a grant's page with its windows, and its revocation; and on a lock, who
// may open it now and why someone may not (access.go).
func (s *Server) grantRoutes() []Route {
	o := Root + "/owners/{owner}/"
	return []Route{
		get(o+"grants", s.grantsPage),
		get(o+"grants/new", s.newGrantPage),
		post(o+"grants/new", s.submitGrant),
		get(o+"grants/{grant}", s.grantPage),
		get(o+"grants/{grant}/revoke", s.confirmRevokeGrant),
		post(o+"grants/{grant}/revoke", s.revokeGrant),
		get(o+"locks/{lock}/access", s.lockAccessPage),
		get(o+"locks/{lock}/access/check", s.accessCheckPage),
	}
}

// selectOption is one option of a select.
type selectOption struct {
	Value, Label string
	Selected     bool
}

// options makes the options of a select from granteeOptions, the chosen one selected.
func options(list []granteeOption, chosen string) []selectOption {
	out := make([]selectOption, 0, len(list))
	for _, o := range list {
		out = append(out, selectOption{Value: o.ID, Label: o.Label, Selected: o.ID == chosen})
	}
	return out
}

// targetSelect is the options of a target select, locks and groups apart.
type targetSelect struct{ Locks, Groups []selectOption }

func (s *Server) targetSelect(rq *request, list []targetOption, chosen string) targetSelect {
	var ts targetSelect
	for _, o := range list {
		opt := selectOption{Value: o.ID, Label: o.label(s, rq), Selected: o.ID == chosen}
		if o.Group {
			ts.Groups = append(ts.Groups, opt)
		} else {
			ts.Locks = append(ts.Locks, opt)
		}
	}
	return ts
}

// grantRow is one grant of the list.
type grantRow struct {
	ID, Grantee, Target string
	Group               bool
	Validity, Schedule  string
	State, StateCode    string
	CardWrite           string
}

// grantFilters are the list's filters as the query holds them.
type grantFilters struct {
	Target, Contact, Card string
	All                   bool // every grant, not only the active ones
}

// grantsView is the data of the grants list.
type grantsView struct {
	Owner    *keyward.Owner
	Filters  grantFilters
	Targets  targetSelect
	Contacts []selectOption
	Cards    []selectOption
	Rows     []grantRow
	Pager    grantPager
}

// grantsPage serves GET .../grants: the account's grants, filtered by target, contact, card
// and state, 50 a page.
func (s *Server) grantsPage(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	page, err := pageNumber(rq)
	if err != nil {
		return err
	}
	f := grantFilters{Target: rq.query("target"), Contact: rq.query("contact"), Card: rq.query("card"), All: rq.query("show") == "all"}
	var conds []string
	if !f.All {
		conds = append(conds, "active eq true")
	}
	for _, c := range [][2]string{{"boundLockId", f.Target}, {"contactId", f.Contact}, {"boundCardId", f.Card}} {
		if c[1] != "" {
			conds = append(conds, c[0]+" eq "+odataString(c[1]))
		}
	}
	grants, more, err := s.findGrantPage(rq, o.ID, odataAnd(conds), page)
	if err != nil {
		return err
	}
	v := grantsView{Owner: o, Filters: f, Pager: newGrantPager(ownerPath(o.ID, "grants"), rq.r.URL.Query(), page, more)}
	if v.Rows, err = s.grantRows(rq, grants); err != nil {
		return err
	}
	if err := s.fillGrantFilters(rq, o.ID, &v); err != nil {
		return err
	}
	return s.render(rq, http.StatusOK, "grants-list", pageData{Title: s.t(rq, "portal.grants.title"), Owner: o, Section: "grants", View: v})
}

// fillGrantFilters loads the options of the list's filter selects.
func (s *Server) fillGrantFilters(rq *request, ownerID string, v *grantsView) error {
	targets, err := s.grantTargets(rq, ownerID, v.Filters.Target)
	if err != nil {
		return err
	}
	contacts, err := s.grantContacts(rq, ownerID, v.Filters.Contact)
	if err != nil {
		return err
	}
	cards, err := s.grantCards(rq, ownerID, v.Filters.Card)
	if err != nil {
		return err
	}
	v.Targets = s.targetSelect(rq, targets, v.Filters.Target)
	v.Contacts, v.Cards = options(contacts, v.Filters.Contact), options(cards, v.Filters.Card)
	return nil
}

// grantRows describes grants for the list, each in its target's zone.
func (s *Server) grantRows(rq *request, grants []*keyward.Grant) ([]grantRow, error) {
	zones, err := s.groupZonesOf(rq, grants)
	if err != nil {
		return nil, err
	}
	rows := make([]grantRow, 0, len(grants))
	for _, g := range grants {
		tgt, err := s.targetOf(rq, g, zones)
		if err != nil {
			return nil, err
		}
		zone := zoneOf(g.TimeRestrictionIcal, tgt.Zone)
		rows = append(rows, grantRow{ID: g.ID, Grantee: granteeOf(g), Target: tgt.Title, Group: tgt.Group,
			Validity: s.validity(rq, g.ValidFrom, g.ValidBefore, zone), Schedule: s.scheduleSummary(rq, g.TimeRestrictionIcal),
			State: s.stateText(rq, g.State), StateCode: g.State, CardWrite: s.cardWriteText(rq, g.CardWriteState)})
	}
	return rows, nil
}

// grantView is the data of a grant's page.
type grantView struct {
	Owner                  *keyward.Owner
	Grant                  *keyward.Grant
	Grantee, GranteeKind   string
	Target, TargetKind     string
	TargetID               string
	TargetIsLock           bool
	Zone                   string
	Validity, Schedule     string
	ICal                   string
	State, CardWrite       string
	Created, Revoked       string
	Windows                []previewWindow
	WindowsFrom, WindowsTo string
}

// grantWindowDays is how far ahead a grant's page looks for its next windows.
const grantWindowDays = 31

// grantPage serves GET .../grants/{grant}: everything about the grant and its next windows.
func (s *Server) grantPage(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	g, err := s.svc.Grants.FindGrant(rq.ctx, o.ID, rq.r.PathValue("grant"))
	if err != nil {
		return err
	}
	tgt, err := s.targetOf(rq, g, map[string]targetOption{})
	if err != nil {
		return err
	}
	zone := zoneOf(g.TimeRestrictionIcal, tgt.Zone)
	v := grantView{Owner: o, Grant: g, Grantee: granteeOf(g), Target: tgt.Title, TargetID: tgt.ID, TargetIsLock: !tgt.Group, Zone: zone,
		Validity: s.validity(rq, g.ValidFrom, g.ValidBefore, zone), Schedule: s.scheduleSummary(rq, g.TimeRestrictionIcal),
		ICal: deref(g.TimeRestrictionIcal), State: s.stateText(rq, g.State), CardWrite: s.cardWriteText(rq, g.CardWriteState),
		Created: localTime(g.CreatedAt, zone), Revoked: localTime(g.RevokedAt, zone)}
	v.GranteeKind, v.TargetKind = s.t(rq, "portal.grants.kind.contact"), s.t(rq, "portal.grants.kind.lock")
	if g.BoundCardID != nil {
		v.GranteeKind = s.t(rq, "portal.grants.kind.card")
	}
	if tgt.Group {
		v.TargetKind = s.t(rq, "portal.grants.kind.group")
	}
	if err := s.upcomingWindows(rq, o.ID, g, &v); err != nil {
		return err
	}
	return s.render(rq, http.StatusOK, "grants-show", pageData{Title: s.t(rq, "portal.grants.grantTitle", v.Grantee, v.Target), Owner: o, Section: "grants", View: v})
}

// upcomingWindows fills in the grant's next windows as the service computes them
// (GrantWindows), from now or the start of its validity for grantWindowDays.
func (s *Server) upcomingWindows(rq *request, ownerID string, g *keyward.Grant, v *grantView) error {
	if !g.Active {
		return nil
	}
	from := keyward.NewTime(s.cfg.Now())
	if g.ValidFrom != nil && g.ValidFrom.After(from.Time) {
		from = *g.ValidFrom
	}
	to := keyward.NewTime(from.Add(grantWindowDays * 24 * time.Hour))
	if g.ValidBefore != nil && g.ValidBefore.Before(to.Time) {
		to = *g.ValidBefore
	}
	if !from.Before(to.Time) {
		return nil
	}
	res, err := s.svc.Grants.GrantWindows(rq.ctx, ownerID, g.ID, &from, &to)
	if err != nil {
		return err
	}
	v.WindowsFrom, v.WindowsTo = localTime(from, res.TimeZone), localTime(to, res.TimeZone)
	for i, w := range res.Windows {
		if i == maxPreviewWindows {
			break
		}
		v.Windows = append(v.Windows, previewWindow{Start: localTime(w.Start, res.TimeZone), End: localTime(w.End, res.TimeZone),
			StartISO: isoTime(w.Start), EndISO: isoTime(w.End)})
	}
	return nil
}

// grantToRevoke loads the account and the {grant}.
func (s *Server) grantToRevoke(rq *request) (*keyward.Owner, *keyward.Grant, error) {
	o, err := s.owner(rq)
	if err != nil {
		return nil, nil, err
	}
	g, err := s.svc.Grants.FindGrant(rq.ctx, o.ID, rq.r.PathValue("grant"))
	return o, g, err
}

// confirmRevokeGrant serves GET .../grants/{grant}/revoke: the question and its consequence,
// which a dry run of the revocation tells: RevocationPending until the lock syncs when a lock
// holds the grant's key, else Revoked at once.
func (s *Server) confirmRevokeGrant(rq *request) error {
	o, g, err := s.grantToRevoke(rq)
	if err != nil {
		return err
	}
	dry, err := s.svc.Grants.RevokeGrant(rq.ctx, o.ID, g.ID, true)
	if err != nil {
		return err
	}
	consequence := "portal.grants.revokeRevoked"
	switch {
	case !g.Active:
		consequence = "portal.grants.revokeInactive"
	case dry.State == keyward.GrantRevocationPending:
		consequence = "portal.grants.revokePending"
	}
	tgt, err := s.targetOf(rq, g, map[string]targetOption{})
	if err != nil {
		return err
	}
	return s.confirm(rq, o, "grants", confirmView{
		Question:    s.t(rq, "portal.grants.revokeQuestion", granteeOf(g), tgt.Title),
		Consequence: s.t(rq, consequence),
		Action:      ownerPath(o.ID, "grants", g.ID, "revoke"),
		Submit:      s.t(rq, "portal.grants.revoke"),
		Cancel:      ownerPath(o.ID, "grants", g.ID),
	})
}

// revokeGrant serves POST .../grants/{grant}/revoke and shows the grant in its new state.
func (s *Server) revokeGrant(rq *request) error {
	o, g, err := s.grantToRevoke(rq)
	if err != nil {
		return err
	}
	after, err := s.svc.Grants.RevokeGrant(rq.ctx, o.ID, g.ID, false)
	if err != nil {
		return err
	}
	notice := "grantRevoked"
	if after.State == keyward.GrantRevocationPending {
		notice = "grantRevocationPending"
	}
	return redirect(rq, ownerPath(o.ID, "grants", g.ID), notice)
}
