package keyward

import "testing"

// TestAccountVersion: the version read with the role answers only for the account it was read
// on, and only when that account exists.
func TestAccountVersion(t *testing.T) {
	v := int64(7)
	token := func() *Principal { return TokenPrincipal(&User{ID: "u"}, "c", nil) }
	for _, tt := range []struct {
		name   string
		p      *Principal
		owner  string
		want   int64
		wantOK bool
	}{
		{"NoPrincipal", nil, "o1", 0, false},
		{"NotRead", token(), "o1", 0, false},
		{"ReadOnAnother", token().WithRole("o2", RoleAdmin, &v), "o1", 0, false},
		{"NoAccountNamed", token().WithRole("", "", &v), "", 0, false},
		{"AccountMissing", token().WithRole("o1", "", nil), "o1", 0, false},
		{"Read", token().WithRole("o1", RoleAdmin, &v), "o1", 7, true},
	} {
		if got, ok := tt.p.AccountVersion(tt.owner); got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: AccountVersion(%q) = %d, %v; want %d, %v", tt.name, tt.owner, got, ok, tt.want, tt.wantOK)
		}
	}
}
