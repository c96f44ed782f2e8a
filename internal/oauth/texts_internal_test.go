package oauth

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestPageTextsMatchTheirUses checks that every text the code and the templates name exists,
// and that every text (but the scope descriptions, looked up by scope name) is used somewhere.
func TestPageTextsMatchTheirUses(t *testing.T) {
	uses := map[string]bool{}
	patterns := map[string]*regexp.Regexp{
		".go":   regexp.MustCompile(`s\.t\("([^"]+)"`),
		".html": regexp.MustCompile(`\{\{t "([^"]+)"`),
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	pages, err := filepath.Glob("pages/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range slices.Concat(files, pages) {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range patterns[filepath.Ext(name)].FindAllStringSubmatch(string(src), -1) {
			uses[m[1]] = true
		}
	}
	texts := pageTexts()
	for key := range uses {
		if _, ok := texts[key]; !ok {
			t.Errorf("the text %q is used but not defined", key)
		}
	}
	for key := range texts {
		if !uses[key] && !strings.HasPrefix(key, "scope.") {
			t.Errorf("the text %q is defined but never used", key)
		}
	}
	if len(uses) < 40 {
		t.Errorf("found only %d uses; the patterns no longer match the code", len(uses))
	}
}
