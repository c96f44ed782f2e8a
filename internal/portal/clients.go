package portal

import (
	"net/http"
	"slices"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/token"
)

// clientRoutes are the OAuth clients the signed-in user manages: the list with the form that
// registers one, a client's page with its redirect URIs and scopes, the secret's rotation and
// the client's deletion, each after a confirmation. The service decides which clients the user
// manages (the session principal); another user's client is 404.
func (s *Server) clientRoutes() []Route {
	c := Root + "/clients"
	return []Route{
		get(c, s.clientsPage),
		post(c, s.createClient),
		get(c+"/{client}", s.clientPage),
		post(c+"/{client}", s.updateClient),
		get(c+"/{client}/rotate", s.confirmRotateSecret),
		post(c+"/{client}/rotate", s.rotateSecret),
		get(c+"/{client}/delete", s.confirmDeleteClient),
		post(c+"/{client}/delete", s.deleteClient),
	}
}

// clientScopes are the scopes the forms offer, in the order they are shown: the Management
// API's, the mobile API's and OpenID Connect's (the legacy aliases are left out; they mean
// the write scopes).
var clientScopes = []string{
	keyward.ScopeReadOwnerAccounts, keyward.ScopeWriteOwnerAccounts, keyward.ScopeReadOwnerPermissions,
	keyward.ScopeWriteOwnerPermissions, keyward.ScopeReadCoreEntities, keyward.ScopeWriteCoreEntities,
	keyward.ScopeReadGrants, keyward.ScopeWriteGrants, keyward.ScopeReadIPUsers, keyward.ScopeWriteIPUsers,
	keyward.ScopeReadLogs, keyward.ScopeOfflineAccess, keyward.ScopeReadUser, keyward.ScopeRegisterMobiles,
	keyward.ScopeHandleKeys, keyward.ScopeOpenID, keyward.ScopeProfile, keyward.ScopeEmail,
}

// clientForm is the values of the create and edit forms, as typed.
type clientForm struct {
	Name         string
	Public       bool
	GrantTypes   []string
	RedirectURIs string // one per line
	Scopes       []string
}

// checkbox is one checkbox of a form.
type checkbox struct {
	Value   string
	Checked bool
}

func checkboxes(all, checked []string) []checkbox {
	out := make([]checkbox, len(all))
	for i, v := range all {
		out[i] = checkbox{Value: v, Checked: slices.Contains(checked, v)}
	}
	return out
}

// clientsView is the data of the clients page.
type clientsView struct {
	Clients    []*keyward.Client
	Form       clientForm
	GrantTypes []checkbox
	Scopes     []checkbox
	Errors     fieldErrors
}

// clientsPage serves GET /portal/clients.
func (s *Server) clientsPage(rq *request) error {
	return s.showClients(rq, http.StatusOK, clientsView{Form: clientForm{GrantTypes: []string{keyward.GrantAuthorizationCode, keyward.GrantRefreshToken}}})
}

func (s *Server) showClients(rq *request, status int, v clientsView) error {
	list, err := s.svc.Clients.FindClients(rq.ctx)
	if err != nil {
		return err
	}
	v.Clients = list
	v.GrantTypes, v.Scopes = checkboxes(keyward.UserGrantTypes, v.Form.GrantTypes), checkboxes(clientScopes, v.Form.Scopes)
	return s.render(rq, status, "clients-list", pageData{Title: s.t(rq, "portal.clients.title"), Section: "clients", View: v})
}

// redirectLines are the redirect URIs of a textarea, one per line, blank lines left out.
func redirectLines(text string) []string {
	uris := []string{}
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			uris = append(uris, line)
		}
	}
	return uris
}

// createClient serves POST /portal/clients. A confidential client's secret is made here, shown
// on the answer (200, never in a URL) and stored only as its hash.
func (s *Server) createClient(rq *request) error {
	f := clientForm{Name: rq.value("name"), Public: rq.value("kind") == "public", GrantTypes: rq.form["grant_type"],
		RedirectURIs: rq.form.Get("redirect_uris"), Scopes: rq.form["scope"]}
	spec := keyward.ClientCreate{Name: f.Name, Public: f.Public, GrantTypes: f.GrantTypes, RedirectURIs: redirectLines(f.RedirectURIs),
		Scopes: f.Scopes}
	var secret string
	if !f.Public {
		secret, spec.SecretHash = token.NewClientSecret()
	}
	c, _, err := s.svc.Clients.CreateClient(rq.ctx, spec)
	if err != nil {
		fe, ferr := s.fieldError(rq, err, clientField(err, "name"), "name", "public", "grantTypes", "redirectUris", "scopes")
		if ferr != nil {
			return ferr
		}
		return s.showClients(rq, fe.status, clientsView{Form: f, Errors: fe.errors})
	}
	if f.Public {
		return redirect(rq, Root+"/clients/"+c.ID, "clientCreated")
	}
	return s.showSecret(rq, c, secret, "portal.clients.created")
}

// secretView is the data of the page that shows a new secret, the only time it is shown.
type secretView struct {
	Client *keyward.Client
	Secret string
	Text   string
}

func (s *Server) showSecret(rq *request, c *keyward.Client, secret, textKey string) error {
	return s.render(rq, http.StatusOK, "clients-secret", pageData{Title: c.Name, Section: "clients",
		View: secretView{Client: c, Secret: secret, Text: s.t(rq, textKey)}})
}

// client finds the request's {client} among those the user manages.
func (s *Server) client(rq *request) (*keyward.Client, error) {
	id := rq.r.PathValue("client")
	list, err := s.svc.Clients.FindClients(rq.ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		if c.ID == id {
			return c, nil
		}
	}
	return nil, keyward.ErrNotFound.WithDetails("the user manages no client %q", id)
}

// clientView is the data of a client's page.
type clientView struct {
	Client *keyward.Client
	Form   clientForm
	Scopes []checkbox
	Errors fieldErrors
}

// clientPage serves GET /portal/clients/{client}.
func (s *Server) clientPage(rq *request) error {
	c, err := s.client(rq)
	if err != nil {
		return err
	}
	return s.showClient(rq, http.StatusOK, c, clientForm{RedirectURIs: strings.Join(c.RedirectURIs, "\n"), Scopes: c.Scopes}, nil)
}

func (s *Server) showClient(rq *request, status int, c *keyward.Client, f clientForm, errs fieldErrors) error {
	v := clientView{Client: c, Form: f, Scopes: checkboxes(clientScopes, f.Scopes), Errors: errs}
	return s.render(rq, status, "clients-edit", pageData{Title: c.Name, Section: "clients", View: v})
}

// updateClient serves POST /portal/clients/{client}: its redirect URIs and scopes, which apply
// from the next token request on.
func (s *Server) updateClient(rq *request) error {
	c, err := s.client(rq)
	if err != nil {
		return err
	}
	f := clientForm{RedirectURIs: rq.form.Get("redirect_uris"), Scopes: rq.form["scope"]}
	scopes := f.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	if _, err := s.svc.Clients.UpdateClient(rq.ctx, c.ID, keyward.ClientUpdate{RedirectURIs: redirectLines(f.RedirectURIs), Scopes: scopes}); err != nil {
		fe, ferr := s.fieldError(rq, err, clientField(err, "redirectUris"), "redirectUris", "scopes")
		if ferr != nil {
			return ferr
		}
		return s.showClient(rq, fe.status, c, f, fe.errors)
	}
	return redirect(rq, Root+"/clients/"+c.ID, "clientUpdated")
}

// clientField is the field a refusal of a client's form concerns where its details name no
// field: a redirect URI's or a scope's, else fallback.
func clientField(err error, fallback string) string {
	e := keyward.ErrorOf(err)
	switch {
	case e == nil:
	case strings.Contains(e.Details, "redirect URI"):
		return "redirectUris"
	case strings.Contains(e.Details, "scope"):
		return "scopes"
	}
	return fallback
}

// confirmRotateSecret serves GET .../rotate.
func (s *Server) confirmRotateSecret(rq *request) error {
	c, err := s.client(rq)
	if err != nil {
		return err
	}
	return s.confirm(rq, nil, "clients", confirmView{
		Question:    s.t(rq, "portal.clients.rotateQuestion", c.Name),
		Consequence: s.t(rq, "portal.clients.rotateConsequence"),
		Action:      Root + "/clients/" + c.ID + "/rotate",
		Submit:      s.t(rq, "portal.clients.rotate"),
		Cancel:      Root + "/clients/" + c.ID,
	})
}

// rotateSecret serves POST .../rotate: a new secret replaces the old one, which stops working at
// once; the new one is shown now and never again.
func (s *Server) rotateSecret(rq *request) error {
	c, err := s.client(rq)
	if err != nil {
		return err
	}
	secret, hash := token.NewClientSecret()
	if c, err = s.svc.Clients.UpdateClient(rq.ctx, c.ID, keyward.ClientUpdate{SecretHash: &hash}); err != nil {
		return err
	}
	return s.showSecret(rq, c, secret, "portal.clients.rotated")
}

// confirmDeleteClient serves GET .../delete.
func (s *Server) confirmDeleteClient(rq *request) error {
	c, err := s.client(rq)
	if err != nil {
		return err
	}
	return s.confirm(rq, nil, "clients", confirmView{
		Question:    s.t(rq, "portal.clients.deleteQuestion", c.Name),
		Consequence: s.t(rq, "portal.clients.deleteConsequence"),
		Action:      Root + "/clients/" + c.ID + "/delete",
		Submit:      s.t(rq, "portal.clients.delete"),
		Cancel:      Root + "/clients/" + c.ID,
	})
}

// deleteClient serves POST .../delete; the client's tokens stop working at once.
func (s *Server) deleteClient(rq *request) error {
	c, err := s.client(rq)
	if err != nil {
		return err
	}
	if err := s.svc.Clients.DeleteClient(rq.ctx, c.ID); err != nil {
		return err
	}
	return redirect(rq, Root+"/clients", "clientDeleted")
}
