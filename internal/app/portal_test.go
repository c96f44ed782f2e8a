package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
)

// The portal's pages over HTTP, as a browser without JavaScript uses them. portalEnv adds to
// the fixture Polly, a person with a password who is a second Owner of account o1 and signs in
// on the sign-in page.
type portalEnv struct {
	*fixture
	polly *keyward.User
}

const pollyEmail = "polly@example.com"

func newPortalEnv(t *testing.T, f *fixture) *portalEnv {
	t.Helper()
	ctx := context.Background()
	polly, err := f.m.Service.CreateUser(asOperator(ctx), keyward.UserCreate{Email: pollyEmail, PasswordHash: patHash(), Verified: true})
	f.must(err)
	e := &portalEnv{fixture: f, polly: polly}
	email := pollyEmail
	c, err := f.m.Service.CreateContact(asUser(ctx, f.olivia), f.ids["o1"], keyward.ContactCreate{Identifier: &email})
	f.must(err)
	_, err = f.m.Service.CreatePermission(asUser(ctx, f.olivia), f.ids["o1"], keyward.PermissionCreate{ContactID: c.ID, Role: keyward.RoleOwner})
	f.must(err)
	e.seedPortal(t, ctx)
	return e
}

// seedPortal adds to account o1 one entity of every kind a portal route names, so that every
// wildcard of the route table has a value (portalPaths): the lock group "group" with lock1, the
// bound card "card", the guest's grant "grant" on lock1, Polly's OAuth client "client" and the
// identity provider "idp".
func (e *portalEnv) seedPortal(t *testing.T, ctx context.Context) {
	s, asOlivia := e.m.Service, asUser(ctx, e.olivia)
	g, err := s.CreateLockGroup(asOlivia, e.ids["o1"], keyward.LockGroupCreate{Title: "Ground floor"})
	e.must(err)
	e.ids["group"] = g.ID
	_, err = s.AddLockGroupMember(asOlivia, e.ids["o1"], g.ID, keyward.LockGroupMemberRequest{BoundLockID: e.ids["lock1"]})
	e.must(err)
	pc, err := s.RegisterCard(asOperator(ctx), 4)
	e.must(err)
	card, err := s.BindCard(asOlivia, e.ids["o1"], keyward.BindCardRequest{PhysicalCardID: &pc.ID, Title: apitest.Ptr("Blue card")})
	e.must(err)
	e.ids["card"] = card.ID
	gr, err := s.CreateGrant(asOlivia, e.ids["o1"], e.contactGrant("lock1", "guest"))
	e.must(err)
	e.ids["grant"] = gr.ID
	cl, _, err := s.CreateClient(asOperator(ctx), keyward.ClientCreate{Name: "Polly's App", Public: true, GrantTypes: []string{keyward.GrantAuthorizationCode},
		Scopes: []string{keyward.ScopeReadOwnerAccounts}, RedirectURIs: []string{"https://app.example/cb"}, OwnerEmail: pollyEmail})
	e.must(err)
	e.ids["client"] = cl.ID
	ip, err := s.CreateIdentityProvider(asOlivia, e.ids["o1"], keyward.IdentityProviderCreate{IPID: "acme.idp", Issuer: "https://login.acme.example",
		Audience: "tapkey_api", PublicKey: unescapeJSON(t, publicKeyPEM(t, 2048))})
	e.must(err)
	e.ids["idp"] = ip.ID
}

// forEachPortalEnv runs fn on every engine with a portalEnv.
func forEachPortalEnv(t *testing.T, fn func(t *testing.T, e *portalEnv)) {
	forEachEngine(t, func(t *testing.T, f *fixture) { fn(t, newPortalEnv(t, f)) })
}

// signedIn is a browser in which Polly has signed in.
func (e *portalEnv) signedIn(t *testing.T) *signInBrowser {
	t.Helper()
	b := &signInBrowser{Browser: apitest.NewBrowser(t, e.base), t: t}
	p := b.login("/account/login?return=/portal/", pollyEmail, patPassword)
	if p.Status != http.StatusSeeOther || p.Location() != e.base+"/portal/" {
		t.Fatalf("sign-in: status %d, Location %q, want 303 to /portal/", p.Status, p.Location())
	}
	return b
}

// submit posts the form with the id on page, with the page's hidden fields and the values.
func (b *signInBrowser) submit(page htmlPage, id, action string, values map[string]string) htmlPage {
	b.t.Helper()
	form := page.Form(b.t, id)
	for k, v := range values {
		form.Set(k, v)
	}
	return b.do(http.MethodPost, action, form)
}

// follow checks that p is a 303 to a path beginning with prefix and fetches it.
func (b *signInBrowser) follow(p htmlPage, prefix string) htmlPage {
	b.t.Helper()
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), prefix) {
		b.t.Fatalf("status %d, Location %q, want 303 to %s…\n%s", p.Status, p.Location(), prefix, p.Body)
	}
	return b.do(http.MethodGet, p.Location(), nil)
}

// wantPage checks a page's status and the text of the elements by id.
func wantPage(t *testing.T, p htmlPage, status int, texts map[string]string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("status %d, want %d\n%s", p.Status, status, p.Body)
	}
	for id, want := range texts {
		if got := strings.TrimSpace(p.Text(id)); got != want {
			t.Errorf("#%s = %q, want %q", id, got, want)
		}
	}
}

// portalPaths fills the wildcards of the portal's route patterns with entities of the fixture.
func (e *portalEnv) portalPaths(t *testing.T) map[string]string {
	t.Helper()
	values := map[string]string{"owner": e.ids["o1"], "permission": e.ids["oliviaPerm"], "lock": e.ids["lock1"],
		"contact": e.ids["guest"], "group": e.ids["group"], "card": e.ids["card"], "grant": e.ids["grant"],
		"client": e.ids["client"], "idp": e.ids["idp"]}
	wild := regexp.MustCompile(`\{([a-z]+)(\.\.\.)?\}`)
	paths := map[string]string{}
	for _, rt := range e.m.Portal.Routes() {
		path := strings.ReplaceAll(rt.Path, "{$}", "")
		path = wild.ReplaceAllStringFunc(path, func(m string) string {
			name := wild.FindStringSubmatch(m)[1]
			v, ok := values[name]
			if !ok {
				t.Fatalf("route %s: no fixture value for {%s}", rt.Pattern(), name)
			}
			return v
		})
		paths[rt.Pattern()] = path
	}
	return paths
}

// TestPortal_EveryRouteNeedsSessionAndFormToken sends every route of the portal's table signed
// out (each is a redirect to the sign-in page that comes back) and, signed in, every form
// without its CSRF token (400, nothing done).
func TestPortal_EveryRouteNeedsSessionAndFormToken(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		out := &signInBrowser{Browser: apitest.NewBrowser(t, e.base), t: t}
		in := e.signedIn(t)
		before := e.portalState(t)
		for pattern, path := range e.portalPaths(t) {
			method := strings.Fields(pattern)[0]
			t.Run(pattern, func(t *testing.T) {
				out.t, in.t = t, t
				var form url.Values
				if method == http.MethodPost {
					form = url.Values{"name": {"x"}}
				}
				p := out.do(method, path, form)
				want := e.base + "/account/login?return=" + url.QueryEscape(path)
				if method == http.MethodPost {
					want = e.base + "/account/login?return=%2Fportal"
				}
				if p.Status != http.StatusSeeOther || p.Location() != want {
					t.Errorf("signed out: status %d, Location %q, want 303 to %s", p.Status, p.Location(), want)
				}
				if method != http.MethodPost {
					return
				}
				p = in.do(method, path, form)
				wantPage(t, p, http.StatusBadRequest, map[string]string{"message": "This form has expired or was sent from another site. Please try again."})
			})
		}
		// Nothing was done by the refused forms: every entity a form could change is as before.
		if diff := gocmp.Diff(before, e.portalState(t)); diff != "" {
			t.Errorf("the refused forms changed what Polly sees (-before +after):\n%s", diff)
		}
	})
}

// TestPortal_Accounts covers the home page, creating and renaming an account, and another
// tenant's account.
func TestPortal_Accounts(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		b := e.signedIn(t)
		home := b.do(http.MethodGet, "/portal/", nil)
		wantPage(t, home, http.StatusOK, map[string]string{"signed-in": pollyEmail})
		if got := home.Find(`<ul id="owners"><li data-owner="([^"]+)"`); got != e.ids["o1"] {
			t.Errorf("first account = %q, want o1 %q", got, e.ids["o1"])
		}
		if strings.Contains(home.Body, e.ids["o2"]) {
			t.Error("the home page shows another tenant's account")
		}

		p := b.submit(home, "create-owner", "/portal/owners", map[string]string{"name": "  "})
		wantPage(t, p, http.StatusBadRequest, map[string]string{"name-error": `This request cannot be processed. Please check your entries and try again. (field "name" is required)`})

		page := b.follow(b.submit(home, "create-owner", "/portal/owners", map[string]string{"name": "Polly's Flat"}), "/portal/owners/")
		wantPage(t, page, http.StatusOK, map[string]string{"notice": "The owner account was created."})
		owners, err := e.m.Service.FindOwners(asUser(context.Background(), e.polly), nil)
		e.must(err)
		if len(owners) != 2 || owners[1].Name != "Polly's Flat" {
			t.Fatalf("owners = %v, want o1 and Polly's Flat", owners)
		}
		flat := owners[1].ID

		o1 := b.do(http.MethodGet, "/portal/owners/"+e.ids["o1"]+"/", nil)
		p = b.follow(b.submit(o1, "rename-owner", "/portal/owners/"+e.ids["o1"]+"/rename", map[string]string{"name": "Olivia's New Office"}), "/portal/owners/"+e.ids["o1"]+"/")
		wantPage(t, p, http.StatusOK, map[string]string{"notice": "The account was renamed."})
		if got, _ := e.admin.Owner(context.Background()); got == nil || got.Name != "Olivia's New Office" {
			t.Errorf("renamed owner = %+v", got)
		}

		p = b.do(http.MethodGet, "/portal/owners/"+e.ids["o2"]+"/", nil)
		wantPage(t, p, http.StatusForbidden, map[string]string{"message": "You do not have permission to do this."})
		p = b.do(http.MethodGet, "/portal/owners/"+flat+"/no-such-page", nil)
		wantPage(t, p, http.StatusNotFound, map[string]string{"message": "What you are looking for does not exist or no longer exists."})
	})
}

// TestPortal_Administrators invites an administrator by address, removes one after the
// confirmation page, and keeps the last Owner.
func TestPortal_Administrators(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		b := e.signedIn(t)
		base := "/portal/owners/" + e.ids["o1"] + "/permissions"
		page := b.do(http.MethodGet, base, nil)
		wantPage(t, page, http.StatusOK, nil)
		before, err := e.admin.Permissions(context.Background(), nil)
		e.must(err)
		if got := len(regexp.MustCompile(`<tr data-permission=`).FindAllString(page.Body, -1)); got != len(before) {
			t.Fatalf("%d administrators listed, want %d", got, len(before))
		}

		p := b.submit(page, "invite", base, map[string]string{"email": "not an address", "role": "Admin"})
		wantPage(t, p, http.StatusBadRequest, nil)
		if p.Text("email-error") == "" {
			t.Errorf("no error next to the address:\n%s", p.Body)
		}
		page = b.follow(b.submit(page, "invite", base, map[string]string{"email": "guest@example.com", "role": "Admin"}), base)
		wantPage(t, page, http.StatusOK, map[string]string{"notice": "The administrator was added."})
		perms, err := e.admin.Permissions(context.Background(), nil)
		e.must(err)
		var guestPerm *keyward.Permission
		for _, p := range perms {
			if p.ContactID == e.ids["guest"] {
				guestPerm = p
			}
		}
		if len(perms) != len(before)+1 || guestPerm == nil || guestPerm.Role != keyward.RoleAdmin {
			t.Fatalf("permissions = %+v, want the guest's Admin permission beside the two Owners", perms)
		}

		remove := base + "/" + guestPerm.ID + "/remove"
		confirm := b.do(http.MethodGet, remove, nil)
		wantPage(t, confirm, http.StatusOK, map[string]string{"question": "Remove guest@example.com, Administrator of this account?"})
		page = b.follow(b.submit(confirm, "confirm-form", remove, nil), base)
		wantPage(t, page, http.StatusOK, map[string]string{"notice": "The administrator was removed."})

		// Olivia's permission goes; then Polly is the last Owner and stays.
		b.follow(b.submit(b.do(http.MethodGet, base+"/"+e.ids["oliviaPerm"]+"/remove", nil), "confirm-form", base+"/"+e.ids["oliviaPerm"]+"/remove", nil), base)
		owner := keyward.RoleOwner
		perms, err = e.m.Store.FindPermissions(context.Background(), keyward.PermissionFilter{OwnerID: e.ids["o1"], Role: &owner})
		e.must(err)
		if len(perms) != 1 {
			t.Fatalf("permissions = %+v, want Polly's alone", perms)
		}
		last := base + "/" + perms[0].ID + "/remove"
		p = b.submit(b.do(http.MethodGet, last, nil), "confirm-form", last, nil)
		wantPage(t, p, http.StatusForbidden, map[string]string{"form-error": "The last Owner of an account cannot be removed. Make someone else an Owner first."})
	})
}

// TestPortal_Languages shows the portal in the browser's language and in the one the user
// picks, which wins from then on.
func TestPortal_Languages(t *testing.T) {
	forEachPortalEnv(t, func(t *testing.T, e *portalEnv) {
		b := e.signedIn(t)
		b.Lang = "de-AT,de;q=0.9"
		home := b.do(http.MethodGet, "/portal/", nil)
		if got := home.Find(`<html lang="([^"]+)"`); got != "de" {
			t.Fatalf("lang = %q, want de", got)
		}
		wantPage(t, home, http.StatusOK, map[string]string{"create-heading": "Eigentümerkonto anlegen"})
		p := b.submit(home, "language", "/portal/language", map[string]string{"lang": "fr", "return": "/portal/owners/" + e.ids["o1"] + "/permissions?notice=x"})
		if p.Status != http.StatusSeeOther || p.Location() != "/portal/owners/"+e.ids["o1"]+"/permissions" {
			t.Fatalf("status %d, Location %q", p.Status, p.Location())
		}
		home = b.do(http.MethodGet, "/portal/", nil)
		wantPage(t, home, http.StatusOK, map[string]string{"create-heading": "Créer un compte propriétaire"})
		if got := b.do(http.MethodGet, "/account", nil).Find(`<html lang="([^"]+)"`); got != "fr" {
			t.Errorf("the account page's lang = %q, want the picked fr", got)
		}
		p = b.submit(home, "language", "/portal/language", map[string]string{"lang": "xx", "return": "https://evil.example/"})
		wantPage(t, p, http.StatusBadRequest, nil)
		p = b.submit(home, "language", "/portal/language", map[string]string{"lang": "it", "return": "https://evil.example/"})
		if p.Location() != "/portal/" {
			t.Errorf("a foreign return went to %q, want /portal/", p.Location())
		}
	})
}

// unescapeJSON is the text of a JSON-escaped string.
func unescapeJSON(t *testing.T, s string) string {
	t.Helper()
	var v string
	if err := json.Unmarshal([]byte(`"`+s+`"`), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// portalState is what Polly can see and the portal's forms can change, as JSON by kind: her
// accounts and, in o1, its administrators, locks, groups, contacts, cards, grants and identity
// providers, and her OAuth clients.
func (e *portalEnv) portalState(t *testing.T) map[string]string {
	t.Helper()
	ctx, o := asUser(context.Background(), e.polly), e.ids["o1"]
	state := map[string]string{}
	add := func(kind string, v any, err error) {
		t.Helper()
		e.must(err)
		raw, err := json.Marshal(v)
		e.must(err)
		state[kind] = string(raw)
	}
	s := e.m.Services
	owners, err := s.Owners.FindOwners(ctx, nil)
	add("owners", owners, err)
	perms, err := s.Permissions.FindPermissions(ctx, o, nil)
	add("permissions", perms, err)
	locks, err := s.Locks.FindBoundLocks(ctx, o, nil)
	add("locks", locks, err)
	groups, err := s.LockGroups.FindLockGroups(ctx, o, nil)
	add("groups", groups, err)
	contacts, err := s.Contacts.FindContacts(ctx, o, nil)
	add("contacts", contacts, err)
	cards, err := s.Cards.FindBoundCards(ctx, o, nil)
	add("cards", cards, err)
	grants, err := s.Grants.FindGrants(ctx, o, nil)
	add("grants", grants, err)
	idps, err := s.IdentityProviders.FindIdentityProviders(ctx, o)
	add("idps", idps, err)
	clients, err := s.Clients.FindClients(ctx)
	add("clients", clients, err)
	return state
}
