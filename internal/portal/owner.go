package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

// ownerRoutes are the pages of one account as such: its overview with the rename form, and its
// administrators.
func (s *Server) ownerRoutes() []Route {
	o := Root + "/owners/{owner}/"
	return []Route{
		get(o+"{$}", s.ownerPage),
		post(o+"rename", s.renameOwner),
		get(o+"permissions", s.permissionsPage),
		post(o+"permissions", s.invite),
		get(o+"permissions/{permission}/remove", s.confirmRemovePermission),
		post(o+"permissions/{permission}/remove", s.removePermission),
	}
}

// owner loads the account of the request's {owner}; another account is 403, as in the API.
func (s *Server) owner(rq *request) (*keyward.Owner, error) {
	return s.svc.Owners.FindOwner(rq.ctx, rq.r.PathValue("owner"))
}

// ownerView is the data of an account's overview.
type ownerView struct {
	Owner  *keyward.Owner
	Name   string
	Errors fieldErrors
}

// ownerPage serves GET /portal/owners/{owner}/: the account, its sections and the rename form.
func (s *Server) ownerPage(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	return s.showOwner(rq, http.StatusOK, o, ownerView{Name: o.Name})
}

func (s *Server) showOwner(rq *request, status int, o *keyward.Owner, v ownerView) error {
	v.Owner = o
	return s.render(rq, status, "owner", pageData{Title: o.Name, Owner: o, Section: "overview", View: v})
}

// renameOwner serves POST .../rename.
func (s *Server) renameOwner(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	name := rq.value("name")
	if _, err := s.svc.Owners.UpdateOwner(rq.ctx, o.ID, keyward.OwnerUpdate{Name: &name}); err != nil {
		fe, ferr := s.fieldError(rq, err, "name")
		if ferr != nil {
			return ferr
		}
		return s.showOwner(rq, fe.status, o, ownerView{Name: name, Errors: fe.errors})
	}
	return redirect(rq, ownerPath(o.ID), "ownerRenamed")
}

// permissionRow is one administrator: the permission and the address of its contact.
type permissionRow struct {
	ID, Email string
	Role      keyward.Role
	Self      bool
}

// permissionsView is the data of the administrators page.
type permissionsView struct {
	Owner   *keyward.Owner
	Rows    []permissionRow
	Email   string
	Role    keyward.Role
	Errors  fieldErrors
	Roles   []keyward.Role
	IsOwner bool // the user holds the Owner role, which changing administrators needs
}

// permissionsPage serves GET .../permissions.
func (s *Server) permissionsPage(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	return s.showPermissions(rq, http.StatusOK, o, permissionsView{Role: keyward.RoleAdmin})
}

func (s *Server) showPermissions(rq *request, status int, o *keyward.Owner, v permissionsView) error {
	admins, err := s.svc.Permissions.FindAdministrators(rq.ctx, o.ID)
	if err != nil {
		return err
	}
	v.Owner, v.Roles = o, []keyward.Role{keyward.RoleAdmin, keyward.RoleOwner}
	for _, a := range admins {
		p := a.Permission
		row := permissionRow{ID: p.ID, Email: deref(a.Contact.Identifier), Role: p.Role}
		row.Self = strings.EqualFold(row.Email, rq.se.User.Email)
		v.IsOwner = v.IsOwner || (row.Self && p.Role == keyward.RoleOwner)
		v.Rows = append(v.Rows, row)
	}
	return s.render(rq, status, "permissions", pageData{Title: s.t(rq, "portal.permissions.title"), Owner: o, Section: "permissions", View: v})
}

// invite serves POST .../permissions: the address's contact (found, or created for a Keyward
// user) gets the role. The service refuses an unverified user, a second permission and a
// caller who is not an Owner.
func (s *Server) invite(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	email, role := rq.value("email"), keyward.Role(rq.value("role"))
	err = s.grantRole(rq, o.ID, email, role)
	if err != nil {
		fe, ferr := s.fieldError(rq, err, "email", "role")
		if ferr != nil {
			return ferr
		}
		return s.showPermissions(rq, fe.status, o, permissionsView{Email: email, Role: role, Errors: fe.errors})
	}
	return redirect(rq, ownerPath(o.ID, "permissions"), "permissionGranted")
}

// grantRole gives the Keyward user with the address the role on the account.
func (s *Server) grantRole(rq *request, ownerID, email string, role keyward.Role) error {
	if email == "" {
		return keyward.Invalidf("field %q is required", "email")
	}
	c, err := s.contactByIdentifier(rq, ownerID, email)
	if err != nil {
		return err
	}
	_, err = s.svc.Permissions.CreatePermission(rq.ctx, ownerID, keyward.PermissionCreate{ContactID: c.ID, Role: role})
	return err
}

// contactByIdentifier finds the account's Keyward-user contact with the address, creating it
// when there is none.
func (s *Server) contactByIdentifier(rq *request, ownerID, email string) (*keyward.Contact, error) {
	q, err := odata.Parse(url.Values{"$filter": {"ipId eq 'tapkey' and identifier eq " + odataString(email)}})
	if err != nil {
		return nil, keyward.Invalidf("field %q is not an e-mail address", "email")
	}
	found, err := s.svc.Contacts.FindContacts(rq.ctx, ownerID, q)
	if err != nil {
		return nil, err
	}
	if len(found) > 0 {
		return found[0], nil
	}
	ip := keyward.IPTapkey
	return s.svc.Contacts.CreateContact(rq.ctx, ownerID, keyward.ContactCreate{IPID: &ip, Identifier: &email})
}

// odataString is s as an OData string literal.
func odataString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// confirmView is the data of a confirmation page: the question, what is at stake, the form's
// action and its button, and where "cancel" goes.
type confirmView struct {
	Question, Consequence string
	Action, Submit        string
	Cancel                string
}

// confirm shows the confirmation page of a destructive action.
func (s *Server) confirm(rq *request, o *keyward.Owner, section string, v confirmView) error {
	return s.render(rq, http.StatusOK, "confirm", pageData{Title: s.t(rq, "portal.confirm.title"), Owner: o, Section: section, View: v})
}

// permissionToRemove loads the account and the {permission} with its address.
func (s *Server) permissionToRemove(rq *request) (*keyward.Owner, *keyward.Permission, string, error) {
	o, err := s.owner(rq)
	if err != nil {
		return nil, nil, "", err
	}
	p, err := s.svc.Permissions.FindPermission(rq.ctx, o.ID, rq.r.PathValue("permission"))
	if err != nil {
		return nil, nil, "", err
	}
	c, err := s.svc.Contacts.FindContact(rq.ctx, o.ID, p.ContactID)
	if err != nil {
		return nil, nil, "", err
	}
	return o, p, deref(c.Identifier), nil
}

// confirmRemovePermission serves GET .../permissions/{permission}/remove.
func (s *Server) confirmRemovePermission(rq *request) error {
	o, p, email, err := s.permissionToRemove(rq)
	if err != nil {
		return err
	}
	return s.confirm(rq, o, "permissions", confirmView{
		Question:    s.t(rq, "portal.permissions.removeQuestion", email, s.t(rq, "portal.role."+string(p.Role))),
		Consequence: s.t(rq, "portal.permissions.removeConsequence"),
		Action:      ownerPath(o.ID, "permissions", p.ID, "remove"),
		Submit:      s.t(rq, "portal.permissions.remove"),
		Cancel:      ownerPath(o.ID, "permissions"),
	})
}

// removePermission serves POST .../permissions/{permission}/remove; the last Owner stays
// (LastOwner, shown on the administrators page).
func (s *Server) removePermission(rq *request) error {
	o, p, _, err := s.permissionToRemove(rq)
	if err != nil {
		return err
	}
	if err := s.svc.Permissions.DeletePermission(rq.ctx, o.ID, p.ID); err != nil {
		if !errors.Is(err, keyward.ErrLastOwner) {
			return err
		}
		return s.showPermissions(rq, keyward.ErrorOf(err).Kind.Status(), o, permissionsView{Role: keyward.RoleAdmin,
			Errors: fieldErrors{"": s.t(rq, "portal.permissions.lastOwner")}})
	}
	return redirect(rq, ownerPath(o.ID, "permissions"), "permissionRemoved")
}
