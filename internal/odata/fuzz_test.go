package odata

import (
	"net/url"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
)

// FuzzParse checks that no $filter or $orderby text makes Parse or SQL panic, and that every
// rejection is a client error (400), never an internal one.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"title eq 'x'",
		"a eq 1 or b eq 2 and not (c eq 3)",
		"not active eq true",
		"contains(title,'50%_') and startswith(Title, 'a') or endswith(t,'z')",
		"bindDate ge 2026-01-02T03:04:05.123+01:00 and unbindDate eq null",
		"bindDate lt 2026-01-02T03:04:05 01:00",
		"rclSerialNo gt -5 and lastSeen le 1.5e3",
		"'it''s' eq title",
		"((((a))))",
		"contains(",
		"a eq 'unterminated",
		"title desc, bindDate",
		strings.Repeat("not ", 40) + "a",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(url.Values{"$filter": {s}, "$orderby": {s}, "$select": {s}, "expand": {s}})
		if err != nil {
			if e := keyward.ErrorOf(err); e == nil || e.Kind != keyward.KindInvalid {
				t.Fatalf("Parse(%q) error %v is not a 400", s, err)
			}
			q, err = Parse(url.Values{"$filter": {s}})
		}
		if err != nil {
			return
		}
		var b binder
		if _, _, err := SQL(q, testSchema(), b.bind, `"C"`); err != nil && keyward.ErrorOf(err) == nil {
			t.Fatalf("SQL of %q: internal error %v", s, err)
		}
	})
}
