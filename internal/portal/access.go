package portal

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// accessLock loads the account and the {lock} with its zone.
func (s *Server) accessLock(rq *request) (*keyward.Owner, *keyward.BoundLock, string, error) {
	o, err := s.owner(rq)
	if err != nil {
		return nil, nil, "", err
	}
	l, err := s.svc.Locks.FindBoundLock(rq.ctx, o.ID, rq.r.PathValue("lock"), nil)
	if err != nil {
		return nil, nil, "", err
	}
	return o, l, zoneName(l.TimeZone), nil
}

// lockGroupsOf lists the active groups the lock belongs to, in one statement however many groups
// the account has.
func (s *Server) lockGroupsOf(rq *request, ownerID, lockID string) ([]*keyward.LockGroup, error) {
	return s.svc.LockGroups.FindLockGroupsOfLock(rq.ctx, ownerID, lockID, allQuery("active eq true"))
}

// accessRow is one grantee of "who can open this lock now".
type accessRow struct {
	Grantee, CheckLink  string
	Allowed             bool
	Verdict, Reasons    string
	LockMayStillAllow   bool
	NextWindow, NextISO string
}

// lockAccessView is the data of "who can open this lock now".
type lockAccessView struct {
	Owner       *keyward.Owner
	Lock        *keyward.BoundLock
	Zone, Now   string
	Rows        []accessRow
	Pager       grantPager
	CheckPath   string
	GroupTitles string
}

// lockAccessPage serves GET .../locks/{lock}/access: every grantee with a grant on the lock or
// on one of its groups that is active or whose revocation the lock may not know yet, each with
// the service's access decision now. The grants are paged, 50 a page, and a grantee with
// several grants on one page is one row.
func (s *Server) lockAccessPage(rq *request) error {
	o, l, zone, err := s.accessLock(rq)
	if err != nil {
		return err
	}
	page, err := pageNumber(rq)
	if err != nil {
		return err
	}
	groups, err := s.lockGroupsOf(rq, o.ID, l.ID)
	if err != nil {
		return err
	}
	targets := []string{l.ID}
	var titles []string
	for _, g := range groups {
		targets = append(targets, g.ID)
		titles = append(titles, g.Title)
	}
	filter := "active eq true or state eq " + odataString(keyward.GrantRevocationPending)
	grants, more, err := pageOfGrants(filter, page, func(q *keyward.Query) ([]*keyward.Grant, error) {
		return s.svc.Grants.FindGrantsOnTargets(rq.ctx, o.ID, targets, q)
	})
	if err != nil {
		return err
	}
	now := keyward.NewTime(s.cfg.Now())
	base := ownerPath(o.ID, "locks", l.ID, "access")
	v := lockAccessView{Owner: o, Lock: l, Zone: zone, Now: localTime(now, zone), CheckPath: base + "/check",
		Pager: newGrantPager(base, rq.r.URL.Query(), page, more), GroupTitles: strings.Join(titles, ", ")}
	seen := map[string]bool{}
	var firsts []*keyward.Grant // each grantee's first grant on the page
	var grantees []keyward.Grantee
	for _, g := range grants {
		if key := grantee(g); !seen[key] {
			seen[key] = true
			firsts = append(firsts, g)
			grantees = append(grantees, keyward.Grantee{ContactID: g.ContactID, BoundCardID: g.BoundCardID})
		}
	}
	decisions, err := s.svc.Grants.AccessChecks(rq.ctx, o.ID, l.ID, grantees, &now)
	if err != nil {
		return err
	}
	for i, g := range firsts {
		v.Rows = append(v.Rows, s.accessRow(rq, g, decisions[i], zone, v.CheckPath))
	}
	return s.render(rq, http.StatusOK, "grants-access", pageData{Title: s.t(rq, "portal.access.title", l.Title), Owner: o, Section: "locks", View: v})
}

// grantee is a grant's grantee as the check form's value: "contact:<id>" or "card:<id>".
func grantee(g *keyward.Grant) string {
	if g.BoundCardID != nil {
		return "card:" + *g.BoundCardID
	}
	return "contact:" + deref(g.ContactID)
}

// accessRow is the row of g's grantee, whom the service's decision d is for.
func (s *Server) accessRow(rq *request, g *keyward.Grant, d *keyward.AccessDecision, zone, check string) accessRow {
	row := accessRow{Grantee: granteeOf(g), Allowed: d.Allowed, LockMayStillAllow: d.LockMayStillAllow,
		CheckLink: check + "?grantee=" + grantee(g)}
	row.Verdict = s.t(rq, "portal.access.denied")
	if d.Allowed {
		row.Verdict = s.t(rq, "portal.access.allowed")
	}
	var reasons []string
	var next *keyward.Window
	for _, gd := range d.Grants {
		text := s.t(rq, reasonKeys[gd.Reason])
		if !slices.Contains(reasons, text) {
			reasons = append(reasons, text)
		}
		if gd.NextWindow != nil && (next == nil || gd.NextWindow.Start.Before(next.Start.Time)) {
			next = gd.NextWindow
		}
	}
	row.Reasons = strings.Join(reasons, "; ")
	if next != nil && !d.Allowed {
		row.NextWindow, row.NextISO = localTime(next.Start, zone), isoTime(next.Start)
	}
	return row
}

// reasonKeys are the short texts of the access-check reasons.
var reasonKeys = map[string]string{
	keyward.ReasonAllowed:            "portal.access.reason.Allowed",
	keyward.ReasonNotYetValid:        "portal.access.reason.NotYetValid",
	keyward.ReasonExpired:            "portal.access.reason.Expired",
	keyward.ReasonOutsideRestriction: "portal.access.reason.OutsideTimeRestriction",
	keyward.ReasonRevoked:            "portal.access.reason.Revoked",
	keyward.ReasonRevocationPending:  "portal.access.reason.RevocationPending",
}

// decisionRow is one grant of an explained access decision.
type decisionRow struct {
	GrantID, Target     string
	State, Reason       string
	Explanation         string
	LockMayStillAllow   bool
	NextWindow, NextISO string
}

// accessCheckView is the data of "why was this person denied?".
type accessCheckView struct {
	Owner            *keyward.Owner
	Lock             *keyward.BoundLock
	Zone             string
	Grantee, At      string
	Contacts, Cards  []selectOption
	Errors           fieldErrors
	Checked          bool // a decision is shown
	Allowed          bool
	Verdict          string
	LockMayStillText string
	Rows             []decisionRow
}

// accessCheckPage serves GET .../locks/{lock}/access/check: a contact or card and an instant
// on the lock's wall clock (now when none), and the service's decision with every grant's
// reason in words.
func (s *Server) accessCheckPage(rq *request) error {
	o, l, zone, err := s.accessLock(rq)
	if err != nil {
		return err
	}
	v := accessCheckView{Owner: o, Lock: l, Zone: zone, Grantee: rq.query("grantee"), At: rq.query("at"), Errors: fieldErrors{}}
	status := http.StatusOK
	if v.Grantee != "" {
		if status, err = s.explainAccess(rq, o.ID, l, &v); err != nil {
			return err
		}
	}
	if v.At == "" {
		v.At = s.cfg.Now().In(location(zone)).Format("2006-01-02T15:04")
	}
	kind, chosen, _ := strings.Cut(v.Grantee, ":")
	chosenContact, chosenCard := "", ""
	switch kind {
	case "contact":
		chosenContact = chosen
	case "card":
		chosenCard = chosen
	}
	contacts, err := s.grantContacts(rq, o.ID, chosenContact)
	if err != nil {
		return err
	}
	cards, err := s.grantCards(rq, o.ID, chosenCard)
	if err != nil {
		return err
	}
	for _, c := range contacts {
		v.Contacts = append(v.Contacts, selectOption{Value: "contact:" + c.ID, Label: c.Label, Selected: "contact:"+c.ID == v.Grantee})
	}
	for _, c := range cards {
		v.Cards = append(v.Cards, selectOption{Value: "card:" + c.ID, Label: c.Label, Selected: "card:"+c.ID == v.Grantee})
	}
	return s.render(rq, status, "grants-check", pageData{Title: s.t(rq, "portal.access.checkTitle", l.Title), Owner: o, Section: "locks", View: v})
}

// explainAccess fills in the decision for the view's grantee and instant and returns the
// page's status: 400 with the text next to the field for a malformed choice or time, 404 for a
// contact or card that does not exist (any more).
func (s *Server) explainAccess(rq *request, ownerID string, l *keyward.BoundLock, v *accessCheckView) (int, error) {
	kind, id, _ := strings.Cut(v.Grantee, ":")
	var contactID, cardID *string
	switch {
	case kind == "contact" && id != "":
		contactID = &id
	case kind == "card" && id != "":
		cardID = &id
	default:
		v.Errors["grantee"] = s.t(rq, "portal.access.error.grantee")
		return http.StatusBadRequest, nil
	}
	at := s.cfg.Now()
	if v.At != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", v.At, location(v.Zone))
		if err != nil {
			v.Errors["at"] = s.t(rq, "portal.access.error.at")
			return http.StatusBadRequest, nil
		}
		at = t
	}
	when := keyward.NewTime(at)
	d, err := s.svc.Grants.AccessCheck(rq.ctx, ownerID, l.ID, contactID, cardID, &when)
	if err != nil {
		if e := keyward.ErrorOf(err); e != nil && e.Kind == keyward.KindNotFound {
			v.Errors["grantee"] = s.t(rq, "portal.access.error.grantee")
			return http.StatusNotFound, nil
		}
		return 0, err
	}
	return http.StatusOK, s.fillDecision(rq, ownerID, l, v, d)
}

// fillDecision puts an access decision in words.
func (s *Server) fillDecision(rq *request, ownerID string, l *keyward.BoundLock, v *accessCheckView, d *keyward.AccessDecision) error {
	v.Checked, v.Allowed = true, d.Allowed
	at := localTime(d.At, v.Zone)
	switch {
	case d.Allowed:
		v.Verdict = s.t(rq, "portal.access.verdictAllowed", at)
	case len(d.Grants) == 0:
		v.Verdict = s.t(rq, "portal.access.verdictNoGrant", at)
	default:
		v.Verdict = s.t(rq, "portal.access.verdictDenied", at)
	}
	if d.LockMayStillAllow {
		v.LockMayStillText = s.t(rq, "portal.access.lockMayStillAllow")
	}
	for _, gd := range d.Grants {
		row := decisionRow{GrantID: gd.GrantID, Target: l.Title, State: s.stateText(rq, gd.State), Reason: s.t(rq, reasonKeys[gd.Reason]),
			LockMayStillAllow: gd.LockMayStillAllow}
		g, err := s.svc.Grants.FindGrant(rq.ctx, ownerID, gd.GrantID)
		if err != nil {
			return err
		}
		if gd.ViaGroupID != nil && g.BoundLock != nil && g.BoundLock.Group != nil {
			row.Target = s.t(rq, "portal.access.viaGroup", g.BoundLock.Group.Title)
		}
		row.Explanation = s.explain(rq, gd, g, l, v.Zone)
		if gd.NextWindow != nil {
			row.NextWindow, row.NextISO = localTime(gd.NextWindow.Start, v.Zone), isoTime(gd.NextWindow.Start)
		}
		v.Rows = append(v.Rows, row)
	}
	return nil
}

// explain says in words why a grant allows access or not.
func (s *Server) explain(rq *request, gd keyward.GrantDecision, g *keyward.Grant, l *keyward.BoundLock, zone string) string {
	switch gd.Reason {
	case keyward.ReasonAllowed:
		return s.t(rq, "portal.access.explain.Allowed")
	case keyward.ReasonNotYetValid:
		return s.t(rq, "portal.access.explain.NotYetValid", localTime(g.ValidFrom, zone))
	case keyward.ReasonExpired:
		return s.t(rq, "portal.access.explain.Expired", localTime(g.ValidBefore, zone))
	case keyward.ReasonOutsideRestriction:
		return s.t(rq, "portal.access.explain.OutsideTimeRestriction", s.scheduleSummary(rq, g.TimeRestrictionIcal))
	case keyward.ReasonRevoked:
		return s.t(rq, "portal.access.explain.Revoked")
	}
	switch {
	case gd.LockMayStillAllow:
		return s.t(rq, "portal.access.explain.PendingMayOpen")
	case l.SyncSeq > g.RevokedSeq:
		return s.t(rq, "portal.access.explain.PendingConfirmed")
	}
	return s.t(rq, "portal.access.explain.PendingClosed")
}
