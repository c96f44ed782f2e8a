package keyward

// Role is what a permission allows on an owner account.
type Role string

// The roles. An Owner may do everything, including managing permissions; an Admin everything else.
const (
	RoleOwner Role = "Owner"
	RoleAdmin Role = "Admin"
)

// Valid reports whether r is one of the two roles.
func (r Role) Valid() bool { return r == RoleOwner || r == RoleAdmin }

// Permission makes a contact an administrator of an owner account.
type Permission struct {
	ID             string `json:"id"`
	OwnerAccountID string `json:"ownerAccountId"`
	ContactID      string `json:"contactId"`
	Role           Role   `json:"role"`
	CreatedAt      Time   `json:"-"`
}

// Administrator is a permission with the contact it is for: a row of the portal's list of an
// account's administrators.
type Administrator struct {
	Permission *Permission
	Contact    *Contact
}

// PermissionFilter selects the permissions of one owner account.
type PermissionFilter struct {
	OwnerID   string
	ID        *string
	ContactID *string
	Role      *Role
	Query     *Query
}

// PermissionCreate is the body of PUT /Owners/{o}/Permissions.
type PermissionCreate struct {
	ContactID string `json:"contactId"`
	Role      Role   `json:"role"`
}
