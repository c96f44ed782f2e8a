package keyward

// LockGroup is a named set of bound locks that a grant can target as a whole.
type LockGroup struct {
	ID             string  `json:"id"`
	OwnerAccountID string  `json:"ownerAccountId"`
	Title          string  `json:"title"`
	Description    string  `json:"description"`
	Active         bool    `json:"active"`
	RclSerialNo    *int64  `json:"rclSerialNo"`
	RclDate        *Time   `json:"rclDate"`
	TargetType     string  `json:"targetType"`
	PhysicalLockID *string `json:"physicalLockId"`

	SupportedFeatures *SupportedFeatures `json:"supportedFeatures"`
	Statistics        *Statistics        `json:"statistics"`

	CreatedAt Time `json:"-"`
}

// Membership states of a lock in a group. A lock learns of its membership at its next sync, so a
// new member is JoinPending until then.
const (
	MembershipJoinPending   = "JoinPending"
	MembershipJoined        = "Joined"
	MembershipUnjoinPending = "UnjoinPending"
	MembershipUnjoined      = "Unjoined"
)

// LockGroupFilter selects lock groups of one owner account.
type LockGroupFilter struct {
	OwnerID string
	ID      *string
	IDs     []string // any of these; nil means no restriction
	// MemberLockID restricts the result to the groups this bound lock belongs to.
	MemberLockID *string
	Query        *Query
}

// LockGroupCreate is the body of PUT /Owners/{o}/LockGroups.
type LockGroupCreate struct {
	Title       string  `json:"title"`
	Description *string `json:"description"`
}

// LockGroupUpdate holds the patchable fields.
type LockGroupUpdate struct {
	Title       *string `json:"title"`
	Description *string `json:"description"`
}

// LockGroupMemberRequest is the body of PUT /Owners/{o}/LockGroups/{id}/BoundLocks.
type LockGroupMemberRequest struct {
	BoundLockID string `json:"boundLockId"`
}
