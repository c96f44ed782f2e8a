package httpapi

import (
	"net/http"

	"github.com/keyward/keyward/internal/keyward"
)

// handleLockGroupList answers GET /Owners/{ownerId}/LockGroups; the query may carry expand.
func (s *Server) handleLockGroupList(w http.ResponseWriter, r *http.Request) error {
	q, err := listQuery(r)
	if err != nil {
		return err
	}
	groups, err := s.lockGroups.FindLockGroups(r.Context(), r.PathValue("ownerId"), q)
	return writeList(w, groups, q, err)
}

// handleLockGroupCreate answers PUT /Owners/{ownerId}/LockGroups.
func (s *Server) handleLockGroupCreate(w http.ResponseWriter, r *http.Request) error {
	var c keyward.LockGroupCreate
	if err := s.decode(w, r, &c); err != nil {
		return err
	}
	g, err := s.lockGroups.CreateLockGroup(r.Context(), r.PathValue("ownerId"), c)
	return writeEntity(w, g, err)
}

// handleLockGroupGet answers GET /Owners/{ownerId}/LockGroups/{lockGroupId}[?expand=...].
func (s *Server) handleLockGroupGet(w http.ResponseWriter, r *http.Request) error {
	expand, err := expandQuery(r)
	if err != nil {
		return err
	}
	g, err := s.lockGroups.FindLockGroup(r.Context(), r.PathValue("ownerId"), r.PathValue("lockGroupId"), expand)
	return writeEntity(w, g, err)
}

// handleLockGroupUpdate answers PATCH /Owners/{ownerId}/LockGroups/{lockGroupId}.
func (s *Server) handleLockGroupUpdate(w http.ResponseWriter, r *http.Request) error {
	var u keyward.LockGroupUpdate
	if err := s.decode(w, r, &u); err != nil {
		return err
	}
	g, err := s.lockGroups.UpdateLockGroup(r.Context(), r.PathValue("ownerId"), r.PathValue("lockGroupId"), u)
	return writeEntity(w, g, err)
}

// handleLockGroupDelete answers DELETE /Owners/{ownerId}/LockGroups/{lockGroupId} with 204.
func (s *Server) handleLockGroupDelete(w http.ResponseWriter, r *http.Request) error {
	err := s.lockGroups.DeleteLockGroup(r.Context(), r.PathValue("ownerId"), r.PathValue("lockGroupId"))
	return writeNoContent(w, err)
}

// handleLockGroupMemberList answers GET /Owners/{ownerId}/LockGroups/{lockGroupId}/BoundLocks: the
// group's member locks, as a queryable list.
func (s *Server) handleLockGroupMemberList(w http.ResponseWriter, r *http.Request) error {
	q, err := listQuery(r)
	if err != nil {
		return err
	}
	locks, err := s.lockGroups.FindLockGroupMembers(r.Context(), r.PathValue("ownerId"), r.PathValue("lockGroupId"), q)
	return writeList(w, locks, q, err)
}

// handleLockGroupMemberAdd answers PUT /Owners/{ownerId}/LockGroups/{lockGroupId}/BoundLocks with
// body {"boundLockId"}; it returns the group.
func (s *Server) handleLockGroupMemberAdd(w http.ResponseWriter, r *http.Request) error {
	var req keyward.LockGroupMemberRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	g, err := s.lockGroups.AddLockGroupMember(r.Context(), r.PathValue("ownerId"), r.PathValue("lockGroupId"), req)
	return writeEntity(w, g, err)
}

// handleLockGroupMemberRemove answers DELETE
// /Owners/{ownerId}/LockGroups/{lockGroupId}/BoundLocks/{boundLockId} with 204.
func (s *Server) handleLockGroupMemberRemove(w http.ResponseWriter, r *http.Request) error {
	err := s.lockGroups.RemoveLockGroupMember(r.Context(), r.PathValue("ownerId"), r.PathValue("lockGroupId"), r.PathValue("boundLockId"))
	return writeNoContent(w, err)
}
