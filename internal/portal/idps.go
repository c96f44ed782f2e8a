package portal

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

// idpRoutes are an account's identity providers: the list with the form that registers one, a
// provider's users, and its deletion after a confirmation.
func (s *Server) idpRoutes() []Route {
	p := Root + "/owners/{owner}/identity-providers"
	return []Route{
		get(p, s.idpsPage),
		post(p, s.createIDP),
		get(p+"/{idp}", s.idpUsersPage),
		get(p+"/{idp}/delete", s.confirmDeleteIDP),
		post(p+"/{idp}/delete", s.deleteIDP),
	}
}

// idpsView is the data of the identity providers page.
type idpsView struct {
	Owner  *keyward.Owner
	IDPs   []*keyward.IdentityProvider
	Form   keyward.IdentityProviderCreate
	Errors fieldErrors
}

// idpsPage serves GET .../identity-providers.
func (s *Server) idpsPage(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	return s.showIDPs(rq, http.StatusOK, o, idpsView{})
}

func (s *Server) showIDPs(rq *request, status int, o *keyward.Owner, v idpsView) error {
	list, err := s.svc.IdentityProviders.FindIdentityProviders(rq.ctx, o.ID)
	if err != nil {
		return err
	}
	v.Owner, v.IDPs = o, list
	return s.render(rq, status, "idps-list", pageData{Title: s.t(rq, "portal.idps.title"), Owner: o, Section: "idps", View: v})
}

// createIDP serves POST .../identity-providers. A plan without identity providers is 402, said
// above the form rather than next to a field.
func (s *Server) createIDP(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	c := keyward.IdentityProviderCreate{IPID: rq.value("ipId"), Issuer: rq.value("issuer"), Audience: rq.value("audience"),
		PublicKey: rq.form.Get("publicKey")}
	if _, err := s.svc.IdentityProviders.CreateIdentityProvider(rq.ctx, o.ID, c); err != nil {
		fe, ferr := s.fieldError(rq, err, "ipId", "issuer", "audience", "publicKey")
		if ferr != nil {
			return ferr
		}
		if fe.status == http.StatusPaymentRequired {
			fe.errors = fieldErrors{"": s.t(rq, "portal.idps.planLacks")}
		}
		return s.showIDPs(rq, fe.status, o, idpsView{Form: c, Errors: fe.errors})
	}
	return redirect(rq, ownerPath(o.ID, "identity-providers"), "idpCreated")
}

// idp loads the account and the request's {idp}.
func (s *Server) idp(rq *request) (*keyward.Owner, *keyward.IdentityProvider, error) {
	o, err := s.owner(rq)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.svc.IdentityProviders.FindIdentityProvider(rq.ctx, o.ID, rq.r.PathValue("idp"))
	return o, p, err
}

// idpPageSize is how many users a page of a provider's users shows.
const idpPageSize = 50

// idpUsersView is the data of a provider's page.
type idpUsersView struct {
	Owner      *keyward.Owner
	IDP        *keyward.IdentityProvider
	Users      []*keyward.IPUser
	From       int // the first user's position, counting from 1
	Prev, Next string
}

// idpUsersPage serves GET .../identity-providers/{idp}: the provider and its users, 50 a page
// (?skip=N): the users of one provider are few next to a log, so $skip serves.
func (s *Server) idpUsersPage(rq *request) error {
	o, p, err := s.idp(rq)
	if err != nil {
		return err
	}
	skip := 0
	if raw := rq.query("skip"); raw != "" {
		if skip, err = strconv.Atoi(raw); err != nil || skip < 0 {
			return keyward.Invalidf("skip must be a number of users, 0 or more, got %q", raw)
		}
	}
	q, err := odata.Parse(url.Values{"$top": {strconv.Itoa(idpPageSize + 1)}, "$skip": {strconv.Itoa(skip)}})
	if err != nil {
		return err
	}
	users, err := s.svc.IdentityProviders.FindIPUsers(rq.ctx, o.ID, p.ID, q)
	if err != nil {
		return err
	}
	v := idpUsersView{Owner: o, IDP: p, Users: users[:min(len(users), idpPageSize)], From: skip + 1}
	base := ownerPath(o.ID, "identity-providers", p.ID)
	if skip > 0 {
		v.Prev = base + "?skip=" + strconv.Itoa(max(0, skip-idpPageSize))
	}
	if len(users) > idpPageSize {
		v.Next = base + "?skip=" + strconv.Itoa(skip+idpPageSize)
	}
	return s.render(rq, http.StatusOK, "idps-users", pageData{Title: p.ID, Owner: o, Section: "idps", View: v})
}

// confirmDeleteIDP serves GET .../identity-providers/{idp}/delete.
func (s *Server) confirmDeleteIDP(rq *request) error {
	o, p, err := s.idp(rq)
	if err != nil {
		return err
	}
	return s.confirm(rq, o, "idps", confirmView{
		Question:    s.t(rq, "portal.idps.deleteQuestion", p.ID),
		Consequence: s.t(rq, "portal.idps.deleteConsequence"),
		Action:      ownerPath(o.ID, "identity-providers", p.ID, "delete"),
		Submit:      s.t(rq, "portal.idps.delete"),
		Cancel:      ownerPath(o.ID, "identity-providers"),
	})
}

// deleteIDP serves POST .../identity-providers/{idp}/delete: the provider goes with its users.
func (s *Server) deleteIDP(rq *request) error {
	o, p, err := s.idp(rq)
	if err != nil {
		return err
	}
	if err := s.svc.IdentityProviders.DeleteIdentityProvider(rq.ctx, o.ID, p.ID); err != nil {
		return err
	}
	return redirect(rq, ownerPath(o.ID, "identity-providers"), "idpDeleted")
}
