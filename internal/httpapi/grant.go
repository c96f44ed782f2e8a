package httpapi

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// handleGrantList answers GET /Owners/{ownerId}/Grants.
func (s *Server) handleGrantList(w http.ResponseWriter, r *http.Request) error {
	q, err := listQuery(r)
	if err != nil {
		return err
	}
	grants, err := s.grants.FindGrants(r.Context(), r.PathValue("ownerId"), q)
	return writeList(w, grants, q, err)
}

// handleBoundCardGrantList answers GET /Owners/{ownerId}/BoundCards/{boundCardId}/Grants.
func (s *Server) handleBoundCardGrantList(w http.ResponseWriter, r *http.Request) error {
	q, err := listQuery(r)
	if err != nil {
		return err
	}
	grants, err := s.grants.FindBoundCardGrants(r.Context(), r.PathValue("ownerId"), r.PathValue("boundCardId"), q)
	return writeList(w, grants, q, err)
}

// handleGrantCreate answers PUT /Owners/{ownerId}/Grants; dryRun may come in the body or the query.
func (s *Server) handleGrantCreate(w http.ResponseWriter, r *http.Request) error {
	var req keyward.GrantCreate
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	dry, err := dryRunQuery(r)
	if err != nil {
		return err
	}
	req.DryRun = req.DryRun || dry
	g, err := s.grants.CreateGrant(r.Context(), r.PathValue("ownerId"), req)
	return writeEntity(w, g, err)
}

// handleGrantGet answers GET /Owners/{ownerId}/Grants/{grantId}.
func (s *Server) handleGrantGet(w http.ResponseWriter, r *http.Request) error {
	g, err := s.grants.FindGrant(r.Context(), r.PathValue("ownerId"), r.PathValue("grantId"))
	return writeEntity(w, g, err)
}

// handleGrantRevoke answers POST (or PUT) /Owners/{ownerId}/Grants/{grantId}/Revoke. The body is
// optional; clients send ?dryRun=false and {"dryRun":false}.
func (s *Server) handleGrantRevoke(w http.ResponseWriter, r *http.Request) error {
	var req keyward.RevokeRequest
	if err := s.decodeOptional(w, r, &req); err != nil {
		return err
	}
	dry, err := dryRunQuery(r)
	if err != nil {
		return err
	}
	g, err := s.grants.RevokeGrant(r.Context(), r.PathValue("ownerId"), r.PathValue("grantId"), req.DryRun || dry)
	return writeEntity(w, g, err)
}

// handleGrantDeleteFromCard answers POST /Owners/{ownerId}/Grants/{grantId}/DeleteFromCard.
func (s *Server) handleGrantDeleteFromCard(w http.ResponseWriter, r *http.Request) error {
	g, err := s.grants.DeleteGrantFromCard(r.Context(), r.PathValue("ownerId"), r.PathValue("grantId"))
	return writeEntity(w, g, err)
}

// handleContactRevokeGrants answers POST /Owners/{ownerId}/Contacts/{contactId}/RevokeGrants with
// the grants it revoked.
func (s *Server) handleContactRevokeGrants(w http.ResponseWriter, r *http.Request) error {
	grants, err := s.grants.RevokeContactGrants(r.Context(), r.PathValue("ownerId"), r.PathValue("contactId"))
	return writeList(w, grants, nil, err)
}

// handleBoundCardRevokeGrants answers POST /Owners/{ownerId}/BoundCards/{boundCardId}/RevokeGrants.
func (s *Server) handleBoundCardRevokeGrants(w http.ResponseWriter, r *http.Request) error {
	grants, err := s.grants.RevokeBoundCardGrants(r.Context(), r.PathValue("ownerId"), r.PathValue("boundCardId"))
	return writeList(w, grants, nil, err)
}

// handleGrantWindows answers GET /Owners/{ownerId}/Grants/{grantId}/Windows?from=&to=, as JSON or,
// for Accept: text/calendar, as an iCalendar file with one event per window.
func (s *Server) handleGrantWindows(w http.ResponseWriter, r *http.Request) error {
	vals, err := queryValues(r)
	if err != nil {
		return err
	}
	from, err := timeParam(vals, "from")
	if err != nil {
		return err
	}
	to, err := timeParam(vals, "to")
	if err != nil {
		return err
	}
	res, err := s.grants.GrantWindows(r.Context(), r.PathValue("ownerId"), r.PathValue("grantId"), from, to)
	if err != nil {
		return err
	}
	if strings.Contains(r.Header.Get("Accept"), "text/calendar") {
		return writeCalendar(w, res)
	}
	return writeJSON(w, http.StatusOK, res)
}

// handleAccessCheck answers GET /Owners/{ownerId}/BoundLocks/{boundLockId}/AccessCheck.
func (s *Server) handleAccessCheck(w http.ResponseWriter, r *http.Request) error {
	vals, err := queryValues(r)
	if err != nil {
		return err
	}
	at, err := timeParam(vals, "at")
	if err != nil {
		return err
	}
	d, err := s.grants.AccessCheck(r.Context(), r.PathValue("ownerId"), r.PathValue("boundLockId"),
		stringParam(vals, "contactId"), stringParam(vals, "boundCardId"), at)
	return writeEntity(w, d, err)
}

// decodeOptional decodes a JSON object body when there is one; an empty body leaves v as it is.
func (s *Server) decodeOptional(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	return decodeJSON(body, v)
}

// dryRunQuery reads ?dryRun=true|false (any case); absent is false.
func dryRunQuery(r *http.Request) (bool, error) {
	vals, err := queryValues(r)
	if err != nil {
		return false, err
	}
	v := stringParam(vals, "dryRun")
	if v == nil {
		return false, nil
	}
	b, err := strconv.ParseBool(strings.ToLower(*v))
	if err != nil {
		return false, keyward.Invalidf("query parameter %q must be true or false, got %q", "dryRun", *v)
	}
	return b, nil
}

// stringParam returns a query parameter matched case-insensitively by name, or nil.
func stringParam(vals url.Values, name string) *string {
	for k, v := range vals {
		if strings.EqualFold(k, name) && len(v) > 0 && v[0] != "" {
			return &v[0]
		}
	}
	return nil
}

// timeParam parses an RFC 3339 query parameter.
func timeParam(vals url.Values, name string) (*keyward.Time, error) {
	v := stringParam(vals, name)
	if v == nil {
		return nil, nil
	}
	t, err := keyward.ParseTime(*v)
	if err != nil {
		return nil, keyward.Invalidf("query parameter %q: %v", name, err)
	}
	return &t, nil
}

// writeCalendar renders the windows as an iCalendar file, one UTC event per window.
func writeCalendar(w http.ResponseWriter, res *keyward.GrantWindows) error {
	const stamp = "20060102T150405Z"
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Keyward//Access windows//EN\r\nCALSCALE:GREGORIAN\r\n")
	for i, win := range res.Windows {
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:%s-%d@keyward\r\nDTSTAMP:%s\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Access window\r\nEND:VEVENT\r\n",
			res.GrantID, i, res.From.UTC().Format(stamp), win.Start.UTC().Format(stamp), win.End.UTC().Format(stamp))
	}
	b.WriteString("END:VCALENDAR\r\n")
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="grant-`+res.GrantID+`.ics"`)
	w.WriteHeader(http.StatusOK)
	_, err := io.WriteString(w, b.String())
	return err
}
