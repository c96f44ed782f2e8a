package portal

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

// groupRoutes are the pages of an account's lock groups: the list with the create form, and a
// group's page with its members.
func (s *Server) groupRoutes() []Route {
	o := Root + "/owners/{owner}/groups"
	return []Route{
		get(o, s.groupsPage),
		post(o, s.createGroup),
		get(o+"/{group}", s.groupPage),
		post(o+"/{group}/rename", s.renameGroup),
		get(o+"/{group}/delete", s.confirmDeleteGroup),
		post(o+"/{group}/delete", s.deleteGroup),
		post(o+"/{group}/members", s.addGroupMember),
		get(o+"/{group}/members/{lock}/remove", s.confirmRemoveGroupMember),
		post(o+"/{group}/members/{lock}/remove", s.removeGroupMember),
	}
}

// groupsView is the data of the group list and its create form.
type groupsView struct {
	Owner             *keyward.Owner
	Groups            []*keyward.LockGroup
	Pages             inventoryPager
	Name, Description string
	Errors            fieldErrors
}

// groupsPage serves GET .../groups.
func (s *Server) groupsPage(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	return s.showGroups(rq, http.StatusOK, o, groupsView{})
}

func (s *Server) showGroups(rq *request, status int, o *keyward.Owner, v groupsView) error {
	q, number, err := inventoryQuery(rq, url.Values{"$filter": {"active eq true"}})
	if err != nil {
		return err
	}
	groups, err := s.svc.LockGroups.FindLockGroups(rq.ctx, o.ID, q)
	if err != nil {
		return err
	}
	v.Owner = o
	v.Groups, v.Pages = inventoryPage(groups, number, ownerPath(o.ID, "groups"), nil)
	return s.render(rq, status, "groups", pageData{Title: s.t(rq, "portal.nav.groups"), Owner: o, Section: "groups", View: v})
}

// createGroup serves POST .../groups; a plan without lock groups is refused above the form.
func (s *Server) createGroup(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	v := groupsView{Name: rq.value("title"), Description: rq.value("description")}
	g, err := s.svc.LockGroups.CreateLockGroup(rq.ctx, o.ID, keyward.LockGroupCreate{Title: v.Name, Description: emptyAsNil(v.Description)})
	if err != nil {
		fe, ferr := s.formRefusal(rq, err, "title", "description")
		if ferr != nil {
			return ferr
		}
		v.Errors = fe.errors
		return s.showGroups(rq, fe.status, o, v)
	}
	return redirect(rq, ownerPath(o.ID, "groups", g.ID), "groupCreated")
}

// groupView is the data of a group's page.
type groupView struct {
	Owner             *keyward.Owner
	Group             *keyward.LockGroup
	Members           []*keyward.BoundLock // a page of them
	Pages             inventoryPager
	Candidates        []*keyward.BoundLock // the account's active locks that are no members
	Search            string               // the title the candidates were searched by
	Name, Description string
	Member            string // the lock the add form chose
	Errors            fieldErrors
}

// ownerGroup loads the account and its {group}.
func (s *Server) ownerGroup(rq *request) (*keyward.Owner, *keyward.LockGroup, error) {
	o, err := s.owner(rq)
	if err != nil {
		return nil, nil, err
	}
	g, err := s.svc.LockGroups.FindLockGroup(rq.ctx, o.ID, rq.r.PathValue("group"), nil)
	return o, g, err
}

// groupPage serves GET .../groups/{group}.
func (s *Server) groupPage(rq *request) error {
	o, g, err := s.ownerGroup(rq)
	if err != nil {
		return err
	}
	return s.showGroup(rq, http.StatusOK, o, g, groupView{Name: g.Title, Description: g.Description})
}

// showGroup renders a group's page: its members a page at a time (?page=), and the first
// keyward.MaxTop of the locks it may take, those whose title holds ?q= when a search asks, with
// the one the add form chose. However many locks the account and the group hold, the page reads
// a page of members and one list of candidates.
func (s *Server) showGroup(rq *request, status int, o *keyward.Owner, g *keyward.LockGroup, v groupView) error {
	v.Search = rq.query("q")
	q, number, err := inventoryQuery(rq, url.Values{})
	if err != nil {
		return err
	}
	members, err := s.svc.LockGroups.FindLockGroupMembers(rq.ctx, o.ID, g.ID, q)
	if err != nil {
		return err
	}
	v.Members, v.Pages = inventoryPage(members, number, ownerPath(o.ID, "groups", g.ID), url.Values{"q": {v.Search}})
	candidates := url.Values{"$top": {strconv.Itoa(keyward.MaxTop)}}
	if v.Search != "" {
		candidates.Set("$filter", "contains(title,"+odataString(v.Search)+")")
	}
	cq, err := odata.Parse(candidates)
	if err != nil {
		return err
	}
	list, err := s.svc.LockGroups.FindLockGroupCandidates(rq.ctx, o.ID, g.ID, cq)
	if err != nil {
		return err
	}
	v.Candidates, err = withChosen(list, v.Member, func(l *keyward.BoundLock) string { return l.ID }, func() (*keyward.BoundLock, error) {
		return s.svc.Locks.FindBoundLock(rq.ctx, o.ID, v.Member, nil)
	})
	if err != nil {
		return err
	}
	v.Owner, v.Group = o, g
	return s.render(rq, status, "groups-group", pageData{Title: g.Title, Owner: o, Section: "groups", View: v})
}

// renameGroup serves POST .../groups/{group}/rename.
func (s *Server) renameGroup(rq *request) error {
	o, g, err := s.ownerGroup(rq)
	if err != nil {
		return err
	}
	title, description := rq.value("title"), rq.value("description")
	if _, err := s.svc.LockGroups.UpdateLockGroup(rq.ctx, o.ID, g.ID, keyward.LockGroupUpdate{Title: &title, Description: &description}); err != nil {
		fe, ferr := s.formRefusal(rq, err, "title", "description")
		if ferr != nil {
			return ferr
		}
		return s.showGroup(rq, fe.status, o, g, groupView{Name: title, Description: description, Errors: fe.errors})
	}
	return redirect(rq, ownerPath(o.ID, "groups", g.ID), "groupRenamed")
}

// confirmDeleteGroup serves GET .../groups/{group}/delete.
func (s *Server) confirmDeleteGroup(rq *request) error {
	o, g, err := s.ownerGroup(rq)
	if err != nil {
		return err
	}
	return s.confirm(rq, o, "groups", confirmView{
		Question:    s.t(rq, "portal.groups.deleteQuestion", g.Title),
		Consequence: s.t(rq, "portal.groups.deleteConsequence"),
		Action:      ownerPath(o.ID, "groups", g.ID, "delete"),
		Submit:      s.t(rq, "portal.groups.delete"),
		Cancel:      ownerPath(o.ID, "groups", g.ID),
	})
}

// deleteGroup serves POST .../groups/{group}/delete.
func (s *Server) deleteGroup(rq *request) error {
	o, g, err := s.ownerGroup(rq)
	if err != nil {
		return err
	}
	if err := s.svc.LockGroups.DeleteLockGroup(rq.ctx, o.ID, g.ID); err != nil {
		return err
	}
	return redirect(rq, ownerPath(o.ID, "groups"), "groupDeleted")
}

// addGroupMember serves POST .../groups/{group}/members: the chosen lock joins the group.
func (s *Server) addGroupMember(rq *request) error {
	o, g, err := s.ownerGroup(rq)
	if err != nil {
		return err
	}
	lock := rq.value("boundLockId")
	if _, err := s.svc.LockGroups.AddLockGroupMember(rq.ctx, o.ID, g.ID, keyward.LockGroupMemberRequest{BoundLockID: lock}); err != nil {
		fe, ferr := s.formRefusal(rq, err, "boundLockId")
		if ferr != nil {
			return ferr
		}
		return s.showGroup(rq, fe.status, o, g, groupView{Name: g.Title, Description: g.Description, Member: lock, Errors: fe.errors})
	}
	return redirect(rq, ownerPath(o.ID, "groups", g.ID), "groupMemberAdded")
}

// groupMember loads the account, the {group} and its member {lock}.
func (s *Server) groupMember(rq *request) (*keyward.Owner, *keyward.LockGroup, *keyward.BoundLock, error) {
	o, g, err := s.ownerGroup(rq)
	if err != nil {
		return nil, nil, nil, err
	}
	l, err := s.svc.Locks.FindBoundLock(rq.ctx, o.ID, rq.r.PathValue("lock"), nil)
	return o, g, l, err
}

// confirmRemoveGroupMember serves GET .../groups/{group}/members/{lock}/remove.
func (s *Server) confirmRemoveGroupMember(rq *request) error {
	o, g, l, err := s.groupMember(rq)
	if err != nil {
		return err
	}
	return s.confirm(rq, o, "groups", confirmView{
		Question:    s.t(rq, "portal.groups.removeQuestion", l.Title, g.Title),
		Consequence: s.t(rq, "portal.groups.removeConsequence"),
		Action:      ownerPath(o.ID, "groups", g.ID, "members", l.ID, "remove"),
		Submit:      s.t(rq, "portal.groups.remove"),
		Cancel:      ownerPath(o.ID, "groups", g.ID),
	})
}

// removeGroupMember serves POST .../groups/{group}/members/{lock}/remove.
func (s *Server) removeGroupMember(rq *request) error {
	o, g, l, err := s.groupMember(rq)
	if err != nil {
		return err
	}
	if err := s.svc.LockGroups.RemoveLockGroupMember(rq.ctx, o.ID, g.ID, l.ID); err != nil {
		return err
	}
	return redirect(rq, ownerPath(o.ID, "groups", g.ID), "groupMemberRemoved")
}
