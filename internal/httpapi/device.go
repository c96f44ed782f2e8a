package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/keyward/keyward/internal/lockproto"
)

// handleLockSync answers POST /Devices/Locks/Sync: the body is a lock's signed sync request, the
// answer its signed sync response, both lockproto envelopes passed through as JSON.
func (s *Server) handleLockSync(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var env lockproto.Envelope
	if err := decodeJSON(body, &env); err != nil { // precise errors for the body's JSON; the service reads it again
		return err
	}
	resp, err := s.devices.SyncLock(r.Context(), body)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, json.RawMessage(resp))
}
