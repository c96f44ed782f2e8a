package httpapi

import (
	"net/http"

	"github.com/keyward/keyward/internal/keyward"
)

// handleOwnerList answers GET /Owners: the owner accounts the caller may manage.
func (s *Server) handleOwnerList(w http.ResponseWriter, r *http.Request) error {
	q, err := listQuery(r)
	if err != nil {
		return err
	}
	owners, err := s.owners.FindOwners(r.Context(), q)
	return writeList(w, owners, q, err)
}

// handleOwnerCreate answers PUT /Owners: create is PUT on the collection, Tapkey style.
func (s *Server) handleOwnerCreate(w http.ResponseWriter, r *http.Request) error {
	var c keyward.OwnerCreate
	if err := s.decode(w, r, &c); err != nil {
		return err
	}
	o, err := s.owners.CreateOwner(r.Context(), c)
	return writeEntity(w, o, err)
}

// handleOwnerGet answers GET /Owners/{ownerId}.
func (s *Server) handleOwnerGet(w http.ResponseWriter, r *http.Request) error {
	o, err := s.owners.FindOwner(r.Context(), r.PathValue("ownerId"))
	return writeEntity(w, o, err)
}

// handleOwnerUpdate answers PATCH /Owners/{ownerId} with the updated owner account.
func (s *Server) handleOwnerUpdate(w http.ResponseWriter, r *http.Request) error {
	var u keyward.OwnerUpdate
	if err := s.decode(w, r, &u); err != nil {
		return err
	}
	o, err := s.owners.UpdateOwner(r.Context(), r.PathValue("ownerId"), u)
	return writeEntity(w, o, err)
}
