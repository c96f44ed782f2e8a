package app_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportRules enforces the layout of conventions §3.1: the domain imports nothing of
// Keyward's, leaves import only the domain (lockproto also ical, whose evaluation a lock runs
// offline), adapters never import each other or the service. The authorization server's parts
// are libraries beneath it: token (signing), param (request parsing), mail, and account, the
// pages and sessions that oauth and the portal build on, which may import only those and never
// oauth.
// Test support (testSupport) is imported by tests only, never by the product.
func TestImportRules(t *testing.T) {
	const mod = "github.com/keyward/keyward/"
	leaves := []string{"internal/keyward", "internal/lockproto", "internal/ical", "internal/odata", "internal/i18n", "internal/config", "internal/requestid"}
	allowed := map[string][]string{
		"api":                {},
		"internal/keyward":   {},
		"internal/lockproto": {"internal/keyward", "internal/ical"}, // what a lock and the server share, for the simulator too
		"internal/ical":      {"internal/keyward"},
		"internal/odata":     {"internal/keyward"},
		"internal/i18n":      {"internal/keyward"},
		"internal/config":    {"internal/keyward"},
		"internal/requestid": {}, // the request id in the context and the log: for every adapter
		"internal/service":   leaves,
		"internal/sqlstore":  leaves,
		"internal/token":     {"internal/keyward"},
		"internal/param":     {"internal/keyward"},
		"internal/mail":      {"internal/i18n"},
		"internal/apidocs":   {}, // renders the document it is handed; imports nothing of Keyward's
		"internal/readcache": {}, // a bounded map of encoded answers; imports nothing of Keyward's
		"internal/pageset":   {}, // the browser layers' templates, parsed on first use; nothing of Keyward's
		"internal/gcfloor":   {}, // the collector's heap floor, which main keeps; nothing of Keyward's
		// account is the browser layer (sessions, CSRF, pages) beneath the authorization server
		// and the portal: they import it, it imports neither, nor the service.
		"internal/account":            append([]string{"internal/token", "internal/mail", "internal/param", "internal/pageset"}, leaves...),
		"internal/oauth":              append([]string{"internal/account", "internal/token", "internal/param"}, leaves...),
		"internal/portal":             append([]string{"internal/account", "internal/param", "internal/token", "internal/pageset"}, leaves...), // token: new client secrets
		"internal/httpapi":            append([]string{"internal/readcache"}, leaves...),
		"internal/web":                leaves,
		"internal/client":             leaves,
		"internal/metrics":            nil, // the Prometheus adapter: none of Keyward's packages
		"internal/locksim":            append([]string{"internal/client"}, leaves...),
		"internal/sqlstore/sqltest":   append([]string{"internal/sqlstore"}, leaves...),
		"internal/sqlstore/storetest": append([]string{"internal/apitest"}, leaves...),
		"internal/apitest":            {"internal/keyward", "internal/lockproto", "internal/client", "internal/locksim"}, // locksim: its clock
		// the benchmark's reference programs: the signer and the libraries Keyward uses, no more
		"internal/bench/reference": {"internal/keyward", "internal/lockproto", "internal/token"},
	}
	// wiring may import everything: the server's wiring, the CLI, main, apptest, which runs the
	// wired server for tests, and bench, which runs it beside the references.
	wiring := map[string]bool{"internal/app": true, "internal/cli": true, "cmd/keyward": true, "internal/app/apptest": true,
		"internal/bench": true}
	testSupport := map[string]bool{"internal/apitest": true, "internal/app/apptest": true,
		"internal/sqlstore/sqltest": true, "internal/sqlstore/storetest": true}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, mod+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], mod)
		var deps []string
		for _, imp := range fields[1:] {
			if dep, ok := strings.CutPrefix(imp, mod); ok {
				deps = append(deps, dep)
			}
		}
		for _, dep := range deps {
			if testSupport[dep] && !testSupport[pkg] {
				t.Errorf("%s imports the test support %s, which only tests may import", pkg, dep)
			}
		}
		rules, ruled := allowed[pkg]
		if !ruled {
			if !wiring[pkg] {
				t.Errorf("package %s has no import rule; add it to this test", pkg)
			}
			continue
		}
		for _, dep := range deps {
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
