package keyward

// PhysicalCard is an NFC card in the device registry; Capacity is how many grants fit on it.
type PhysicalCard struct {
	ID        string
	UID       string // padded standard Base64
	Capacity  int
	CreatedAt Time
}

// BoundCard is a physical card bound to an owner account.
type BoundCard struct {
	ID                string  `json:"id"`
	Label             string  `json:"label"`
	UID               string  `json:"uid"`
	IsActive          bool    `json:"isActive"`
	PhysicalCardID    string  `json:"physicalCardId"`
	OwnerAccountID    string  `json:"ownerAccountId"`
	BindDate          Time    `json:"bindDate"`
	UnbindDate        *Time   `json:"unbindDate"`
	Title             *string `json:"title"`
	NofGrantsCapacity int     `json:"nofGrantsCapacity"`
	CreatedAt         Time    `json:"-"`
}

// BoundCardFilter selects bound cards of one owner account.
type BoundCardFilter struct {
	OwnerID        string
	ID             *string
	IDs            []string // any of these; nil means no restriction
	PhysicalCardID *string
	Query          *Query
}

// BoundCardUpdate holds the patchable field.
type BoundCardUpdate struct {
	Title *string `json:"title"`
}

// BindCardRequest is the body of PUT /Owners/{o}/BoundCards: the registered card by its id or uid.
type BindCardRequest struct {
	PhysicalCardID *string `json:"physicalCardId"`
	UID            *string `json:"uid"`
	Title          *string `json:"title"`
	Label          *string `json:"label"`
}

// CardWrite is a card whose grants changed since a lock last wrote it, as a lock's sync needs it:
// the card, the version of its next image, when its grants changed, and its active grants (the
// image holds exactly those).
type CardWrite struct {
	BoundCardID string
	UID         string
	Version     int64
	ChangedAt   Time
	Grants      []*Grant
}
