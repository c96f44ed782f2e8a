package keyward

import "strings"

// IPTapkey is the identity-provider id of Keyward's own users, named as in Tapkey.
const IPTapkey = "tapkey"

// Contact maps a person (a Keyward user, or a user of an external identity provider) into an owner
// account. Grants and permissions always name contacts.
type Contact struct {
	ID         string  `json:"id"`
	OwnerID    string  `json:"ownerId"`
	Identifier *string `json:"identifier"`
	Email      *string `json:"email"` // deprecated alias of Identifier, still returned for Tapkey users
	IPID       string  `json:"ipId"`
	IPUserID   *string `json:"ipUserId"`
	Title      *string `json:"title"`
	Comment    *string `json:"comment"`
	CreatedAt  Time    `json:"-"`
}

// NaturalKey is what makes a contact unique in its owner account: the identity provider and the
// case-folded identifier (or external user id). The store keeps it unique.
func (c *Contact) NaturalKey() string {
	if c.Identifier != nil {
		return c.IPID + "\x1fi\x1f" + strings.ToLower(*c.Identifier)
	}
	if c.IPUserID != nil {
		return c.IPID + "\x1fu\x1f" + *c.IPUserID
	}
	return c.IPID + "\x1f"
}

// ContactFilter selects contacts of one owner account.
type ContactFilter struct {
	OwnerID    string
	ID         *string
	IDs        []string // any of these; nil means no restriction
	NaturalKey *string
	Query      *Query
}

// ContactUpdate holds the patchable fields. The identity fields are read only so that a request
// that tries to change them is refused instead of silently ignored.
type ContactUpdate struct {
	Title      *string `json:"title"`
	Comment    *string `json:"comment"`
	Identifier *string `json:"identifier"`
	Email      *string `json:"email"`
	IPID       *string `json:"ipId"`
	IPUserID   *string `json:"ipUserId"`
}

// ContactCreate is the body of PUT /Owners/{o}/Contacts in all three of its forms (reference §3.4).
type ContactCreate struct {
	IPID       *string `json:"ipId"`
	Identifier *string `json:"identifier"`
	Email      *string `json:"email"`
	IPUserID   *string `json:"ipUserId"`
	Title      *string `json:"title"`
	Comment    *string `json:"comment"`
}
