package httpapi

import (
	"net/http"

	"github.com/keyward/keyward/internal/keyward"
)

// handleIdentityProviderList answers GET /Owners/{ownerId}/IdentityProviders.
func (s *Server) handleIdentityProviderList(w http.ResponseWriter, r *http.Request) error {
	list, err := s.identityProviders.FindIdentityProviders(r.Context(), r.PathValue("ownerId"))
	return writeList(w, list, nil, err)
}

// handleIdentityProviderCreate answers PUT /Owners/{ownerId}/IdentityProviders.
func (s *Server) handleIdentityProviderCreate(w http.ResponseWriter, r *http.Request) error {
	var c keyward.IdentityProviderCreate
	if err := s.decode(w, r, &c); err != nil {
		return err
	}
	p, err := s.identityProviders.CreateIdentityProvider(r.Context(), r.PathValue("ownerId"), c)
	return writeEntity(w, p, err)
}

// handleIdentityProviderGet answers GET /Owners/{ownerId}/IdentityProviders/{ipId}.
func (s *Server) handleIdentityProviderGet(w http.ResponseWriter, r *http.Request) error {
	p, err := s.identityProviders.FindIdentityProvider(r.Context(), r.PathValue("ownerId"), r.PathValue("ipId"))
	return writeEntity(w, p, err)
}

// handleIdentityProviderDelete answers DELETE /Owners/{ownerId}/IdentityProviders/{ipId}.
func (s *Server) handleIdentityProviderDelete(w http.ResponseWriter, r *http.Request) error {
	return writeNoContent(w, s.identityProviders.DeleteIdentityProvider(r.Context(), r.PathValue("ownerId"), r.PathValue("ipId")))
}

// handleIPUserList answers GET /Owners/{ownerId}/IdentityProviders/{ipId}/Users. With
// ?ipUserId= it answers that one user as an object, not a list, as Tapkey does.
func (s *Server) handleIPUserList(w http.ResponseWriter, r *http.Request) error {
	vals, err := queryValues(r)
	if err != nil {
		return err
	}
	if ipUserID := stringParam(vals, "ipUserId"); ipUserID != nil {
		u, err := s.identityProviders.FindIPUser(r.Context(), r.PathValue("ownerId"), r.PathValue("ipId"), "", *ipUserID)
		return writeEntity(w, u, err)
	}
	q, err := listQuery(r)
	if err != nil {
		return err
	}
	list, err := s.identityProviders.FindIPUsers(r.Context(), r.PathValue("ownerId"), r.PathValue("ipId"), q)
	return writeList(w, list, q, err)
}

// handleIPUserCreate answers PUT /Owners/{ownerId}/IdentityProviders/{ipId}/Users.
func (s *Server) handleIPUserCreate(w http.ResponseWriter, r *http.Request) error {
	var c keyward.IPUserCreate
	if err := s.decode(w, r, &c); err != nil {
		return err
	}
	u, err := s.identityProviders.CreateIPUser(r.Context(), r.PathValue("ownerId"), r.PathValue("ipId"), c)
	return writeEntity(w, u, err)
}

// handleIPUserGet answers GET /Owners/{ownerId}/IdentityProviders/{ipId}/Users/{userId}.
func (s *Server) handleIPUserGet(w http.ResponseWriter, r *http.Request) error {
	u, err := s.identityProviders.FindIPUser(r.Context(), r.PathValue("ownerId"), r.PathValue("ipId"), r.PathValue("userId"), "")
	return writeEntity(w, u, err)
}

// handleIPUserUpdate answers PATCH /Owners/{ownerId}/IdentityProviders/{ipId}/Users/{userId}.
func (s *Server) handleIPUserUpdate(w http.ResponseWriter, r *http.Request) error {
	var up keyward.IPUserUpdate
	if err := s.decode(w, r, &up); err != nil {
		return err
	}
	u, err := s.identityProviders.UpdateIPUser(r.Context(), r.PathValue("ownerId"), r.PathValue("ipId"), r.PathValue("userId"), up)
	return writeEntity(w, u, err)
}
