package account

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/i18n"
	"github.com/keyward/keyward/internal/keyward"
)

// textUsers are the files that name the page and mail texts: the pages, the authorization
// server that shows some of them, and the mail.
var textUsers = []string{"*.go", "pages/*.html", "../oauth/*.go", "../mail/*.go"}

// TestPageTextsMatchTheirUses checks that every page and mail text the code and the templates
// name exists in the catalogs, and that every one of them is used somewhere.
func TestPageTextsMatchTheirUses(t *testing.T) {
	keyRE := regexp.MustCompile(`"((?:page|mail)\.[A-Za-z.]+)"`)
	var files []string
	for _, pattern := range textUsers {
		matches, err := filepath.Glob(pattern)
		if err != nil || len(matches) == 0 {
			t.Fatalf("no files match %s: %v", pattern, err)
		}
		files = append(files, matches...)
	}
	uses := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(src), -1) {
			uses[m[1]] = true
		}
	}
	catalog := mustCatalog(t)
	defined := slices.Concat(catalog.Keys("page."), catalog.Keys("mail."))
	for key := range uses {
		if !slices.Contains(defined, key) {
			t.Errorf("the text %q is used but not defined", key)
		}
	}
	for _, key := range defined {
		if !uses[key] {
			t.Errorf("the text %q is defined but never used", key)
		}
	}
	if len(uses) < 40 {
		t.Errorf("found only %d uses; the pattern no longer matches the code", len(uses))
	}
}

// TestScopeTexts checks that the consent page describes every scope a client may be registered
// with, and no other.
func TestScopeTexts(t *testing.T) {
	var want []string
	for _, sc := range keyward.ClientScopes() {
		want = append(want, "scope."+sc)
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, mustCatalog(t).Keys("scope.")); diff != "" {
		t.Errorf("scope texts (-known scopes +catalog):\n%s", diff)
	}
}

func mustCatalog(t *testing.T) *i18n.Catalog {
	t.Helper()
	c, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClientNetwork(t *testing.T) {
	tests := []struct{ remoteAddr, want string }{
		{"192.0.2.7:5123", "192.0.2.7"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:443", "2001:db8:1:2::/64"},
		{"[::ffff:192.0.2.7]:80", "192.0.2.7"},
		{"[fe80::1%eth0]:80", "fe80::/64"},
		{"192.0.2.7", "192.0.2.7"},
		{"@", "@"}, // a unix socket peer
		{"", ""},
	}
	for _, tt := range tests {
		if got := clientNetwork(tt.remoteAddr); got != tt.want {
			t.Errorf("clientNetwork(%q) = %q, want %q", tt.remoteAddr, got, tt.want)
		}
	}
}
