package app_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportRules enforces the layout of conventions §3.1: the domain imports nothing of
// Keyward's, leaves import only the domain, adapters never import each other or the service.
// The authorization server's parts are libraries beneath it: token (signing), param (request
// parsing), mail, and account, the pages and sessions that oauth and the portal build on, which
// may import only those and never oauth.
func TestImportRules(t *testing.T) {
	const mod = "github.com/keyward/keyward/"
	leaves := []string{"internal/keyward", "internal/ical", "internal/odata", "internal/i18n", "internal/config"}
	allowed := map[string][]string{
		"api":               {},
		"internal/keyward":  {},
		"internal/ical":     {"internal/keyward"},
		"internal/odata":    {"internal/keyward"},
		"internal/i18n":     {"internal/keyward"},
		"internal/config":   {"internal/keyward"},
		"internal/service":  leaves,
		"internal/sqlstore": leaves,
		"internal/token":    {"internal/keyward"},
		"internal/param":    {"internal/keyward"},
		"internal/mail":     {"internal/i18n"},
		// account is the browser layer (sessions, CSRF, pages) beneath the authorization server
		// and the portal: they import it, it imports neither, nor the service.
		"internal/account":            append([]string{"internal/token", "internal/mail", "internal/param"}, leaves...),
		"internal/oauth":              append([]string{"internal/account", "internal/token", "internal/param"}, leaves...),
		"internal/httpapi":            leaves,
		"internal/web":                leaves,
		"internal/client":             leaves,
		"internal/locksim":            append([]string{"internal/client"}, leaves...),
		"internal/sqlstore/sqltest":   append([]string{"internal/sqlstore"}, leaves...),
		"internal/sqlstore/storetest": leaves,
		"internal/apitest":            {},
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, mod+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], mod)
		rules, ruled := allowed[pkg]
		if !ruled {
			if pkg != "internal/app" && pkg != "internal/cli" && pkg != "cmd/keyward" {
				t.Errorf("package %s has no import rule; add it to this test", pkg)
			}
			continue
		}
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, mod) {
				continue
			}
			dep := strings.TrimPrefix(imp, mod)
			if !contains(rules, dep) {
				t.Errorf("%s imports %s, which the layout forbids", pkg, dep)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
