package httpapi

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// handleMe answers GET /Me.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) error {
	me, err := s.mobiles.Me(r.Context())
	return writeEntity(w, me, err)
}

// handleMobileList answers GET /Me/Mobiles.
func (s *Server) handleMobileList(w http.ResponseWriter, r *http.Request) error {
	list, err := s.mobiles.FindMobiles(r.Context())
	return writeList(w, list, nil, err)
}

// mobileCreateBody is keyward.MobileCreate with publicKey read as text first, so that a key that
// is not Base64 is refused with details naming the field rather than in the JSON decoder's words.
type mobileCreateBody struct {
	PublicKey string `json:"publicKey"`
	Name      string `json:"name"`
	Platform  string `json:"platform"`
}

// handleMobileRegister answers PUT /Me/Mobiles.
func (s *Server) handleMobileRegister(w http.ResponseWriter, r *http.Request) error {
	var body mobileCreateBody
	if err := s.decode(w, r, &body); err != nil {
		return err
	}
	key, err := base64.StdEncoding.DecodeString(body.PublicKey)
	if err != nil {
		return keyward.Invalidf("field %q is not standard Base64 with padding (RFC 4648 §4)", "publicKey")
	}
	m, err := s.mobiles.RegisterMobile(r.Context(), keyward.MobileCreate{PublicKey: key, Name: body.Name, Platform: body.Platform})
	return writeEntity(w, m, err)
}

// handleMobileRemove answers DELETE /Me/Mobiles/{mobileId}.
func (s *Server) handleMobileRemove(w http.ResponseWriter, r *http.Request) error {
	return writeNoContent(w, s.mobiles.RemoveMobile(r.Context(), r.PathValue("mobileId")))
}

// handleMobileKeys answers GET /Me/Mobiles/{mobileId}/Keys with the keys and their ETag, or 304
// without a body when If-None-Match names the current ETag. The answer may be kept by the phone
// only (private) and must be revalidated before each use (no-cache), which the ETag makes cheap.
func (s *Server) handleMobileKeys(w http.ResponseWriter, r *http.Request) error {
	keys, tag, err := s.mobiles.FetchKeys(r.Context(), r.PathValue("mobileId"), entityTags(r.Header.Values("If-None-Match")))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", `"`+tag+`"`)
	w.Header().Set("Cache-Control", "private, no-cache")
	if keys == nil {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return writeJSON(w, http.StatusOK, keys)
}

// entityTags reads If-None-Match fields (RFC 9110 §13.1.2): a comma-separated list of entity
// tags, or "*". Tags are compared weakly, as the RFC asks for If-None-Match, so "W/" is dropped;
// a tag without its quotes is taken as the same tag, since refusing it would help nobody.
func entityTags(fields []string) []string {
	var tags []string
	for _, f := range fields {
		for _, t := range strings.Split(f, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t = strings.TrimSuffix(strings.TrimPrefix(t, `"`), `"`); t != "" {
				tags = append(tags, t)
			}
		}
	}
	return tags
}
