package httpapi

import (
	"net/http"

	"github.com/keyward/keyward/internal/keyward"
)

// handleContactList answers GET /Owners/{ownerId}/Contacts.
func (s *Server) handleContactList(w http.ResponseWriter, r *http.Request) error {
	q, err := listQuery(r)
	if err != nil {
		return err
	}
	contacts, err := s.contacts.FindContacts(r.Context(), r.PathValue("ownerId"), q)
	return writeList(w, contacts, q, err)
}

// handleContactCreate answers PUT /Owners/{ownerId}/Contacts in all three body forms; telling
// them apart is the Service's job.
func (s *Server) handleContactCreate(w http.ResponseWriter, r *http.Request) error {
	var c keyward.ContactCreate
	if err := s.decode(w, r, &c); err != nil {
		return err
	}
	ct, err := s.contacts.CreateContact(r.Context(), r.PathValue("ownerId"), c)
	return writeEntity(w, ct, err)
}

// handleContactGet answers GET /Owners/{ownerId}/Contacts/{contactId}.
func (s *Server) handleContactGet(w http.ResponseWriter, r *http.Request) error {
	ct, err := s.contacts.FindContact(r.Context(), r.PathValue("ownerId"), r.PathValue("contactId"))
	return writeEntity(w, ct, err)
}

// handleContactUpdate answers PATCH /Owners/{ownerId}/Contacts/{contactId} with the updated contact.
func (s *Server) handleContactUpdate(w http.ResponseWriter, r *http.Request) error {
	var u keyward.ContactUpdate
	if err := s.decode(w, r, &u); err != nil {
		return err
	}
	ct, err := s.contacts.UpdateContact(r.Context(), r.PathValue("ownerId"), r.PathValue("contactId"), u)
	return writeEntity(w, ct, err)
}

// handleContactDelete answers DELETE /Owners/{ownerId}/Contacts/{contactId} with 204.
func (s *Server) handleContactDelete(w http.ResponseWriter, r *http.Request) error {
	err := s.contacts.DeleteContact(r.Context(), r.PathValue("ownerId"), r.PathValue("contactId"))
	return writeNoContent(w, err)
}
