package lockproto

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
)

// FormatVersion is the version of the wire format of signed messages (docs/lock-protocol.md). It
// is apart from the protocol versions above, which say which grant features a lock evaluates: a
// new field or message type that old locks must refuse bumps it.
const FormatVersion = 1

// Message types, the typ of an Envelope. The type is signed, so that a signature made for one kind
// of message never passes for another.
const (
	TypeMobileKey      = "MobileKey"
	TypeRevocationList = "RevocationList"
	TypeSyncRequest    = "SyncRequest"
	TypeSyncResponse   = "SyncResponse"
)

// Envelope is a signed message: the payload is the JSON of the message, kept as the exact bytes
// that were signed, so that no side has to reproduce a canonical form of JSON to verify it.
// Sig is the Ed25519 signature over SigningInput(V, Typ, KID, Payload).
type Envelope struct {
	V       int    `json:"v"`
	Typ     string `json:"typ"`
	KID     string `json:"kid"`
	Payload []byte `json:"payload"` // standard Base64 with padding in JSON
	Sig     []byte `json:"sig"`     // 64 bytes, standard Base64 with padding in JSON
	// Anchor is set only on a sync response to a lock that holds none of the keys in use:
	// AnchorMAC of the lock's binding code, which lets the lock trust the key set inside.
	Anchor []byte `json:"anchor,omitempty"`
}

// SigningInput is what a signature covers: "keyward-lockproto/<v>", the type and the key id, each
// followed by a zero byte, then the payload bytes. The prefix and the type separate the messages'
// signatures from each other and from anything else the same key might sign.
func SigningInput(v int, typ, kid string, payload []byte) []byte {
	b := fmt.Appendf(nil, "keyward-lockproto/%d\x00%s\x00%s\x00", v, typ, kid)
	return append(b, payload...)
}

// Signer is a private Ed25519 key with the id its public half is known by: a key-signing key of
// the server (kid from the KeySet), or a lock's device key (kid: the physical lock id).
type Signer struct {
	KID string
	Key ed25519.PrivateKey
}

// VerifyKey is the public half of a key-signing key.
type VerifyKey struct {
	KID       string            `json:"kid"`
	PublicKey ed25519.PublicKey `json:"publicKey"` // 32 bytes, standard Base64 with padding
}

// KeySet is the server's key-signing public keys a lock trusts. The lock receives it when it is
// bound and at every sync, and keeps the one it has until a sync delivers the next; the server adds
// a key before it signs with it and drops one only after it stopped signing with it, so keys
// signed with a retired key keep working on locks that have not synced since.
type KeySet struct {
	Keys []VerifyKey `json:"keys"`
}

// Lookup returns the public key with the id.
func (ks KeySet) Lookup(kid string) (ed25519.PublicKey, bool) {
	for _, k := range ks.Keys {
		if k.KID == kid && len(k.PublicKey) == ed25519.PublicKeySize {
			return k.PublicKey, true
		}
	}
	return nil, false
}

// Holds reports whether the set has a usable key with the id.
func (ks KeySet) Holds(kid string) bool {
	_, ok := ks.Lookup(kid)
	return ok
}

// KIDs lists the ids of the set, which a lock reports at every sync so that the server signs its
// keys with a key the lock holds.
func (ks KeySet) KIDs() []string {
	ids := make([]string, len(ks.Keys))
	for i, k := range ks.Keys {
		ids[i] = k.KID
	}
	return ids
}

// Errors of verification. They are deliberately few: a lock logs them, it does not explain them.
var (
	ErrFormat     = errors.New("lockproto: unsupported format version or message type")
	ErrUnknownKey = errors.New("lockproto: the signing key is not in the key set")
	ErrSignature  = errors.New("lockproto: bad signature")
	// ErrPayload is a signed message whose payload is not the message its type names, or names
	// another signer than the envelope: only a faulty sender makes one.
	ErrPayload = errors.New("lockproto: the payload is not a valid message of its type")
)

// seal signs the JSON of msg as a message of type typ.
func seal(typ string, s Signer, msg any) (*Envelope, error) {
	if len(s.Key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("lockproto: sign %s: no Ed25519 private key", typ)
	}
	payload, err := json.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("lockproto: sign %s: %w", typ, err)
	}
	sig := ed25519.Sign(s.Key, SigningInput(FormatVersion, typ, s.KID, payload))
	return &Envelope{V: FormatVersion, Typ: typ, KID: s.KID, Payload: payload, Sig: sig}, nil
}

// open checks env's version, type and signature with pub and only then decodes its payload into
// msg, so that nothing unverified is ever parsed.
func open(env *Envelope, typ string, pub ed25519.PublicKey, msg any) error {
	if env == nil || env.V != FormatVersion || env.Typ != typ {
		return ErrFormat
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, SigningInput(env.V, env.Typ, env.KID, env.Payload), env.Sig) {
		return ErrSignature
	}
	if err := decodeMessage(env.Payload, msg); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrPayload, typ, err)
	}
	return nil
}

// openWithSet is open with the key the envelope names in ks.
func openWithSet(env *Envelope, typ string, ks KeySet, msg any) error {
	if env == nil {
		return ErrFormat
	}
	pub, ok := ks.Lookup(env.KID)
	if !ok {
		return ErrUnknownKey
	}
	return open(env, typ, pub, msg)
}
