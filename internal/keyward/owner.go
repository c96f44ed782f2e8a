package keyward

// Owner is an owner account: the tenant that holds locks, cards, contacts and grants.
type Owner struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Active bool   `json:"active"`

	Plan      string `json:"-"` // operator data (decisions §3), never on the wire
	CreatedAt Time   `json:"-"`
}

// OwnerFilter selects owner accounts. AdminUserID restricts the result to the accounts on which
// that user holds a permission.
type OwnerFilter struct {
	ID          *string
	AdminUserID *string
	Query       *Query
}

// OwnerUpdate holds the patchable fields of an owner account.
type OwnerUpdate struct {
	Name *string `json:"name"`
}

// OwnerCreate is the body of PUT /Owners.
type OwnerCreate struct {
	Name string `json:"name"`
}

// OwnerRegistration is an owner account the operator creates for a user: OwnerEmail names the
// user who becomes its Owner, Plan its plan ("" for the catalog's default).
type OwnerRegistration struct {
	Name       string
	OwnerEmail string
	Plan       string
}
