package httpapi

import (
	"net/http"

	"github.com/keyward/keyward/internal/keyward"
)

// handleBoundLockList answers GET /Owners/{ownerId}/BoundLocks; the query may carry expand.
func (s *Server) handleBoundLockList(w http.ResponseWriter, r *http.Request) error {
	q, err := listQuery(r)
	if err != nil {
		return err
	}
	locks, err := s.locks.FindBoundLocks(r.Context(), r.PathValue("ownerId"), q)
	return writeList(w, locks, q, err)
}

// handleBoundLockBind answers PUT /Owners/{ownerId}/BoundLocks: bind a lock by its binding code.
func (s *Server) handleBoundLockBind(w http.ResponseWriter, r *http.Request) error {
	var req keyward.BindLockRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	l, err := s.locks.BindLock(r.Context(), r.PathValue("ownerId"), req)
	return writeEntity(w, l, err)
}

// handleBoundLockGet answers GET /Owners/{ownerId}/BoundLocks/{boundLockId}[?expand=...].
func (s *Server) handleBoundLockGet(w http.ResponseWriter, r *http.Request) error {
	expand, err := expandQuery(r)
	if err != nil {
		return err
	}
	l, err := s.locks.FindBoundLock(r.Context(), r.PathValue("ownerId"), r.PathValue("boundLockId"), expand)
	return writeEntity(w, l, err)
}

// handleBoundLockPropagation answers GET /Owners/{ownerId}/BoundLocks/{boundLockId}/Propagation.
func (s *Server) handleBoundLockPropagation(w http.ResponseWriter, r *http.Request) error {
	p, err := s.locks.FindLockPropagation(r.Context(), r.PathValue("ownerId"), r.PathValue("boundLockId"))
	return writeEntity(w, p, err)
}

// handleBoundLockUpdate answers PATCH /Owners/{ownerId}/BoundLocks/{boundLockId}.
func (s *Server) handleBoundLockUpdate(w http.ResponseWriter, r *http.Request) error {
	var u keyward.BoundLockUpdate
	if err := s.decode(w, r, &u); err != nil {
		return err
	}
	l, err := s.locks.UpdateBoundLock(r.Context(), r.PathValue("ownerId"), r.PathValue("boundLockId"), u)
	return writeEntity(w, l, err)
}

// handleBoundLockUnbind answers DELETE /Owners/{ownerId}/BoundLocks/{boundLockId}: unbinding ends
// the bound lock and revokes its grants; 204.
func (s *Server) handleBoundLockUnbind(w http.ResponseWriter, r *http.Request) error {
	err := s.locks.UnbindLock(r.Context(), r.PathValue("ownerId"), r.PathValue("boundLockId"))
	return writeNoContent(w, err)
}
