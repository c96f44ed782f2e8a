package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

// contactRoutes are the pages of an account's contacts: the list with its search and the two
// create forms, and a contact's page with its grants.
func (s *Server) contactRoutes() []Route {
	o := Root + "/owners/{owner}/contacts"
	return []Route{
		get(o, s.contactsPage),
		post(o, s.createContact),
		get(o+"/{contact}", s.contactPage),
		post(o+"/{contact}/edit", s.editContact),
		get(o+"/{contact}/delete", s.confirmDeleteContact),
		post(o+"/{contact}/delete", s.deleteContact),
		get(o+"/{contact}/revoke", s.confirmRevokeContactGrants),
		post(o+"/{contact}/revoke", s.revokeContactGrants),
	}
}

// contactRow is one contact of the list.
type contactRow struct {
	ID, Identity, Title string
}

// contactForm is one of the create forms after a refusal: the values typed and the errors.
type contactForm struct {
	Identifier, IPID, IPUserID, Title string
	Errors                            fieldErrors
}

// contactsView is the data of the contact list.
type contactsView struct {
	Owner  *keyward.Owner
	Rows   []contactRow
	Pages  inventoryPager
	Search string
	IdPs   []string // the ipIds of the account's identity providers
	User   contactForm
	IdP    contactForm
}

// contactsPage serves GET .../contacts, optionally searched with ?q=.
func (s *Server) contactsPage(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	return s.showContacts(rq, http.StatusOK, o, contactsView{})
}

func (s *Server) showContacts(rq *request, status int, o *keyward.Owner, v contactsView) error {
	v.Search = rq.query("q")
	filter := url.Values{}
	if v.Search != "" {
		text := odataString(v.Search)
		filter.Set("$filter", "contains(identifier,"+text+") or contains(title,"+text+") or contains(ipUserId,"+text+")")
	}
	q, number, err := inventoryQuery(rq, filter)
	if err != nil {
		return err
	}
	contacts, err := s.svc.Contacts.FindContacts(rq.ctx, o.ID, q)
	if err != nil {
		return err
	}
	contacts, v.Pages = inventoryPage(contacts, number, ownerPath(o.ID, "contacts"), url.Values{"q": {v.Search}})
	for _, c := range contacts {
		v.Rows = append(v.Rows, contactRow{ID: c.ID, Identity: contactIdentity(c), Title: deref(c.Title)})
	}
	idps, err := s.svc.IdentityProviders.FindIdentityProviders(rq.ctx, o.ID)
	if err != nil {
		return err
	}
	for _, ip := range idps {
		v.IdPs = append(v.IdPs, ip.ID)
	}
	v.Owner = o
	return s.render(rq, status, "contacts", pageData{Title: s.t(rq, "portal.nav.contacts"), Owner: o, Section: "contacts", View: v})
}

// contactIdentity is who a contact is: the address of a Keyward user, or the identity
// provider and its user id.
func contactIdentity(c *keyward.Contact) string {
	if c.Identifier != nil {
		return *c.Identifier
	}
	return c.IPID + ": " + deref(c.IPUserID)
}

// createContact serves POST .../contacts: a Keyward user by address (kind "user") or a user of
// one of the account's identity providers (kind "idp").
func (s *Server) createContact(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	f := contactForm{Identifier: rq.value("identifier"), IPID: rq.value("ipId"), IPUserID: rq.value("ipUserId"), Title: rq.value("title")}
	in := keyward.ContactCreate{Title: emptyAsNil(f.Title)}
	fields := []string{"identifier", "title"}
	if rq.value("kind") == "idp" {
		in.IPID, in.IPUserID = &f.IPID, &f.IPUserID
		fields = []string{"ipUserId", "ipId", "title"}
	} else {
		in.Identifier = &f.Identifier
	}
	c, err := s.svc.Contacts.CreateContact(rq.ctx, o.ID, in)
	if err != nil {
		fe, ferr := s.formRefusal(rq, err, fields...)
		if ferr != nil {
			return ferr
		}
		f.Errors = fe.errors
		v := contactsView{User: f}
		if in.IPUserID != nil {
			v = contactsView{IdP: f}
		}
		return s.showContacts(rq, fe.status, o, v)
	}
	return redirect(rq, ownerPath(o.ID, "contacts", c.ID), "contactCreated")
}

// contactView is the data of a contact's page.
type contactView struct {
	Owner         *keyward.Owner
	Contact       *keyward.Contact
	Identity      string
	Name, Comment string
	Grants        []inventoryGrant
	Errors        fieldErrors
}

// ownerContact loads the account and its {contact}.
func (s *Server) ownerContact(rq *request) (*keyward.Owner, *keyward.Contact, error) {
	o, err := s.owner(rq)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.svc.Contacts.FindContact(rq.ctx, o.ID, rq.r.PathValue("contact"))
	return o, c, err
}

// contactPage serves GET .../contacts/{contact}.
func (s *Server) contactPage(rq *request) error {
	o, c, err := s.ownerContact(rq)
	if err != nil {
		return err
	}
	return s.showContact(rq, http.StatusOK, o, c, contactView{Name: deref(c.Title), Comment: deref(c.Comment)})
}

func (s *Server) showContact(rq *request, status int, o *keyward.Owner, c *keyward.Contact, v contactView) error {
	q, err := odata.Parse(url.Values{"$filter": {"contactId eq " + odataString(c.ID)}, "$top": {strconv.Itoa(keyward.MaxTop)}})
	if err != nil {
		return err
	}
	grants, err := s.svc.Grants.FindGrants(rq.ctx, o.ID, q)
	if err != nil {
		return err
	}
	v.Owner, v.Contact, v.Identity, v.Grants = o, c, contactIdentity(c), s.inventoryGrants(rq, o.ID, grants)
	return s.render(rq, status, "contacts-contact", pageData{Title: nameOfContact(c), Owner: o, Section: "contacts", View: v})
}

// editContact serves POST .../contacts/{contact}/edit: the title and comment.
func (s *Server) editContact(rq *request) error {
	o, c, err := s.ownerContact(rq)
	if err != nil {
		return err
	}
	title, comment := rq.value("title"), rq.value("comment")
	if _, err := s.svc.Contacts.UpdateContact(rq.ctx, o.ID, c.ID, keyward.ContactUpdate{Title: &title, Comment: &comment}); err != nil {
		fe, ferr := s.formRefusal(rq, err, "title", "comment")
		if ferr != nil {
			return ferr
		}
		return s.showContact(rq, fe.status, o, c, contactView{Name: title, Comment: comment, Errors: fe.errors})
	}
	return redirect(rq, ownerPath(o.ID, "contacts", c.ID), "contactSaved")
}

// confirmDeleteContact serves GET .../contacts/{contact}/delete.
func (s *Server) confirmDeleteContact(rq *request) error {
	o, c, err := s.ownerContact(rq)
	if err != nil {
		return err
	}
	return s.confirm(rq, o, "contacts", confirmView{
		Question:    s.t(rq, "portal.contacts.deleteQuestion", nameOfContact(c)),
		Consequence: s.t(rq, "portal.contacts.deleteConsequence"),
		Action:      ownerPath(o.ID, "contacts", c.ID, "delete"),
		Submit:      s.t(rq, "portal.contacts.delete"),
		Cancel:      ownerPath(o.ID, "contacts", c.ID),
	})
}

// deleteContact serves POST .../contacts/{contact}/delete; the last Owner's contact stays,
// which its page says.
func (s *Server) deleteContact(rq *request) error {
	o, c, err := s.ownerContact(rq)
	if err != nil {
		return err
	}
	if err := s.svc.Contacts.DeleteContact(rq.ctx, o.ID, c.ID); err != nil {
		if !errors.Is(err, keyward.ErrLastOwner) {
			return err
		}
		return s.showContact(rq, keyward.ErrorOf(err).Kind.Status(), o, c, contactView{Name: deref(c.Title), Comment: deref(c.Comment),
			Errors: fieldErrors{"": s.t(rq, "portal.contacts.lastOwner")}})
	}
	return redirect(rq, ownerPath(o.ID, "contacts"), "contactDeleted")
}

// confirmRevokeContactGrants serves GET .../contacts/{contact}/revoke.
func (s *Server) confirmRevokeContactGrants(rq *request) error {
	o, c, err := s.ownerContact(rq)
	if err != nil {
		return err
	}
	return s.confirm(rq, o, "contacts", confirmView{
		Question:    s.t(rq, "portal.contacts.revokeQuestion", nameOfContact(c)),
		Consequence: s.t(rq, "portal.contacts.revokeConsequence"),
		Action:      ownerPath(o.ID, "contacts", c.ID, "revoke"),
		Submit:      s.t(rq, "portal.inventory.revokeAll"),
		Cancel:      ownerPath(o.ID, "contacts", c.ID),
	})
}

// revokeContactGrants serves POST .../contacts/{contact}/revoke.
func (s *Server) revokeContactGrants(rq *request) error {
	o, c, err := s.ownerContact(rq)
	if err != nil {
		return err
	}
	if _, err := s.svc.Grants.RevokeContactGrants(rq.ctx, o.ID, c.ID); err != nil {
		return err
	}
	return redirect(rq, ownerPath(o.ID, "contacts", c.ID), "contactGrantsRevoked")
}
