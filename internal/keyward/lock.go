package keyward

import "encoding/json"

// LockType is a model of lock of lockproto's catalog as the API shows it; it has the fields of
// lockproto.LockType, so that one converts to the other.
type LockType struct {
	ID                    string   `json:"id"`
	ManufacturerID        int      `json:"manufacturerId"`
	ModelName             string   `json:"modelName"`
	SupportedTechnologies []string `json:"supportedTechnologies"`
}

// PhysicalLock is a lock in the device registry (decisions §4). Its binding code is stored hashed.
type PhysicalLock struct {
	ID                     string // canonical form (lockproto.ParseLockID)
	LockTypeID             string
	ProtocolVersion        int
	BindingCodeHash        string
	TimeZone               string
	TimeRestrictionSupport bool
	// DevicePublicKey is the lock's Ed25519 public key, which authenticates its syncs; the
	// private half never leaves the lock. Nil for a lock registered without one: it cannot sync.
	DevicePublicKey []byte
	// SyncCounter is the highest sync-request counter the server accepted from the lock, and
	// KIDs the key-signing keys the lock reported holding then.
	SyncCounter uint64
	KIDs        []string
	CreatedAt   Time
}

// PhysicalLockCreate is a physical lock the operator registers in the device registry.
type PhysicalLockCreate struct {
	LockTypeID             string
	ProtocolVersion        int
	TimeZone               string
	TimeRestrictionSupport bool
	// DevicePublicKey is the lock's Ed25519 public key (32 bytes), made by the lock.
	DevicePublicKey []byte
}

// KeySigningKey is one of the server's Ed25519 key-signing keys (docs/lock-protocol.md): it signs
// mobile keys, revocation lists and sync responses. Seed is the 32-byte private seed; it lives in
// the database, like the token-signing keys, so that every node signs with the same set.
type KeySigningKey struct {
	ID        string
	Seed      []byte
	CreatedAt Time
}

// SupportedFeatures is the expandable feature object of a bound lock or lock group.
type SupportedFeatures struct {
	TimeRestrictionIcalSupport string `json:"timeRestrictionIcalSupport"`
}

// Support values of SupportedFeatures.
const (
	FeatureSupported    = "Supported"
	FeatureNotSupported = "NotSupported"
)

// StateCount is one row of a membership statistic; the keys are PascalCase on the wire.
type StateCount struct {
	State string `json:"State"`
	Count int    `json:"Count"`
}

// Statistics is the expandable membership statistic of locks and lock groups.
type Statistics struct {
	ByState []StateCount `json:"ByState"`
}

// HealthStatus is a best-effort reading reported by a lock.
type HealthStatus struct {
	ID             string  `json:"id"`
	PhysicalLockID string  `json:"physicalLockId"`
	Timestamp      Time    `json:"timestamp"`
	Type           string  `json:"type"`
	Value          float64 `json:"value"`
	ValueStatus    string  `json:"valueStatus"`
}

// Types of a lock's health readings.
const (
	HealthBatteryVoltage      = "BatteryVoltage"      // volts
	HealthTemperature         = "Temperature"         // degrees Celsius
	HealthBatteryWarningLevel = "BatteryWarningLevel" // one of the BatteryWarning levels
)

// Battery warning levels as the values of a BatteryWarningLevel reading.
const (
	BatteryWarningOk       = 0
	BatteryWarningLow      = 1
	BatteryWarningCritical = 2
)

// Value statuses of a HealthStatus.
const (
	HealthValueOk       = "Ok"
	HealthValueOutdated = "Outdated"
	HealthValueInvalid  = "Invalid"
)

// HealthReading is one value a lock measured; a lock's health is its newest reading of each type.
type HealthReading struct {
	Type       string
	Value      float64
	MeasuredAt Time
}

// BoundLock is a physical lock bound to an owner account. Re-binding creates a new bound lock;
// at most one bound lock per physical lock is active.
type BoundLock struct {
	ID                    string    `json:"id"`
	OwnerAccountID        string    `json:"ownerAccountId"`
	PhysicalLockID        string    `json:"physicalLockId"`
	Title                 string    `json:"title"`
	Description           string    `json:"description"`
	LockTypeID            string    `json:"lockTypeId"`
	LockType              *LockType `json:"lockType"`
	BindDate              Time      `json:"bindDate"`
	UnbindDate            *Time     `json:"unbindDate"`
	Active                bool      `json:"active"`
	RclSerialNo           int64     `json:"rclSerialNo"`
	RclDate               *Time     `json:"rclDate"`
	LastSeenRclSerialNo   *int64    `json:"lastSeenRclSerialNo"`
	LastSeenRclUpdateDate *Time     `json:"lastSeenRclUpdateDate"`
	TargetType            string    `json:"targetType"`

	SupportedFeatures    *SupportedFeatures `json:"supportedFeatures"`
	MembershipStatistics *Statistics        `json:"membershipStatistics"`
	HealthStatuses       []HealthStatus     `json:"healthStatuses"`

	// Lock facts joined from the device registry; the service uses them for grants and features.
	ProtocolVersion        int    `json:"-"`
	TimeZone               string `json:"-"`
	TimeRestrictionSupport bool   `json:"-"`
	CreatedAt              Time   `json:"-"`
	// SyncSeq orders the lock's last sync among the writes on its account (0: never synced):
	// a sync has learned of a revocation when its SyncSeq exceeds the grant's RevokedSeq.
	SyncSeq int64 `json:"-"`
	// LastSyncAt is when the lock last synced, nil before its first sync.
	LastSyncAt *Time `json:"-"`
}

// LockPropagation is a Keyward extension: how far an offline lock has caught up with what the
// server decided. A revocation is pending until the lock confirms the revocation list that names
// it; until then a phone holding the grant's key may still open the lock, at most until
// ExposureEndsAt. UpToDate is true when nothing is pending.
type LockPropagation struct {
	BoundLockID           string              `json:"boundLockId"`
	PhysicalLockID        string              `json:"physicalLockId"`
	RclSerialNo           int64               `json:"rclSerialNo"`
	LastSeenRclSerialNo   *int64              `json:"lastSeenRclSerialNo"`
	LastSeenRclUpdateDate *Time               `json:"lastSeenRclUpdateDate"`
	LastSyncDate          *Time               `json:"lastSyncDate"`
	UpToDate              bool                `json:"upToDate"`
	PendingRevocations    []PendingRevocation `json:"pendingRevocations"`
	PendingCardWrites     []PendingCardWrite  `json:"pendingCardWrites"`
	// OldestPendingSince is when the oldest pending change was made, and OldestPendingAge its
	// age in whole seconds at the time of the answer; both null when nothing is pending.
	OldestPendingSince *Time  `json:"oldestPendingSince"`
	OldestPendingAge   *int64 `json:"oldestPendingAgeSeconds"`
}

// PropagationBacklog is what the locks of every account have yet to learn, for monitoring:
// revocations pending on a lock (one per lock and grant: each lock must confirm its own list),
// cards waiting for a write (one per card: any lock of the card's grants writes it), and when the
// oldest of these changes was made (nil when nothing is pending).
type PropagationBacklog struct {
	PendingRevocations int
	PendingCardWrites  int
	OldestPendingSince *Time
}

// PendingRevocation is a revoked grant a lock has not confirmed. ExposureEndsAt bounds how long a
// key of it can still open the lock if the lock never syncs again: the end of the longest key
// validity after the revocation, or for a card the grant's validBefore (null: until it syncs).
type PendingRevocation struct {
	GrantID        string  `json:"grantId"`
	ContactID      *string `json:"contactId"`
	BoundCardID    *string `json:"boundCardId"`
	RevokedAt      Time    `json:"revokedAt"`
	ExposureEndsAt *Time   `json:"exposureEndsAt"`
	ValidBefore    *Time   `json:"-"`
}

// PendingCardWrite is a card whose grants changed since it was last written: the lock writes it
// when the card is next presented there.
type PendingCardWrite struct {
	BoundCardID string   `json:"boundCardId"`
	GrantIDs    []string `json:"grantIds"`
	Since       Time     `json:"since"`
}

// BoundLockFilter selects bound locks of one owner account.
type BoundLockFilter struct {
	OwnerID        string
	ID             *string
	IDs            []string // any of these; nil means no restriction
	PhysicalLockID *string
	LockGroupID    *string // only members of this group
	NotInGroupID   *string // only locks that are no members of this group
	Active         *bool
	Query          *Query
}

// BoundLockUpdate holds the patchable fields.
type BoundLockUpdate struct {
	Title       *string `json:"title"`
	Description *string `json:"description"`
}

// BindLockRequest is the body of PUT /Owners/{o}/BoundLocks.
type BindLockRequest struct {
	PhysicalLockID string  `json:"physicalLockId"`
	BindingCode    string  `json:"bindingCode"`
	Title          *string `json:"title"`
	Description    *string `json:"description"`
}

// Expand options of bound locks and lock groups.
const (
	ExpandSupportedFeatures    = "supportedFeatures"
	ExpandMembershipStatistics = "membershipStatistics"
	ExpandHealthStatuses       = "healthStatuses"
	ExpandStatistics           = "statistics"
)

// MarshalJSON writes the targeted lock or group.
func (t *GrantTarget) MarshalJSON() ([]byte, error) {
	if t.Group != nil {
		return json.Marshal(t.Group)
	}
	return json.Marshal(t.Lock)
}

// UnmarshalJSON reads the targeted lock or group, told apart by its targetType, so that a grant
// read back from the wire (by the Go client) holds what the server embedded.
func (t *GrantTarget) UnmarshalJSON(b []byte) error {
	var kind struct {
		TargetType string `json:"targetType"`
	}
	if err := json.Unmarshal(b, &kind); err != nil {
		return err
	}
	if kind.TargetType == "Group" {
		t.Group = new(LockGroup)
		return json.Unmarshal(b, t.Group)
	}
	t.Lock = new(BoundLock)
	return json.Unmarshal(b, t.Lock)
}
