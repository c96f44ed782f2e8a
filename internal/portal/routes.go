package portal

import (
	"net/http"
	"strings"
)

// Route is one page of the portal: its method, its path pattern (http.ServeMux syntax, with
// {name} wildcards) and its handler. Tests generate requests from this table.
type Route struct {
	Method, Path string
	handler      handlerFunc
}

// Pattern is the route's http.ServeMux pattern.
func (rt Route) Pattern() string { return rt.Method + " " + rt.Path }

// Routes lists every page, area by area.
func (s *Server) Routes() []Route {
	var all []Route
	areas := []func() []Route{s.homeRoutes, s.ownerRoutes, s.lockRoutes, s.groupRoutes, s.contactRoutes, s.cardRoutes,
		s.grantRoutes, s.logRoutes, s.clientRoutes, s.idpRoutes}
	for _, area := range areas {
		all = append(all, area()...)
	}
	return all
}

// get and post make the routes of one area.
func get(path string, h handlerFunc) Route  { return Route{http.MethodGet, path, h} }
func post(path string, h handlerFunc) Route { return Route{http.MethodPost, path, h} }

// ownerPath is the path of a page of an owner account: ownerPath(id, "locks") is
// /portal/owners/{id}/locks.
func ownerPath(ownerID string, parts ...string) string {
	return Root + "/owners/" + ownerID + "/" + strings.Join(parts, "/")
}
