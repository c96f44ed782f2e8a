package portal

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/i18n"
)

// dynamicPrefixes are the text namespaces the code completes at run time ("portal.role." +
// role, "portal.notice." + a redirect's notice): their keys count as used.
var dynamicPrefixes = []string{"portal.role.", "portal.notice."}

// TestTextsMatchTheirUses checks that every text the templates and the code name exists in the
// catalogs, and that every "portal." text is used somewhere, so that neither a key shown to a
// user nor a dead translation goes unnoticed.
func TestTextsMatchTheirUses(t *testing.T) {
	catalog, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	literal := regexp.MustCompile(`"((?:portal|page)\.[A-Za-z0-9.]+)"`)
	collect := func(name string, body []byte) {
		for _, m := range literal.FindAllSubmatch(body, -1) {
			key := string(m[1])
			if strings.HasSuffix(key, ".") {
				continue
			}
			used[key] = true
			if _, ok := catalog.Text("en", key); !ok && !slices.ContainsFunc(dynamicPrefixes, func(p string) bool { return p == key+"." }) {
				t.Errorf("%s names the text %q, which the catalog lacks", name, key)
			}
		}
	}
	err = fs.WalkDir(pageFiles, "pages", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := pageFiles.ReadFile(path)
		collect(path, body)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		collect(f, body)
	}
	for _, key := range catalog.Keys("portal.") {
		if !used[key] && !slices.ContainsFunc(dynamicPrefixes, func(p string) bool { return strings.HasPrefix(key, p) }) {
			t.Errorf("the text %q is used nowhere", key)
		}
	}
}
