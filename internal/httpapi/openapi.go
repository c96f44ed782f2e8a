package httpapi

import (
	"net/http"

	"github.com/keyward/keyward/internal/keyward"
)

// handleOpenAPI serves the hand-written API contract as-is; it is public so that tools can read it
// before they hold a token.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	if len(s.openAPI) == 0 {
		return keyward.ErrNotFound.WithDetails("no OpenAPI document is configured")
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(s.openAPI)
	return nil
}
