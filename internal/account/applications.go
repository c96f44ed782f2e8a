package account

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/param"
)

// accountView is the data of the account page.
type accountView struct {
	Email, CSRF, LogoutAction, WithdrawAction string
	Apps                                      []appView
}

// accountPage serves GET /account: who is signed in, the applications the user has authorized,
// each with a button to withdraw its access, and the sign-out button.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	se, err := s.Current(r)
	if err != nil {
		return err
	}
	if se == nil {
		http.Redirect(w, r, s.LoginURL(pathAccount), http.StatusFound)
		return nil
	}
	apps, err := s.authorizedApps(r, se.User.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "account", pageData{Title: s.t(r, "page.account.title"),
		View: accountView{Email: se.User.Email, CSRF: s.csrfToken(se.raw), LogoutAction: s.endpoint(pathLogout),
			WithdrawAction: s.endpoint(pathWithdraw), Apps: apps}})
}

// appView is one application on the account page: a client the user has consented to.
type appView struct {
	ClientID, Name, Since string
	Scopes                []scopeView
}

// authorizedApps lists the clients the user has consented to, oldest consent first.
func (s *Server) authorizedApps(r *http.Request, userID string) ([]appView, error) {
	consents, err := s.store.FindConsents(r.Context(), userID)
	if err != nil {
		return nil, fmt.Errorf("account: find consents: %w", err)
	}
	ids := make([]string, len(consents))
	for i, c := range consents {
		ids[i] = c.ClientID
	}
	clients, err := s.store.FindClientsByID(r.Context(), ids)
	if err != nil {
		return nil, fmt.Errorf("account: find clients: %w", err)
	}
	byID := make(map[string]*keyward.Client, len(clients))
	for _, c := range clients {
		byID[c.ID] = c
	}
	apps := make([]appView, 0, len(consents))
	for _, c := range consents {
		client := byID[c.ClientID]
		if client == nil { // a consent's client cannot be deleted without it (foreign key)
			return nil, fmt.Errorf("account: client %s of a consent is missing", c.ClientID)
		}
		apps = append(apps, s.describeApp(r, c, client))
	}
	return apps, nil
}

// appOf describes the client of a consent for the account pages.
func (s *Server) appOf(r *http.Request, c *keyward.Consent) (*appView, error) {
	client, err := s.store.FindClientByID(r.Context(), c.ClientID)
	if err != nil {
		return nil, fmt.Errorf("account: find client %s: %w", c.ClientID, err)
	}
	app := s.describeApp(r, c, client)
	return &app, nil
}

// describeApp is how the account pages show a consent to a client.
func (s *Server) describeApp(r *http.Request, c *keyward.Consent, client *keyward.Client) appView {
	return appView{ClientID: client.ID, Name: cmp.Or(client.Name, client.ID),
		Since: c.CreatedAt.UTC().Format("2006-01-02"), Scopes: s.describeScopes(s.lang(r), c.Scopes)}
}

// withdrawView is the data of the confirmation page of a withdrawal.
type withdrawView struct{ Name, ClientID, Action, CSRF, CancelURL string }

// withdrawPage serves GET /account/applications/withdraw?client_id=...: the question whether the
// user really wants to withdraw the application's access, whose form posts back here.
func (s *Server) withdrawPage(w http.ResponseWriter, r *http.Request) error {
	se, app, err := s.withdrawal(w, r, r.URL.Query().Get("client_id"))
	if se == nil || err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "withdraw", pageData{Title: s.t(r, "page.withdraw.title"), View: withdrawView{
		Name: app.Name, ClientID: app.ClientID, Action: s.endpoint(pathWithdraw), CSRF: s.csrfToken(se.raw), CancelURL: s.endpoint(pathAccount),
	}})
}

// withdraw serves POST /account/applications/withdraw: it deletes the user's consent to the client
// and revokes the client's token families of the user, so that its refresh and access tokens
// stop working at once, on every node.
func (s *Server) withdraw(w http.ResponseWriter, r *http.Request) error {
	form, err := param.SingleForm(w, r)
	if err != nil {
		return err
	}
	se, app, err := s.withdrawal(w, r, form.Get("client_id"))
	if se == nil || err != nil {
		return err
	}
	if text := s.formRefusal(r, se.raw, form); text != "" {
		return &pageError{status: http.StatusBadRequest, title: s.t(r, "page.error.title"), view: messageView{Text: text, LinkURL: s.endpoint(pathAccount), LinkText: s.t(r, "page.link.account")}}
	}
	if err := s.revokeConsent(r.Context(), se.User.ID, app.ClientID); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "account: consent withdrawn", "user_id", se.User.ID, "client_id", app.ClientID)
	return s.render(w, r, http.StatusOK, "message", pageData{Title: s.t(r, "page.withdraw.doneTitle"),
		View: messageView{Text: s.t(r, "page.withdraw.doneText", app.Name), LinkURL: s.endpoint(pathAccount), LinkText: s.t(r, "page.link.account")}})
}

// withdrawal finds the session and the application of a withdrawal. A signed-out browser is sent
// to sign in first (nil session, nil error); an application the user has not authorized is
// refused with a page.
func (s *Server) withdrawal(w http.ResponseWriter, r *http.Request, clientID string) (*Session, *appView, error) {
	se, err := s.Current(r)
	if err != nil || se == nil {
		if err == nil {
			http.Redirect(w, r, s.LoginURL(pathAccount), RedirectStatus(r))
		}
		return nil, nil, err
	}
	c, err := s.store.FindConsent(r.Context(), se.User.ID, clientID)
	if errors.Is(err, keyward.ErrNotFound) {
		return nil, nil, &pageError{status: http.StatusNotFound, title: s.t(r, "page.error.title"),
			view: messageView{Text: s.t(r, "page.withdraw.unknown"), LinkURL: s.endpoint(pathAccount), LinkText: s.t(r, "page.link.account")}}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("account: find consent: %w", err)
	}
	app, err := s.appOf(r, c)
	return se, app, err
}

// revokeConsent deletes a consent and revokes the client's families of the user in one
// transaction; a consent deleted meanwhile (another tab) is fine.
func (s *Server) revokeConsent(ctx context.Context, userID, clientID string) error {
	err := s.store.InTx(ctx, func(tx keyward.Tx) error {
		if err := tx.DeleteConsent(ctx, userID, clientID); err != nil && !errors.Is(err, keyward.ErrNotFound) {
			return err
		}
		return tx.RevokeTokenFamilies(ctx, clientID, userID, s.now())
	})
	if err != nil {
		return fmt.Errorf("account: withdraw consent of user %s to client %s: %w", userID, clientID, err)
	}
	return nil
}
