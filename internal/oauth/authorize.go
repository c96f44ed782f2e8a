package oauth

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/account"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/param"
	"github.com/keyward/keyward/internal/token"
)

// authParamNames are the authorization request parameters Keyward reads (RFC 6749 §4.1.1,
// RFC 7636 §4.3, OAuth 2.0 Form Post Response Mode, OpenID Connect Core §3.1.2.1). The consent
// form carries exactly these; any other parameter is ignored.
func authParamNames() []string {
	return []string{"client_id", "redirect_uri", "response_type", "response_mode", "scope", "state",
		"code_challenge", "code_challenge_method", "nonce", "prompt", "max_age", "request", "request_uri"}
}

// authRequest is a validated authorization request. Once client and redirectURI are set, errors
// are answered through the redirect; before that, on an error page (RFC 6749 §4.1.2.1).
type authRequest struct {
	params       url.Values // the known parameters as received
	client       *keyward.Client
	redirectURI  string
	redirectSent bool   // the request named redirectURI rather than relying on the only one registered
	responseMode string // "query" or "form_post"
	scopes       []string
	prompts      []string // of prompt: none, login, consent
	maxAge       int      // of max_age in seconds, -1 without
}

// authorize serves GET and POST /connect/authorize: it validates the request, sends a signed-out
// browser to the sign-in page (which returns here) and shows the consent page to a signed-in one.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) error {
	params, err := authorizeParams(w, r)
	if err != nil {
		return err
	}
	req, err := s.validateAuthRequest(r.Context(), params)
	if err != nil {
		return s.refuse(w, r, req, err)
	}
	se, err := s.pages.Current(r)
	if err != nil {
		return err
	}
	again := se != nil && req.needsSignIn(se, s.cfg.Now())
	switch {
	case se == nil && req.prompt("none"):
		return s.refuse(w, r, req, loginRequired("the user is not signed in and prompt=none forbids asking"))
	case again && req.prompt("none"):
		return s.refuse(w, r, req, loginRequired("the user must sign in again (prompt=login or max_age) and prompt=none forbids asking"))
	case se == nil || again:
		http.Redirect(w, r, s.pages.LoginURL(req.signedInPath()), account.RedirectStatus(r))
		return nil
	case !se.User.Verified:
		return s.notVerified(r)
	}
	granted, err := s.findConsent(r.Context(), se.User.ID, req.client.ID)
	if err != nil {
		return err
	}
	missing := req.notGranted(granted)
	switch {
	case len(missing) == 0 && !req.prompt("consent"):
		return s.allow(w, r, req, se, false)
	case req.prompt("none"):
		return s.refuse(w, r, req, consentRequired("the user has not consented to %s for this client and prompt=none forbids asking", strings.Join(missing, " ")))
	case req.prompt("consent"):
		missing = req.scopes
	}
	return s.showConsent(w, r, req, se, missing, granted != nil)
}

// findConsent returns what the user has granted the client, nil for nothing yet.
func (s *Server) findConsent(ctx context.Context, userID, clientID string) (*keyward.Consent, error) {
	c, err := s.store.FindConsent(ctx, userID, clientID)
	if errors.Is(err, keyward.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("oauth: find consent: %w", err)
	}
	return c, nil
}

// notGranted returns the requested scopes the consent does not cover, in request order.
func (req *authRequest) notGranted(c *keyward.Consent) []string {
	if c == nil {
		return req.scopes
	}
	return slices.DeleteFunc(slices.Clone(req.scopes), c.Covers)
}

// prompt reports whether the request's prompt holds the value.
func (req *authRequest) prompt(value string) bool { return slices.Contains(req.prompts, value) }

// needsSignIn reports whether the user must sign in again (OpenID Connect Core §3.1.2.1):
// prompt=login, or a sign-in longer than max_age ago.
func (req *authRequest) needsSignIn(se *account.Session, now time.Time) bool {
	return req.prompt("login") || (req.maxAge >= 0 && int64(now.Sub(se.AuthTime.Time)/time.Second) > int64(req.maxAge))
}

// signedInPath is where a sign-in for the request returns: the request without prompt=login and
// max_age, which the fresh sign-in satisfies, so that it does not ask again (max_age=0 would,
// a moment later).
func (req *authRequest) signedInPath() string {
	v := url.Values{}
	for name, values := range req.params {
		v[name] = values
	}
	v.Del("max_age")
	if rest := slices.DeleteFunc(slices.Clone(req.prompts), func(p string) bool { return p == "login" }); len(rest) > 0 {
		v.Set("prompt", strings.Join(rest, " "))
	} else {
		v.Del("prompt")
	}
	return pathAuthorize + "?" + v.Encode()
}

// authorizeParams reads the request's parameters: the query of a GET, the form body of a POST
// (RFC 6749 §3.1 allows both).
func authorizeParams(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	if r.Method != http.MethodPost {
		return param.Query(r)
	}
	return param.Form(w, r)
}

// returnPath is the GET form of the request, where the sign-in page sends the browser back.
func (req *authRequest) returnPath() string { return pathAuthorize + "?" + req.params.Encode() }

// validateAuthRequest checks a request in the order RFC 6749 §4.1.2.1 implies: client and
// redirect URI first, so that nothing is ever sent to an unverified URI, then everything else.
func (s *Server) validateAuthRequest(ctx context.Context, all url.Values) (*authRequest, error) {
	params := url.Values{}
	for _, name := range authParamNames() {
		if vs, ok := all[name]; ok {
			params[name] = vs
		}
	}
	client, err := s.authClient(ctx, params)
	if err != nil {
		return nil, err
	}
	redirect, sent, err := redirectURI(client, params)
	if err != nil {
		return nil, err
	}
	req := &authRequest{params: params, client: client, redirectURI: redirect, redirectSent: sent, responseMode: "query", maxAge: -1}
	if err := req.check(); err != nil {
		return req, err
	}
	return req, nil
}

// redirectURI returns the request's redirect URI and whether the request named it: the one it
// names, which must equal a registered one exactly, or else the client's only registered URI
// (RFC 6749 §3.1.2.3). An OpenID Connect request must name it (Core §3.1.2.1).
func redirectURI(client *keyward.Client, params url.Values) (string, bool, error) {
	redirect := params.Get("redirect_uri")
	switch {
	case len(params["redirect_uri"]) > 1:
		return "", false, invalidRequest("the parameter 'redirect_uri' is repeated")
	case redirect != "" && !slices.Contains(client.RedirectURIs, redirect):
		return "", false, invalidRequest("the redirect_uri '%s' is not registered for the client '%s'; it must equal a registered URI exactly", redirect, client.ID)
	case redirect != "":
		return redirect, true, nil
	case slices.Contains(splitScope(params.Get("scope")), keyward.ScopeOpenID):
		return "", false, invalidRequest("redirect_uri is missing; an OpenID Connect request (scope openid) must send it")
	case len(client.RedirectURIs) != 1:
		return "", false, invalidRequest("redirect_uri is missing; the client '%s' has %d registered redirect URIs, so the request must name one", client.ID, len(client.RedirectURIs))
	}
	return client.RedirectURIs[0], false, nil
}

// authClient finds the request's client; its errors are shown on the error page.
func (s *Server) authClient(ctx context.Context, params url.Values) (*keyward.Client, error) {
	id := params.Get("client_id")
	switch {
	case len(params["client_id"]) > 1:
		return nil, invalidRequest("the parameter 'client_id' is repeated")
	case id == "":
		return nil, invalidRequest("client_id is missing")
	}
	client, err := s.store.FindClientByID(ctx, id)
	if errors.Is(err, keyward.ErrNotFound) {
		return nil, invalidRequest("the client '%s' is not registered", id)
	}
	if err != nil {
		return nil, fmt.Errorf("oauth: find client %s: %w", id, err)
	}
	return client, nil
}

// check validates what is answered through the redirect: response mode and type, grant, scopes
// and PKCE.
func (req *authRequest) check() error {
	switch mode := req.params.Get("response_mode"); mode {
	case "", "query":
	case "form_post":
		req.responseMode = "form_post"
	default:
		return invalidRequest("the response_mode '%s' is not supported; use query or form_post", mode)
	}
	for _, name := range authParamNames() {
		if len(req.params[name]) > 1 {
			return invalidRequest("the parameter '%s' is repeated; RFC 6749 section 3.1 allows each parameter once", name)
		}
	}
	p, client := req.params, req.client
	if !client.AllowsGrant(keyward.GrantAuthorizationCode) {
		return unauthorizedClient("the client '%s' is not registered for the authorization_code grant", client.ID)
	}
	switch rt := p.Get("response_type"); {
	case rt == "":
		return invalidRequest("response_type is missing")
	case rt != "code":
		return unsupportedResponseType("the response_type '%s' is not supported; use code", rt)
	}
	requested := splitScope(p.Get("scope"))
	if len(requested) == 0 {
		return invalidScope("scope is missing: name the scopes the client needs, separated by spaces")
	}
	var err error
	if req.scopes, err = checkScopes(client, requested); err != nil {
		return err
	}
	if err := checkChallenge(client, p.Get("code_challenge"), p.Get("code_challenge_method")); err != nil {
		return err
	}
	return req.checkOpenID()
}

// checkOpenID validates the parameters of OpenID Connect Core §3.1.2.1 that Keyward acts on
// (prompt, max_age) and refuses request objects, which it does not support (§6).
func (req *authRequest) checkOpenID() error {
	p := req.params
	switch {
	case p.Has("request"):
		return newError(http.StatusBadRequest, "request_not_supported", "request objects (the request parameter) are not supported")
	case p.Has("request_uri"):
		return newError(http.StatusBadRequest, "request_uri_not_supported", "request objects by reference (the request_uri parameter) are not supported")
	}
	req.prompts = splitScope(p.Get("prompt"))
	for _, v := range req.prompts {
		if !slices.Contains(promptValues(), v) {
			return invalidRequest("the prompt value '%s' is not supported; use none, login or consent", v)
		}
	}
	if req.prompt("none") && len(req.prompts) > 1 {
		return invalidRequest("prompt=none cannot be combined with other prompt values")
	}
	if p.Has("max_age") {
		n, err := strconv.Atoi(p.Get("max_age"))
		if err != nil || n < 0 {
			return invalidRequest("max_age must be a non-negative number of seconds")
		}
		req.maxAge = n
	}
	return nil
}

// promptValues are the prompt values Keyward serves, as the discovery document lists them.
func promptValues() []string { return []string{"none", "login", "consent"} }

// refuse answers an invalid request: on the error page when it has no trusted redirect URI
// yet, through the redirect otherwise. Errors that are not OAuth errors are server faults.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, req *authRequest, err error) error {
	oe, ok := asOAuthError(err)
	if req == nil || !ok {
		return err
	}
	s.log.InfoContext(r.Context(), "oauth: authorization request refused", "client_id", req.client.ID, "error", oe.code, "description", oe.description)
	return s.respond(w, r, req, url.Values{"error": {oe.code}, "error_description": {param.Sanitize(oe.description)}})
}

// respond sends the authorization response to the client: the values plus state, echoed
// exactly when the request had one, and iss (RFC 9207), with which a client that talks to
// several servers can tell which one answered (mix-up defence, RFC 9700 §4.4).
func (s *Server) respond(w http.ResponseWriter, r *http.Request, req *authRequest, v url.Values) error {
	if state, ok := req.params["state"]; ok && len(state) == 1 {
		v.Set("state", state[0])
	}
	v.Set("iss", s.cfg.Issuer)
	if req.responseMode == "form_post" {
		return s.pages.FormPost(w, r, req.redirectURI, account.HiddenFields(v))
	}
	sep := "?"
	switch {
	case strings.HasSuffix(req.redirectURI, "?"):
		sep = ""
	case strings.Contains(req.redirectURI, "?"):
		sep = "&" // RFC 6749 §3.1.2: the registered URI's query is kept
	}
	http.Redirect(w, r, req.redirectURI+sep+v.Encode(), account.RedirectStatus(r))
	return nil
}

// showConsent renders the consent page for the scopes to ask for. The form carries the request's
// parameters, which the consent handler validates again, so no authorization request is stored
// between the two.
func (s *Server) showConsent(w http.ResponseWriter, r *http.Request, req *authRequest, se *account.Session, ask []string, again bool) error {
	return s.pages.Consent(w, r, account.ConsentPage{Session: se, Client: cmp.Or(req.client.Name, req.client.ID), LogoURL: req.client.LogoURL,
		Again: again, Scopes: ask, Action: s.endpoint(pathConsent), Return: req.returnPath(), Params: account.HiddenFields(req.params)})
}

// notVerified is the EmailNotVerified refusal of a signed-in user whose address is unverified.
func (s *Server) notVerified(r *http.Request) error {
	return s.pages.Refusal(r, http.StatusForbidden, "page.error.notVerified", keyward.ErrEmailNotVerified.Code)
}

// consent serves POST /connect/consent, the consent page's form: the session and its CSRF token,
// the request validated again, then a code or access_denied for the client.
func (s *Server) consent(w http.ResponseWriter, r *http.Request) error {
	form, err := param.SingleForm(w, r)
	if err != nil {
		return err
	}
	se, err := s.pages.Current(r)
	if err != nil {
		return err
	}
	if se == nil {
		return s.pages.Refusal(r, http.StatusBadRequest, "page.error.signedOut", "")
	}
	if err := s.pages.CheckForm(r, se, form); err != nil {
		return err
	}
	req, err := s.validateAuthRequest(r.Context(), form)
	if err != nil {
		return s.refuse(w, r, req, err)
	}
	if !se.User.Verified {
		return s.notVerified(r)
	}
	switch form.Get("decision") {
	case "allow":
		return s.allow(w, r, req, se, true)
	case "deny":
		return s.refuse(w, r, req, accessDenied("the user denied the authorization request"))
	}
	return s.refuse(w, r, req, invalidRequest("the consent decision must be allow or deny"))
}

// allow answers the request with a new code, remembering the consent to its scopes when the
// user just gave it.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, req *authRequest, se *account.Session, remember bool) error {
	code, err := s.issueCode(r.Context(), req, se, remember)
	if err != nil {
		return err
	}
	return s.respond(w, r, req, url.Values{"code": {code}, "scope": {strings.Join(req.scopes, " ")}})
}

// issueCode stores a new code, the token family whatever it issues will belong to with the time
// the user signed in, and, when remember is set, the consent grown by the request's scopes, in
// one transaction. Only the code's hash is stored.
func (s *Server) issueCode(ctx context.Context, req *authRequest, se *account.Session, remember bool) (string, error) {
	now := s.cfg.Now()
	code := token.Random(32)
	user := se.User
	family := &keyward.TokenFamily{ID: keyward.NewID(now), ClientID: req.client.ID, UserID: user.ID, CreatedAt: keyward.NewTime(now), AuthTime: &se.AuthTime}
	ac := &keyward.AuthCode{
		Hash: token.Hash(code), ClientID: req.client.ID, UserID: user.ID, RedirectURI: req.redirectURI, RedirectURISent: req.redirectSent,
		Scopes: req.scopes, CodeChallenge: req.params.Get("code_challenge"), CodeChallengeMethod: req.params.Get("code_challenge_method"),
		Nonce: req.params.Get("nonce"), FamilyID: family.ID, CreatedAt: keyward.NewTime(now), ExpiresAt: keyward.NewTime(now.Add(AuthCodeLifetime)),
	}
	err := s.store.InTx(ctx, func(tx keyward.Tx) error {
		if err := tx.CreateTokenFamily(ctx, family); err != nil {
			return err
		}
		if err := tx.CreateAuthCode(ctx, ac); err != nil {
			return err
		}
		if !remember {
			return nil
		}
		return rememberConsent(ctx, tx, user.ID, req.client.ID, req.scopes, keyward.NewTime(now))
	})
	if err != nil {
		return "", fmt.Errorf("oauth: issue code: %w", err)
	}
	s.log.InfoContext(ctx, "oauth: authorization code issued", "client_id", req.client.ID, "user_id", user.ID, "family", family.ID)
	return code, nil
}

// rememberConsent adds scopes to the user's consent to the client.
func rememberConsent(ctx context.Context, tx keyward.Tx, userID, clientID string, scopes []string, now keyward.Time) error {
	c, err := tx.FindConsent(ctx, userID, clientID)
	switch {
	case errors.Is(err, keyward.ErrNotFound):
		c = &keyward.Consent{UserID: userID, ClientID: clientID, CreatedAt: now}
	case err != nil:
		return err
	}
	for _, sc := range scopes {
		if !slices.Contains(c.Scopes, sc) {
			c.Scopes = append(c.Scopes, sc)
		}
	}
	c.UpdatedAt = now
	return tx.SaveConsent(ctx, c)
}
