package token

import "sync"

// verifiedCap bounds the tokens whose signature check is remembered. A client sends the same
// access token for its whole lifetime, so a few thousand cover every active client of a node; an
// entry is about a kilobyte, so the cache stays a few megabytes however many tokens pass.
const verifiedCap = 4096

// verifiedTokens remembers the payloads of tokens whose signature checked out, by the exact token
// text and the key that verified it. An RSA verification is most of the work of an
// authenticated read, and it gives the same answer for the same bytes and key every time, so a
// hit is exactly as strong as the check: nobody can make a hit without the very bytes of a token
// that verified, header included. What a token's signature cannot tell stays outside: the claims
// are checked and the database consulted on every request, a hit counts only for the type it
// verified as, and only while its key is still in service, so a retired key's tokens fail at
// once.
type verifiedTokens struct {
	mu      sync.RWMutex
	entries map[string]verifiedToken
}

type verifiedToken struct {
	typ     string // the JOSE typ it verified as
	key     *signingKey
	payload []byte
}

// lookup returns the payload of token when it verified before as typ, by a key that inService
// still reports in service.
func (v *verifiedTokens) lookup(token string, typ Type, inService func(*signingKey) bool) ([]byte, bool) {
	v.mu.RLock()
	e, ok := v.entries[token]
	v.mu.RUnlock()
	if !ok || e.typ != typ.Typ || !inService(e.key) {
		return nil, false
	}
	return e.payload, true
}

// remember records that key verified token as typ with payload. A full cache drops an arbitrary
// entry (Go's map order), which costs the dropped token one verification when it comes back.
func (v *verifiedTokens) remember(token string, typ Type, key *signingKey, payload []byte) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.entries == nil {
		v.entries = make(map[string]verifiedToken)
	}
	if len(v.entries) >= verifiedCap {
		for t := range v.entries {
			delete(v.entries, t)
			break
		}
	}
	v.entries[token] = verifiedToken{typ: typ.Typ, key: key, payload: payload}
}
