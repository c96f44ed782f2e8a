package httpapi

import (
	"net/http"

	"github.com/keyward/keyward/internal/keyward"
)

// handlePermissionList answers GET /Owners/{ownerId}/Permissions.
func (s *Server) handlePermissionList(w http.ResponseWriter, r *http.Request) error {
	q, err := listQuery(r)
	if err != nil {
		return err
	}
	perms, err := s.permissions.FindPermissions(r.Context(), r.PathValue("ownerId"), q)
	return writeList(w, perms, q, err)
}

// handlePermissionCreate answers PUT /Owners/{ownerId}/Permissions: make a contact administrator.
func (s *Server) handlePermissionCreate(w http.ResponseWriter, r *http.Request) error {
	var c keyward.PermissionCreate
	if err := s.decode(w, r, &c); err != nil {
		return err
	}
	p, err := s.permissions.CreatePermission(r.Context(), r.PathValue("ownerId"), c)
	return writeEntity(w, p, err)
}

// handlePermissionGet answers GET /Owners/{ownerId}/Permissions/{permissionId}.
func (s *Server) handlePermissionGet(w http.ResponseWriter, r *http.Request) error {
	p, err := s.permissions.FindPermission(r.Context(), r.PathValue("ownerId"), r.PathValue("permissionId"))
	return writeEntity(w, p, err)
}

// handlePermissionDelete answers DELETE /Owners/{ownerId}/Permissions/{permissionId} with 204.
func (s *Server) handlePermissionDelete(w http.ResponseWriter, r *http.Request) error {
	err := s.permissions.DeletePermission(r.Context(), r.PathValue("ownerId"), r.PathValue("permissionId"))
	return writeNoContent(w, err)
}
