package i18n

import (
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward/internal/keyward"
)

// TestCatalogs_SameKeysAsEnglish reads the embedded files directly so that a code added to
// en.json alone is named, per language, in the failure.
func TestCatalogs_SameKeysAsEnglish(t *testing.T) {
	en := mustReadEmbedded(t, "en")
	want := slices.Sorted(maps.Keys(en))
	files, err := fs.Glob(embedded, "catalog/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 6 {
		t.Errorf("got %d catalog files, want 6", len(files))
	}
	for _, file := range files {
		lang := strings.TrimSuffix(strings.TrimPrefix(file, "catalog/"), ".json")
		t.Run(lang, func(t *testing.T) {
			got := slices.Sorted(maps.Keys(mustReadEmbedded(t, lang)))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("keys of %s.json differ from en.json (-en +%s):\n%s", lang, lang, diff)
			}
		})
	}
}

// TestCatalogs_Translated catches an English text pasted into another catalog. The exceptions
// are words the language has borrowed from English.
func TestCatalogs_Translated(t *testing.T) {
	loanwords := map[string]bool{"it page.login.password": true, "de portal.role.Admin": true, "de portal.field.name": true,
		"fr portal.field.actions": true, "fr portal.nav.contacts": true,
		"de portal.logs.person": true, "de portal.clients.name": true, "de portal.idps.status": true, "fr portal.clients.kind": true,
		"fr portal.clients.public": true, "fr portal.idps.audience": true, "nl portal.clients.scopes": true, "nl portal.idps.status": true,
		"de page.account.portal": true, "es page.account.portal": true}
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for i, lang := range c.languages[1:] {
		for code, msg := range c.messages[i+1] {
			if msg == c.messages[0][code] && !loanwords[lang+" "+code] {
				t.Errorf("%s %s: message is the English text %q", lang, code, msg)
			}
		}
	}
}

func mustReadEmbedded(t *testing.T, lang string) map[string]string {
	t.Helper()
	msgs, err := readCatalog(embedded, lang)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func TestLoad(t *testing.T) {
	const en = `{"A": "a", "B": "b"}`
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string // "" for success
	}{
		{"OK", map[string]string{"en": en, "de": `{"B": "b-de", "A": "a-de"}`}, ""},
		{"OnlyEnglish", map[string]string{"en": en}, ""},
		{"ErrNoEnglish", map[string]string{"de": `{"A": "a"}`}, "i18n: no en catalog"},
		{"ErrMissingKey", map[string]string{"en": en, "fr": `{"A": "a-fr"}`},
			"i18n: catalog fr: keys differ from en: missing [B], extra []"},
		{"ErrExtraKey", map[string]string{"en": en, "fr": `{"A": "x", "B": "y", "C": "z"}`},
			"i18n: catalog fr: keys differ from en: missing [], extra [C]"},
		{"ErrNotCanonicalName", map[string]string{"en": en, "DE": en},
			"i18n: catalog catalog/DE.json: file name is not a canonical language tag"},
		{"ErrBadName", map[string]string{"en": en, "de_DE": en},
			"i18n: catalog catalog/de_DE.json: file name is not a canonical language tag"},
		{"ErrSyntax", map[string]string{"en": `{"A": "a",}`}, "i18n: catalog en: malformed JSON: invalid character '}' looking for beginning of object key string"},
		{"ErrTruncated", map[string]string{"en": `{"A": "a"`}, "i18n: catalog en: malformed JSON: EOF"},
		{"ErrArray", map[string]string{"en": `["a"]`}, `i18n: catalog en: malformed catalog: got [, want "{"`},
		{"ErrNested", map[string]string{"en": `{"A": {"x": "y"}}`}, `i18n: catalog en: key "A": malformed catalog: got {, want a string`},
		{"ErrNumber", map[string]string{"en": `{"A": 1}`}, `i18n: catalog en: key "A": malformed catalog: got 1, want a string`},
		{"ErrDuplicateKey", map[string]string{"en": `{"A": "a", "A": "b"}`}, `i18n: catalog en: key "A": duplicate key`},
		{"ErrEmptyMessage", map[string]string{"en": `{"A": " "}`}, `i18n: catalog en: key "A": empty message`},
		{"ErrEmptyKey", map[string]string{"en": `{"": "a"}`}, `i18n: catalog en: empty key`},
		{"ErrTrailingData", map[string]string{"en": `{"A": "a"} {}`}, `i18n: catalog en: data after the JSON object`},
		{"VerbsReordered", map[string]string{"en": `{"A": "a", "B": "%[1]s %[2]s"}`, "de": `{"A": "a-de", "B": "%[2]s %[1]s"}`}, ""},
		{"ErrVerbMissing", map[string]string{"en": `{"A": "a %s", "B": "b"}`, "nl": `{"A": "a", "B": "b"}`},
			`i18n: catalog nl: key "A": formatting verbs [] differ from en's [%s]`},
		{"ErrVerbExtra", map[string]string{"en": `{"A": "a", "B": "b %s"}`, "nl": `{"A": "a %s", "B": "b %s"}`},
			`i18n: catalog nl: key "A": formatting verbs [%s] differ from en's []`},
		{"ErrVerbChanged", map[string]string{"en": `{"A": "a", "B": "100%% %s"}`, "nl": `{"A": "a", "B": "%d"}`},
			`i18n: catalog nl: key "B": formatting verbs [%d] differ from en's [%s]`},
		{"Area", map[string]string{"en": `{"A": "a"}`, "de": `{"A": "a-de"}`, "area/en": `{"B": "b"}`, "area/de": `{"B": "b-de"}`}, ""},
		{"ErrAreaMissesLanguage", map[string]string{"en": `{"A": "a"}`, "de": `{"A": "a-de"}`, "area/en": `{"B": "b"}`},
			"i18n: open catalog area/de: open catalog/area/de.json: file does not exist"},
		{"ErrAreaMissesKey", map[string]string{"en": `{"A": "a"}`, "de": `{"A": "a-de"}`, "area/en": `{"B": "b"}`, "area/de": `{"C": "c"}`},
			"i18n: catalog de: keys differ from en: missing [B], extra [C]"},
		{"ErrKeyInTwoFiles", map[string]string{"en": `{"A": "a"}`, "area/en": `{"A": "b"}`},
			`i18n: catalog area/en: key "A": duplicate key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for lang, body := range tt.files {
				fsys["catalog/"+lang+".json"] = &fstest.MapFile{Data: []byte(body)}
			}
			c, err := load(fsys)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			want := "a"
			if _, ok := tt.files["de"]; ok {
				want = "a-de"
			}
			if got, _ := c.Text(c.Match("de"), "A"); got != want {
				t.Errorf("Text(de, A) = %q, want %q", got, want)
			}
		})
	}
}

// TestText_FallsBackToEnglishText covers a catalog lacking a code, which New rejects today but
// which Text still handles so that a partial catalog would never yield an empty message.
func TestText_FallsBackToEnglishText(t *testing.T) {
	fsys := fstest.MapFS{
		"catalog/en.json": {Data: []byte(`{"A": "a-en"}`)},
		"catalog/de.json": {Data: []byte(`{"A": "a-de"}`)},
	}
	c, err := load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	c.messages[1] = map[string]string{}
	if got, _ := c.Text("de", "A"); got != "a-en" {
		t.Errorf("got %q, want %q", got, "a-en")
	}
	if got, want := c.UserMessage("de", &keyward.Error{Code: "A"}), "a-en"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
