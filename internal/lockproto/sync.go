package lockproto

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/keyward/keyward/internal/keyward"
)

// Log entry vocabulary: the type and command of an entry, and its result. The reason is one of
// the Reason constants.
const (
	LogTypeCommand     = "Command"
	CommandTriggerLock = "TriggerLock"
	ResultAllowed      = "Allowed"
	ResultDenied       = "Denied"
)

// LogEntry is one event a lock recorded. EntryNo increases by one per entry of a lock, so the
// server stores each entry once however often a phone relays it, and sees gaps.
type LogEntry struct {
	EntryNo       uint64       `json:"entryNo"`
	LockTimestamp keyward.Time `json:"lockTimestamp"` // the lock's clock, UTC
	LogType       string       `json:"logType"`
	Command       string       `json:"command"`
	Result        string       `json:"result"`
	Reason        string       `json:"reason"`
	GrantID       *string      `json:"grantId"`
	BoundCardID   *string      `json:"boundCardId"`
	ContactID     *string      `json:"contactId"`
}

// Battery warning levels of a HealthReport.
const (
	BatteryOk       = "Ok"
	BatteryLow      = "Low"
	BatteryCritical = "Critical"
)

// HealthReport is one reading of a lock's sensors.
type HealthReport struct {
	MeasuredAt     keyward.Time `json:"measuredAt"`
	BatteryVoltage float64      `json:"batteryVoltage"` // volts
	BatteryWarning string       `json:"batteryWarning"`
	Temperature    float64      `json:"temperature"` // degrees Celsius
}

// ChallengeSize is the length of a lock's challenges in bytes.
const ChallengeSize = 16

// NewChallenge returns a fresh random challenge.
func NewChallenge() []byte {
	b := make([]byte, ChallengeSize)
	rand.Read(b) // crypto/rand.Read never returns an error; it crashes the program instead
	return b
}

// SyncRequest is a lock's upload, signed with its device key (kid: its physical lock id), which a
// phone may relay without being able to change it. Counter grows with every request of the lock
// (the server refuses one not above the last it accepted, CheckCounter); Challenge is fresh, and
// the server's SyncResponse must repeat it.
type SyncRequest struct {
	LockID          string         `json:"lockId"`
	Counter         uint64         `json:"counter"`
	Challenge       []byte         `json:"challenge"`
	LockTime        keyward.Time   `json:"lockTime"`
	ProtocolVersion int            `json:"protocolVersion"`
	RclSerialNo     int64          `json:"rclSerialNo"` // the serial of the list the lock holds
	KIDs            []string       `json:"kids"`        // the key set the lock holds
	LogEntries      []LogEntry     `json:"logEntries"`  // entries not acknowledged yet, oldest first
	Health          []HealthReport `json:"health"`
	CardWrites      []CardWrite    `json:"cardWrites"` // cards written since the last acknowledged request
}

// SyncResponse is the server's download, signed with a key-signing key the lock holds. It repeats
// the request's counter and challenge, so a lock accepts it only as the answer to the request it
// has outstanding.
type SyncResponse struct {
	LockID      string         `json:"lockId"`
	Counter     uint64         `json:"counter"`
	Challenge   []byte         `json:"challenge"`
	ServerTime  keyward.Time   `json:"serverTime"`
	TimeZone    string         `json:"timeZone"` // IANA name
	KeySet      KeySet         `json:"keySet"`
	Revocations RevocationList `json:"revocations"`
	// AckEntryNo is the highest entry number the server stored; the lock may forget entries up
	// to it.
	AckEntryNo uint64 `json:"ackEntryNo"`
	// CardWrites are the images of cards whose grants changed, for the lock to write when the
	// card is next held to it.
	CardWrites []*Envelope `json:"cardWrites"`
}

// SignSyncRequest signs a lock's upload with its device key.
func SignSyncRequest(device Signer, r *SyncRequest) (*Envelope, error) {
	return seal(TypeSyncRequest, device, r)
}

// VerifySyncRequest checks an upload with the device public key registered for the lock; the
// request must name the lock its envelope does.
func VerifySyncRequest(env *Envelope, device ed25519.PublicKey) (*SyncRequest, error) {
	var r SyncRequest
	if err := open(env, TypeSyncRequest, device, &r); err != nil {
		return nil, err
	}
	if r.LockID != env.KID {
		return nil, fmt.Errorf("%w: a sync request of lock %q signed as %q", ErrPayload, r.LockID, env.KID)
	}
	return &r, nil
}

// SignSyncResponse signs the server's download.
func SignSyncResponse(s Signer, r *SyncResponse) (*Envelope, error) {
	return seal(TypeSyncResponse, s, r)
}

// VerifySyncResponse checks a download with the key set the lock holds.
func VerifySyncResponse(env *Envelope, ks KeySet) (*SyncResponse, error) {
	var r SyncResponse
	if err := openWithSet(env, TypeSyncResponse, ks, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// ErrReplay is a message that was accepted before, or that answers another request.
var ErrReplay = errors.New("lockproto: replayed or unrelated message")

// CheckCounter is the server's replay check of an upload: its counter must exceed the last one
// accepted from the lock (0 before the first).
func CheckCounter(last, got uint64) error {
	if got <= last {
		return fmt.Errorf("%w: counter %d, last accepted %d", ErrReplay, got, last)
	}
	return nil
}

// CheckResponse is the lock's replay check of a download: it must answer the request the lock
// has outstanding, for this lock, with the same counter and challenge. The lock then forgets the
// request, so the same download is refused the second time.
func CheckResponse(pending *SyncRequest, r *SyncResponse) error {
	if pending == nil || r.LockID != pending.LockID || r.Counter != pending.Counter ||
		len(pending.Challenge) < ChallengeSize || subtle.ConstantTimeCompare(r.Challenge, pending.Challenge) != 1 {
		return ErrReplay
	}
	return nil
}

// NewDeviceKey makes a lock's device key pair: the lock keeps the private half and signs its
// sync requests with it (its kid is the lock's id); the device registry gets the public half.
func NewDeviceKey() (ed25519.PublicKey, ed25519.PrivateKey) {
	pub, priv, _ := ed25519.GenerateKey(nil) // crypto/rand never fails; it crashes the program instead
	return pub, priv
}
