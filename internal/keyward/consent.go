package keyward

// Consent is what a user has allowed a client: the scopes granted so far. The consent page asks
// only for scopes not in it; withdrawing it revokes the client's tokens for the user.
type Consent struct {
	UserID    string
	ClientID  string
	Scopes    []string
	CreatedAt Time
	UpdatedAt Time
}

// Covers reports whether the consent grants scope s, directly or through the write scope that
// implies the read scope s.
func (c *Consent) Covers(s string) bool {
	granted := Client{Scopes: c.Scopes}
	return granted.AllowsScope(s)
}
