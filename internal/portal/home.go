package portal

import (
	"net/http"
	"net/url"

	"github.com/keyward/keyward/internal/account"
	"github.com/keyward/keyward/internal/keyward"
)

// homeRoutes are the portal's own pages: the accounts the user administers, and the language.
func (s *Server) homeRoutes() []Route {
	return []Route{
		get(Root+"/{$}", s.home),
		post(Root+"/owners", s.createOwner),
		post(Root+"/language", s.setLanguage),
	}
}

// homeView is the data of the home page: the user's accounts and the form that creates one.
type homeView struct {
	Owners []*keyward.Owner
	Name   string // the create form's value after a refusal
	Errors fieldErrors
}

// home serves GET /portal/: the accounts the signed-in user administers.
func (s *Server) home(rq *request) error {
	return s.showHome(rq, http.StatusOK, homeView{})
}

func (s *Server) showHome(rq *request, status int, v homeView) error {
	owners, err := s.svc.Owners.FindOwners(rq.ctx, nil)
	if err != nil {
		return err
	}
	v.Owners = owners
	return s.render(rq, status, "home", pageData{Title: s.t(rq, "portal.home.title"), Section: "home", View: v})
}

// createOwner serves POST /portal/owners: a new account whose Owner is the user.
func (s *Server) createOwner(rq *request) error {
	name := rq.value("name")
	o, err := s.svc.Owners.CreateOwner(rq.ctx, keyward.OwnerCreate{Name: name})
	if err != nil {
		fe, ferr := s.fieldError(rq, err, "name")
		if ferr != nil {
			return ferr
		}
		return s.showHome(rq, fe.status, homeView{Name: name, Errors: fe.errors})
	}
	return redirect(rq, ownerPath(o.ID), "ownerCreated")
}

// setLanguage serves POST /portal/language: the language switch. The choice is kept in a
// cookie for a year, for the portal and the account pages, and the browser goes back to the
// page it came from.
func (s *Server) setLanguage(rq *request) error {
	lang := rq.value("lang")
	known := false
	for _, tag := range s.catalog.Languages() {
		known = known || tag == lang
	}
	if !known {
		return keyward.Invalidf("language %q is not offered", lang)
	}
	http.SetCookie(rq.w, &http.Cookie{Name: account.LanguageCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteLaxMode})
	rq.lang = lang
	return redirect(rq, localReturn(rq.value("return")), "")
}

// localReturn is a portal path to go back to, or the home page for anything else.
func localReturn(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !OwnsPath(u.Path) {
		return Root + "/"
	}
	q := u.Query()
	q.Del("notice")
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// secure reports whether the issuer is https, which makes the portal's cookie Secure.
func (s *Server) secure() bool { return len(s.cfg.Issuer) > 8 && s.cfg.Issuer[:8] == "https://" }
