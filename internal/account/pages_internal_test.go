package account

import "testing"

// TestPagesParseInEveryLanguage parses every page in every language, as a server does on each
// page's first request (pageset): a page that does not parse fails here, not in front of a user.
func TestPagesParseInEveryLanguage(t *testing.T) {
	ps, err := loadPages()
	if err != nil {
		t.Fatal(err)
	}
	if err := ps.Check(); err != nil {
		t.Fatal(err)
	}
}
