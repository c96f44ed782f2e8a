package app_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/odata"
	"github.com/keyward/keyward/internal/sqlstore"
)

// literalOf is a literal of the property's type, for generated filters.
func literalOf(typ odata.Type) string {
	switch typ {
	case odata.Int:
		return "5"
	case odata.Bool:
		return "true"
	case odata.Time:
		return "2026-01-02T03:04:05Z"
	}
	return "'x'"
}

// TestOData_EveryPropertyOfEveryList is generated from the route table and the OData whitelists:
// every property of every list route, compared with eq, ne, gt and le against a value of its type
// and against null, and sorted ascending and descending, answers 200 with a JSON array.
func TestOData_EveryPropertyOfEveryList(t *testing.T) {
	forEachEngine(t, func(t *testing.T, f *fixture) {
		ids := tenants(t, f)["o1"]
		schemas := sqlstore.ListSchemas()
		lists := 0
		for _, rt := range f.routes() {
			if rt.List == "" {
				continue
			}
			lists++
			schema, ok := schemas[rt.List]
			if !ok {
				t.Fatalf("route %s lists %q, which has no OData whitelist", rt.Pattern, rt.List)
			}
			base := path(t, rt.Pattern, ids)
			for _, field := range schema {
				var options []string
				for _, op := range []string{"eq", "ne", "gt", "le"} {
					for _, v := range []string{literalOf(field.Type), "null"} {
						options = append(options, "$filter="+url.QueryEscape(field.Name+" "+op+" "+v))
					}
				}
				options = append(options, "$orderby="+url.QueryEscape(field.Name+" asc"), "$orderby="+url.QueryEscape(field.Name+" desc"))
				for _, o := range options {
					res := f.do("GET", base+"?"+o, f.token("admin"), "", nil)
					if res.status != 200 || !strings.HasPrefix(res.body, "[") {
						t.Errorf("GET %s?%s: %d %s", rt.Pattern, o, res.status, res.body)
					}
				}
			}
		}
		if lists < 10 {
			t.Fatalf("the route table has %d list routes, want at least 10", lists)
		}
	})
}
