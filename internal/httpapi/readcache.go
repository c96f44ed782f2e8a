package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
)

// serveCached answers a Cached route from the read cache when it holds the answer computed for
// the same request at the account version the caller's token check just read, and otherwise
// runs the handler and keeps its 200 answer under that version.
//
// A hit is never stale: every write on an account's data is an OwnerTx, which raises the
// version in the transaction that writes, so once a write is committed on any node the next
// token check reads the new version and misses. And a hit is never served to a caller the
// handler would refuse: the key holds everything the use case's permission check reads (the
// kind of caller, the role on the account, the token's scopes), so an answer is only reused for
// a caller whom the same check admitted.
func (s *Server) serveCached(w http.ResponseWriter, r *http.Request, rt *route) error {
	p := keyward.PrincipalFromContext(r.Context())
	version, ok := p.AccountVersion(r.PathValue("ownerId"))
	if !ok || !rt.keep(r) {
		return rt.handler(w, r)
	}
	key := readKey(p, r)
	if body, ok := s.reads.Get(key, version); ok {
		writeBody(w, http.StatusOK, body)
		return nil
	}
	rec := &keeper{ResponseWriter: w}
	if err := rt.handler(rec, r); err != nil {
		return err
	}
	if rec.status == http.StatusOK && rec.body != nil {
		s.reads.Put(key, version, rec.body)
	}
	return nil
}

// readKey names a request by what its answer depends on beside the account's data: the
// caller's kind, user kind, role on the account and scopes, which decide whether the use case
// admits it, and the path and query exactly as sent.
func readKey(p *keyward.Principal, r *http.Request) string {
	var b strings.Builder
	b.Grow(64 + len(r.URL.RawPath) + len(r.URL.Path) + len(r.URL.RawQuery))
	b.WriteString(strconv.Itoa(int(p.Kind)))
	b.WriteByte(' ')
	b.WriteString(string(p.UserKind))
	b.WriteByte(' ')
	b.WriteString(string(p.ReadRole.Role))
	for _, sc := range p.Scopes {
		b.WriteByte(' ')
		b.WriteString(sc)
	}
	b.WriteByte('\n')
	b.WriteString(r.URL.EscapedPath())
	b.WriteByte('?')
	b.WriteString(r.URL.RawQuery)
	return b.String()
}

// keeper passes a handler's answer on and keeps a copy of its body, which writeJSON writes in one
// call from a buffer it then reuses.
type keeper struct {
	http.ResponseWriter
	status int
	body   []byte
	writes int
}

// WriteHeader records the status.
func (k *keeper) WriteHeader(status int) {
	if k.status == 0 {
		k.status = status
	}
	k.ResponseWriter.WriteHeader(status)
}

// Write copies the body, once: an answer written in several parts is not kept.
func (k *keeper) Write(b []byte) (int, error) {
	if k.status == 0 {
		k.status = http.StatusOK
	}
	k.writes++
	if k.writes == 1 {
		k.body = append(make([]byte, 0, len(b)), b...)
	} else {
		k.body = nil
	}
	return k.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (k *keeper) Unwrap() http.ResponseWriter { return k.ResponseWriter }
