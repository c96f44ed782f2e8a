package httpapi

import "net/http"

// handleLogEntryList answers GET /Owners/{ownerId}/LogEntries.
func (s *Server) handleLogEntryList(w http.ResponseWriter, r *http.Request) error {
	q, err := listQuery(r)
	if err != nil {
		return err
	}
	entries, err := s.logs.FindLogEntries(r.Context(), r.PathValue("ownerId"), q)
	return writeList(w, entries, q, err)
}

// handleBoundLockLogEntryList answers GET /Owners/{ownerId}/BoundLocks/{boundLockId}/LogEntries.
func (s *Server) handleBoundLockLogEntryList(w http.ResponseWriter, r *http.Request) error {
	q, err := listQuery(r)
	if err != nil {
		return err
	}
	entries, err := s.logs.FindBoundLockLogEntries(r.Context(), r.PathValue("ownerId"), r.PathValue("boundLockId"), q)
	return writeList(w, entries, q, err)
}
