package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"unicode/utf8"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// handleLockSync answers POST /Devices/Locks/Sync: the body is a lock's signed sync request, the
// answer its signed sync response, both lockproto envelopes passed through as JSON.
func (s *Server) handleLockSync(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	// The service parses the envelope; a body it finds invalid is parsed here too, to say
	// precisely what is wrong with its JSON. What decodeJSON refuses and json.Unmarshal lets
	// pass (bad UTF-8, a NUL in a string) is refused first, so a body is refused exactly as
	// decodeJSON alone would refuse it, and a lock's upload is parsed once.
	if !utf8.Valid(body) || checkJSONText(body) != nil {
		return decodeJSON(body, &lockproto.Envelope{})
	}
	resp, err := s.devices.SyncLock(r.Context(), body)
	if errors.Is(err, keyward.ErrInvalid) {
		if jsonErr := decodeJSON(body, &lockproto.Envelope{}); jsonErr != nil {
			return jsonErr
		}
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, json.RawMessage(resp))
}
