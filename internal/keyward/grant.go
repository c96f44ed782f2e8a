package keyward

import "fmt"

// Grant states (decisions §4): a revoke request makes a grant RevocationPending until the lock
// confirms it at its next sync; a grant the lock never received is Revoked at once.
const (
	GrantOk                = "Ok"
	GrantRevocationPending = "RevocationPending"
	GrantRevoked           = "Revoked"

	// Card write states of a card grant (Grant.CardWriteState).
	CardWritePending = "WritePending"
	CardWritten      = "Written"
)

// Grant lets one contact or card open one bound lock or lock group.
type Grant struct {
	ID                  string       `json:"id"`
	OwnerAccountID      string       `json:"ownerAccountId"`
	BoundLockID         string       `json:"boundLockId"`
	ContactID           *string      `json:"contactId"`
	BoundCardID         *string      `json:"boundCardId"`
	Contact             *Contact     `json:"contact"`
	BoundCard           *BoundCard   `json:"boundCard"`
	BoundLock           *GrantTarget `json:"boundLock"`
	Owner               *Owner       `json:"owner"`
	ValidFrom           *Time        `json:"validFrom"`
	ValidBefore         *Time        `json:"validBefore"`
	TimeRestrictionIcal *string      `json:"timeRestrictionIcal"`
	State               string       `json:"state"`
	Active              bool         `json:"active"`
	// CardWriteState is a card grant's progress onto the card (Keyward extension, absent for
	// contact grants): WritePending until a lock writes the card with what the grant says (that
	// it holds it, or for a revoked grant that it no longer does), then Written.
	CardWriteState *string `json:"cardWriteState,omitempty"`

	TargetType string `json:"-"` // "Lock" or "Group"
	Delivered  bool   `json:"-"` // a key for it reached a lock or card; revoking then needs the lock's confirmation
	CreatedAt  Time   `json:"-"`
	RevokedAt  *Time  `json:"-"`
	RevokedSeq int64  `json:"-"` // the revocation's place among the writes on its account (see BoundLock.SyncSeq)
}

// Grantee names the grant's grantee the way error details do: bound card "…" or contact "…".
func (g *Grant) Grantee() string {
	if g.BoundCardID != nil {
		return fmt.Sprintf("bound card %q", *g.BoundCardID)
	}
	if g.ContactID != nil {
		return fmt.Sprintf("contact %q", *g.ContactID)
	}
	return `contact ""`
}

// GrantTarget is the embedded boundLock of a grant: the bound lock, or the lock group it targets.
// Exactly one of the two is set; it marshals as that entity.
type GrantTarget struct {
	Lock  *BoundLock
	Group *LockGroup
}

// GrantFilter selects grants of one owner account.
type GrantFilter struct {
	OwnerID     string
	ID          *string
	IDs         []string // any of these grants; nil means no restriction
	BoundLockID *string  // the lock or group targeted
	TargetIDs   []string // any of these locks or groups; nil means no restriction
	ContactID   *string
	BoundCardID *string
	CardIDs     []string // grants of any of these cards; nil means no restriction
	ContactIDs  []string // grants of any of these contacts; nil means no restriction
	Active      *bool
	Query       *Query
}

// Grantee is whom an access decision is for: a contact or a bound card, exactly one of them.
type Grantee struct {
	ContactID, BoundCardID *string
}

// GrantCreate is the body of PUT /Owners/{o}/Grants with its three grantee forms.
type GrantCreate struct {
	BoundLockID         string        `json:"boundLockId"`
	ContactID           *string       `json:"contactId"`
	Contact             *GrantContact `json:"contact"`
	BoundCardID         *string       `json:"boundCardId"`
	ValidFrom           *Time         `json:"validFrom"`
	ValidBefore         *Time         `json:"validBefore"`
	TimeRestrictionIcal *string       `json:"timeRestrictionIcal"`
	DryRun              bool          `json:"dryRun"`
}

// GrantContact is the inline contact of a grant request: found by identity or created.
type GrantContact struct {
	Identifier *string `json:"identifier"`
	Email      *string `json:"email"`
	IPID       *string `json:"ipId"`
	IPUserID   *string `json:"ipUserId"`
}

// RevokeRequest is the optional body of POST .../Grants/{id}/Revoke.
type RevokeRequest struct {
	DryRun bool `json:"dryRun"`
}

// Access-check reasons, one per grant considered.
const (
	ReasonAllowed            = "Allowed"
	ReasonNotYetValid        = "NotYetValid"
	ReasonExpired            = "Expired"
	ReasonOutsideRestriction = "OutsideTimeRestriction"
	ReasonRevoked            = "Revoked"
	ReasonRevocationPending  = "RevocationPending"
)

// AccessDecision explains whether a contact or card may open a lock at an instant. It states two
// facts apart, because an offline lock lags behind Keyward: Allowed is what Keyward decides, and
// LockMayStillAllow says that a revoked key may still open the physical lock until it syncs.
type AccessDecision struct {
	BoundLockID       string          `json:"boundLockId"`
	ContactID         *string         `json:"contactId"`
	BoundCardID       *string         `json:"boundCardId"`
	At                Time            `json:"at"`
	Allowed           bool            `json:"allowed"`
	LockMayStillAllow bool            `json:"lockMayStillAllow"`
	Grants            []GrantDecision `json:"grants"`
}

// GrantDecision is the verdict of one grant in an AccessDecision. LockMayStillAllow is true for a
// grant whose revocation this lock has not confirmed and whose key would open it at the instant.
type GrantDecision struct {
	GrantID           string  `json:"grantId"`
	ViaGroupID        *string `json:"viaLockGroupId"`
	State             string  `json:"state"`
	Reason            string  `json:"reason"`
	LockMayStillAllow bool    `json:"lockMayStillAllow"`
	Detail            string  `json:"detail"`
	NextWindow        *Window `json:"nextWindow"`
}

// Window is an interval of allowed access, in UTC and in the lock's local time.
type Window struct {
	Start      Time   `json:"start"`
	End        Time   `json:"end"`
	LocalStart string `json:"localStart"`
	LocalEnd   string `json:"localEnd"`
	TimeZone   string `json:"timeZone"`
}

// GrantWindows is the answer of GET .../Grants/{id}/Windows.
type GrantWindows struct {
	GrantID  string   `json:"grantId"`
	From     Time     `json:"from"`
	To       Time     `json:"to"`
	TimeZone string   `json:"timeZone"`
	Windows  []Window `json:"windows"`
	// Truncated is true when the range held more windows than one answer carries.
	Truncated bool `json:"truncated"`
}
