package i18n

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// embedded holds one catalog per language, named by its BCP 47 tag ("de.json"), and the catalogs
// of areas that own their texts (the portal's pages), one directory per area with a file per
// language ("portal/de.json"). Every area has every language; a key lives in one file only.
//
//go:embed catalog/*.json catalog/*/*.json
var embedded embed.FS

// catalogDir is the directory of the catalogs inside the file system given to load.
const catalogDir = "catalog"

// load reads every catalog in fsys and checks that all of them carry exactly English's keys, each
// with English's formatting verbs.
func load(fsys fs.FS) (*Catalog, error) {
	langs, err := catalogLanguages(fsys)
	if err != nil {
		return nil, err
	}
	c := &Catalog{languages: langs}
	tags := make([]language.Tag, len(langs))
	for i, lang := range langs {
		msgs, err := readCatalog(fsys, lang)
		if err != nil {
			return nil, err
		}
		c.messages = append(c.messages, msgs)
		tags[i] = language.Make(lang)
	}
	for i, lang := range langs[1:] {
		if err := sameKeys(c.messages[0], c.messages[i+1]); err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", lang, err)
		}
		if err := sameVerbs(c.messages[0], c.messages[i+1]); err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", lang, err)
		}
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// catalogLanguages lists the catalogs' languages, English first so that the matcher falls back to
// it, then the others sorted. A file name must be a canonical tag so that "DE.json" or
// "de_DE.json" cannot shadow or duplicate a language.
func catalogLanguages(fsys fs.FS) ([]string, error) {
	names, err := fs.Glob(fsys, catalogDir+"/*.json")
	if err != nil {
		return nil, fmt.Errorf("i18n: list catalogs: %w", err)
	}
	var others []string
	hasDefault := false
	for _, name := range names {
		lang := strings.TrimSuffix(path.Base(name), ".json")
		tag, err := language.Parse(lang)
		if err != nil || tag.String() != lang {
			return nil, fmt.Errorf("i18n: catalog %s: file name is not a canonical language tag", name)
		}
		if lang == defaultLanguage {
			hasDefault = true
			continue
		}
		others = append(others, lang)
	}
	if !hasDefault {
		return nil, fmt.Errorf("i18n: no %s catalog", defaultLanguage)
	}
	slices.Sort(others)
	return append([]string{defaultLanguage}, others...), nil
}

// readCatalog reads and decodes the catalog of one language: its main file and its file in
// every area directory, which must exist so that no area is missing a language, and must not
// repeat a key of another file.
func readCatalog(fsys fs.FS, lang string) (map[string]string, error) {
	areas, err := fs.Glob(fsys, catalogDir+"/*/"+defaultLanguage+".json")
	if err != nil {
		return nil, fmt.Errorf("i18n: list catalog areas: %w", err)
	}
	msgs := make(map[string]string)
	files := []string{catalogDir + "/" + lang + ".json"}
	for _, a := range areas {
		files = append(files, path.Join(path.Dir(a), lang+".json"))
	}
	for _, name := range files {
		if err := readCatalogFile(fsys, name, msgs); err != nil {
			return nil, err
		}
	}
	return msgs, nil
}

// readCatalogFile decodes one file of a catalog into msgs.
func readCatalogFile(fsys fs.FS, name string, msgs map[string]string) error {
	label := strings.TrimSuffix(strings.TrimPrefix(name, catalogDir+"/"), ".json") // "de", "portal/de"
	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("i18n: open catalog %s: %w", label, err)
	}
	defer f.Close()
	if err := decodeMessages(f, msgs); err != nil {
		return fmt.Errorf("i18n: catalog %s: %w", label, err)
	}
	return nil
}

// decodeMessages decodes a flat JSON object of non-empty strings. It walks the tokens instead of
// unmarshalling into a map because a map silently keeps the last of two equal keys.
func decodeMessages(r io.Reader, msgs map[string]string) error {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := nextString(dec)
		if err != nil {
			return err
		}
		msg, err := nextString(dec)
		if err != nil {
			return fmt.Errorf("key %q: %w", key, err)
		}
		if err := addMessage(msgs, key, msg); err != nil {
			return err
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON object")
	}
	return nil
}

// addMessage stores one entry, rejecting what would reach a user as an empty or ambiguous text.
func addMessage(msgs map[string]string, key, msg string) error {
	switch {
	case key == "":
		return errors.New("empty key")
	case strings.TrimSpace(msg) == "":
		return fmt.Errorf("key %q: empty message", key)
	}
	if _, dup := msgs[key]; dup {
		return fmt.Errorf("key %q: duplicate key", key)
	}
	msgs[key] = msg
	return nil
}

// expectDelim consumes the next token and checks that it is the delimiter want.
func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("malformed catalog: got %v, want %q", tok, want)
	}
	return nil
}

// nextString consumes the next token and checks that it is a string.
func nextString(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", fmt.Errorf("malformed JSON: %w", err)
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("malformed catalog: got %v, want a string", tok)
	}
	return s, nil
}

// sameKeys reports the keys that msgs lacks or has beyond want: a missing key would show English
// to that language's users, an extra one is a typo or a leftover nobody would ever look up.
func sameKeys(want, msgs map[string]string) error {
	var missing, extra []string
	for k := range want {
		if _, ok := msgs[k]; !ok {
			missing = append(missing, k)
		}
	}
	for k := range msgs {
		if _, ok := want[k]; !ok {
			extra = append(extra, k)
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return nil
	}
	slices.Sort(missing)
	slices.Sort(extra)
	return fmt.Errorf("keys differ from %s: missing %v, extra %v", defaultLanguage, missing, extra)
}

// sameVerbs reports the first key, in key order, whose message uses other formatting verbs than
// English's: a verb too few would drop a value such as the address a link was sent to, one too
// many would show "%!s(MISSING)".
func sameVerbs(want, msgs map[string]string) error {
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		w, got := verbs(want[k]), verbs(msgs[k])
		if !slices.Equal(w, got) {
			return fmt.Errorf("key %q: formatting verbs %v differ from %s's %v", k, got, defaultLanguage, w)
		}
	}
	return nil
}

// verbs returns the sorted fmt verbs of msg, such as "%s" or "%[2]s"; "%%" is a literal percent
// sign and no verb. Sorting lets a translation change the order of explicitly indexed verbs.
func verbs(msg string) []string {
	var vs []string
	for i := strings.IndexByte(msg, '%'); i >= 0; i = strings.IndexByte(msg, '%') {
		end := i + 1
		for end < len(msg) && strings.IndexByte("[]0123456789.+-#", msg[end]) >= 0 {
			end++
		}
		end = min(end+1, len(msg)) // the verb letter
		if v := msg[i:end]; v != "%%" {
			vs = append(vs, v)
		}
		msg = msg[end:]
	}
	slices.Sort(vs)
	return vs
}
