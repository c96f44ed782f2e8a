package httpapi

import (
	"net/http"

	"github.com/keyward/keyward/internal/keyward"
)

// handleBoundCardList answers GET /Owners/{ownerId}/BoundCards.
func (s *Server) handleBoundCardList(w http.ResponseWriter, r *http.Request) error {
	q, err := listQuery(r)
	if err != nil {
		return err
	}
	cards, err := s.cards.FindBoundCards(r.Context(), r.PathValue("ownerId"), q)
	return writeList(w, cards, q, err)
}

// handleBoundCardBind answers PUT /Owners/{ownerId}/BoundCards: bind a registered card.
func (s *Server) handleBoundCardBind(w http.ResponseWriter, r *http.Request) error {
	var req keyward.BindCardRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.cards.BindCard(r.Context(), r.PathValue("ownerId"), req)
	return writeEntity(w, c, err)
}

// handleBoundCardGet answers GET /Owners/{ownerId}/BoundCards/{boundCardId}.
func (s *Server) handleBoundCardGet(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cards.FindBoundCard(r.Context(), r.PathValue("ownerId"), r.PathValue("boundCardId"))
	return writeEntity(w, c, err)
}

// handleBoundCardUpdate answers PATCH /Owners/{ownerId}/BoundCards/{boundCardId} with 204, as
// Tapkey documents for cards (unlike the other PATCHes, which return the entity).
func (s *Server) handleBoundCardUpdate(w http.ResponseWriter, r *http.Request) error {
	var u keyward.BoundCardUpdate
	if err := s.decode(w, r, &u); err != nil {
		return err
	}
	err := s.cards.UpdateBoundCard(r.Context(), r.PathValue("ownerId"), r.PathValue("boundCardId"), u)
	return writeNoContent(w, err)
}
