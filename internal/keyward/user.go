package keyward

// UserKind tells people from the service users of client-credentials clients.
type UserKind string

// The user kinds.
const (
	UserPerson  UserKind = "person"
	UserService UserKind = "service"
)

// User is an account that can sign in (a person) or act through a client (a service user). A user
// appears in an owner account as a Contact whose identifier is the user's e-mail address.
type User struct {
	ID           string   `json:"id"`
	Email        string   `json:"email"`
	Kind         UserKind `json:"kind"`
	Verified     bool     `json:"verified"`
	PasswordHash string   `json:"-"`
	CreatedAt    Time     `json:"createdAt"`
}

// ServiceUserEmail is the identifier under which a client-credentials client's service user is
// made administrator of an owner account (decisions §3).
func ServiceUserEmail(clientID string) string { return clientID + "@clients.invalid" }

// UserCreate is what the operator registers for a person: the password arrives hashed.
type UserCreate struct {
	Email        string
	PasswordHash string
	Verified     bool
}
