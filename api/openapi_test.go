package api_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/api"
	"github.com/keyward/keyward/internal/httpapi"
	"github.com/keyward/keyward/internal/keyward"
)

// stubServices satisfies the services of the Management API's resources so that httpapi.New
// accepts them; these tests only list the routes and never serve a request, so no method is
// ever called.
type stubServices struct {
	keyward.OwnerService
	keyward.PermissionService
	keyward.LockService
	keyward.LockGroupService
	keyward.ContactService
	keyward.CardService
	keyward.GrantService
	keyward.IdentityProviderService
	keyward.LogService
	keyward.DeviceService
	keyward.MobileService
}

// stubVerifier satisfies keyward.TokenVerifier for the same reason.
type stubVerifier struct{ keyward.TokenVerifier }

// routes is the Management API's route table, the source of truth the contract is checked against.
func routes(t *testing.T) []httpapi.Route {
	t.Helper()
	var s stubServices
	stub := keyward.Services{Owners: s, Permissions: s, Locks: s, LockGroups: s, Contacts: s, Cards: s, Grants: s, IdentityProviders: s, Logs: s, Devices: s, Mobiles: s}
	rs := httpapi.New(httpapi.Config{Services: stub, Verifier: stubVerifier{}}).Routes()
	if len(rs) == 0 {
		t.Fatal("httpapi.Server.Routes() returned no routes")
	}
	return rs
}

// entry is one mapping key of the YAML document: the keys from the root down to it ("-" for a
// sequence item), its value (a block scalar's text, or the inline text with quotes removed from a
// quoted scalar) and its 1-based line.
type entry struct {
	Keys  []string
	Value string
	Line  int
}

// frame is an open mapping key or sequence item while parsing.
type frame struct {
	indent int
	key    string
}

// blockScalar matches the header of a literal or folded block scalar ("|", ">-", "|2" ...).
var blockScalar = regexp.MustCompile(`^[|>][-+0-9]*$`)

// parseYAML reads the block-style subset of YAML that openapi.yaml is written in: `key: value`
// lines, `- ` sequence items, `|`/`>` block scalars, comments, and flow sequences as inline
// values. Anything else (a multi-line plain scalar, a flow mapping, a tab) is an error naming
// the line, so that the file stays readable by this test without a YAML library.
func parseYAML(src string) ([]entry, error) {
	var (
		stack []frame
		out   []entry
		block *entry // the block scalar being read, if any
		bInd  int    // indent of the key that owns block
	)
	for i, raw := range strings.Split(src, "\n") {
		line := strings.TrimRight(raw, " \r")
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		if block != nil {
			if trimmed == "" || indent > bInd {
				block.Value += trimmed + "\n"
				continue
			}
			block.Value = strings.TrimSpace(block.Value)
			block = nil
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if strings.HasPrefix(trimmed, "\t") {
			return nil, fmt.Errorf("line %d: indented with a tab", i+1)
		}
		for trimmed == "-" || strings.HasPrefix(trimmed, "- ") {
			stack = push(stack, indent, "-")
			rest := strings.TrimLeft(trimmed[1:], " ")
			indent += len(trimmed) - len(rest)
			trimmed = rest
		}
		if trimmed == "" {
			continue
		}
		key, value, ok := splitKey(trimmed)
		if !ok {
			if len(stack) == 0 || stack[len(stack)-1].key != "-" {
				return nil, fmt.Errorf("line %d: %q is not a `key: value` line", i+1, trimmed)
			}
			out = append(out, entry{Keys: keysOf(stack), Value: unquote(trimmed), Line: i + 1})
			continue
		}
		if strings.HasPrefix(value, "{") {
			return nil, fmt.Errorf("line %d: flow mapping %q; write it as a block mapping", i+1, value)
		}
		stack = push(stack, indent, key)
		out = append(out, entry{Keys: keysOf(stack), Value: unquote(value), Line: i + 1})
		if blockScalar.MatchString(value) {
			block, bInd = &out[len(out)-1], indent
			block.Value = ""
		}
	}
	if block != nil {
		block.Value = strings.TrimSpace(block.Value)
	}
	return out, nil
}

// push closes every frame at or deeper than indent and opens key there.
func push(stack []frame, indent int, key string) []frame {
	for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
		stack = stack[:len(stack)-1]
	}
	return append(stack, frame{indent: indent, key: key})
}

func keysOf(stack []frame) []string {
	keys := make([]string, len(stack))
	for i, f := range stack {
		keys[i] = f.key
	}
	return keys
}

// splitKey splits `key: value`, `key:` and `'quoted key': value`; ok is false for a plain scalar.
func splitKey(s string) (key, value string, ok bool) {
	if s[0] == '\'' || s[0] == '"' {
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 {
			return "", "", false
		}
		key, rest := s[1:1+end], s[2+end:]
		if rest == ":" {
			return key, "", true
		}
		if strings.HasPrefix(rest, ": ") {
			return key, strings.TrimSpace(rest[2:]), true
		}
		return "", "", false
	}
	if i := strings.Index(s, ": "); i >= 0 {
		return s[:i], strings.TrimSpace(s[i+2:]), true
	}
	if strings.HasSuffix(s, ":") {
		return s[:len(s)-1], "", true
	}
	return "", "", false
}

// unquote removes the quotes of a single- or double-quoted scalar (without escape sequences).
func unquote(v string) string {
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return strings.ReplaceAll(v[1:len(v)-1], "''", "'")
	}
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

// flowList reads an inline sequence such as `['read:grants', x]`.
func flowList(v string) ([]string, error) {
	if !strings.HasPrefix(v, "[") || !strings.HasSuffix(v, "]") {
		return nil, fmt.Errorf("%q is not an inline sequence", v)
	}
	var items []string
	for _, s := range strings.Split(v[1:len(v)-1], ",") {
		if s = strings.TrimSpace(s); s != "" {
			items = append(items, unquote(s))
		}
	}
	return items, nil
}

// has reports whether e's keys start with prefix and have exactly n keys.
func (e entry) has(n int, prefix ...string) bool {
	return len(e.Keys) == n && slices.Equal(e.Keys[:len(prefix)], prefix)
}

// operation is one (method, path) of the contract with its security requirements.
type operation struct {
	Method, Path string
	Line         int
	Description  string
	Declared     bool // security is present
	Security     []requirement
}

// requirement is one `- scheme: [scopes]` item of an operation's security.
type requirement struct {
	Scheme string
	Scopes []string
	Line   int
}

func (op *operation) name() string { return op.Method + " " + op.Path }

// methods are the operation keys of an OpenAPI path item; the other keys a path item may hold
// here are listed in pathItemKeys.
var (
	methods      = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
	pathItemKeys = []string{"parameters", "summary", "description", "servers"}
)

// spec is the parsed contract.
type spec struct {
	entries []entry
	ops     []*operation
}

// parseSpec reads api.OpenAPI and collects its operations, failing on anything under paths that
// is neither a path, an operation nor a path-item field.
func parseSpec(t *testing.T) *spec {
	t.Helper()
	entries, err := parseYAML(string(api.OpenAPI))
	if err != nil {
		t.Fatalf("api/openapi.yaml: %v", err)
	}
	s := &spec{entries: entries}
	byKey := map[string]*operation{}
	for _, e := range entries {
		if len(e.Keys) < 2 || e.Keys[0] != "paths" {
			continue
		}
		if len(e.Keys) == 2 {
			if !strings.HasPrefix(e.Keys[1], "/") {
				t.Errorf("api/openapi.yaml line %d: path %q does not start with /", e.Line, e.Keys[1])
			}
			continue
		}
		if len(e.Keys) == 3 {
			if !slices.Contains(methods, e.Keys[2]) {
				if !slices.Contains(pathItemKeys, e.Keys[2]) {
					t.Errorf("api/openapi.yaml line %d: %q under %s is neither an operation nor a path-item field", e.Line, e.Keys[2], e.Keys[1])
				}
				continue
			}
			op := &operation{Method: strings.ToUpper(e.Keys[2]), Path: e.Keys[1], Line: e.Line}
			s.ops = append(s.ops, op)
			byKey[strings.Join(e.Keys, "\x00")] = op
			continue
		}
		op := byKey[strings.Join(e.Keys[:3], "\x00")]
		if op == nil {
			continue
		}
		switch {
		case e.has(4, "paths", e.Keys[1], e.Keys[2], "description"):
			op.Description = e.Value
		case e.has(4, "paths", e.Keys[1], e.Keys[2], "security"):
			op.Declared = true
			if e.Value != "" && e.Value != "[]" {
				t.Errorf("api/openapi.yaml line %d: %s: security %q; write [] or a list of `- scheme: [scopes]`", e.Line, op.name(), e.Value)
			}
		case e.has(6, "paths", e.Keys[1], e.Keys[2], "security", "-"):
			scopes, err := flowList(e.Value)
			if err != nil {
				t.Errorf("api/openapi.yaml line %d: %s: security scopes: %v", e.Line, op.name(), err)
			}
			op.Security = append(op.Security, requirement{Scheme: e.Keys[5], Scopes: scopes, Line: e.Line})
		}
	}
	if len(s.ops) == 0 {
		t.Fatal("api/openapi.yaml: no operations found under paths")
	}
	return s
}

// value returns the value of the entry at keys.
func (s *spec) value(keys ...string) (string, bool) {
	for _, e := range s.entries {
		if slices.Equal(e.Keys, keys) {
			return e.Value, true
		}
	}
	return "", false
}

// components returns the names defined under components, as "section/name".
func (s *spec) components() map[string]bool {
	defined := map[string]bool{}
	for _, e := range s.entries {
		if e.has(3, "components") {
			defined[e.Keys[1]+"/"+e.Keys[2]] = true
		}
	}
	return defined
}

// refs returns every $ref entry.
func (s *spec) refs() []entry {
	var out []entry
	for _, e := range s.entries {
		if len(e.Keys) > 0 && e.Keys[len(e.Keys)-1] == "$ref" {
			out = append(out, e)
		}
	}
	return out
}

// managementPath reports whether a documented path belongs to httpapi's route table; the others
// (the authorization server, /healthz, /metrics) are checked against the running server by
// internal/app's contract tests.
func managementPath(p string) bool { return strings.HasPrefix(p, "/api/") }

// otherTrees are the path prefixes outside /api/v1 that the document may describe.
var otherTrees = []string{"/connect/", "/.well-known/", "/healthz", "/metrics"}

// TestOpenAPI_MatchesRoutes checks that the contract documents exactly the routes of the
// Management API, with the same methods and the same canonical paths, and nothing outside the
// trees the server answers.
func TestOpenAPI_MatchesRoutes(t *testing.T) {
	doc := parseSpec(t)
	routed := map[string]bool{}
	for _, r := range routes(t) {
		routed[r.Method+" "+r.Pattern] = true
	}
	documented := map[string][]int{}
	for _, op := range doc.ops {
		if !managementPath(op.Path) {
			if !slices.ContainsFunc(otherTrees, func(p string) bool { return strings.HasPrefix(op.Path, p) }) {
				t.Errorf("api/openapi.yaml line %d documents %s, outside the trees the server answers", op.Line, op.name())
			}
			continue
		}
		documented[op.name()] = append(documented[op.name()], op.Line)
	}

	t.Run("every route is documented", func(t *testing.T) {
		for _, key := range sortedKeys(routed) {
			if documented[key] == nil {
				t.Errorf("route %s is not documented in api/openapi.yaml", key)
			}
		}
	})
	t.Run("every operation is routed", func(t *testing.T) {
		for _, key := range sortedKeys(documented) {
			if !routed[key] {
				t.Errorf("api/openapi.yaml line %d documents %s, which the server does not route", documented[key][0], key)
			}
		}
	})
	t.Run("no operation is documented twice", func(t *testing.T) {
		for _, key := range sortedKeys(documented) {
			if lines := documented[key]; len(lines) > 1 {
				t.Errorf("api/openapi.yaml documents %s on lines %v", key, lines)
			}
		}
	})
}

// TestOpenAPI_Security checks that every operation declares its security: none for public
// routes, otherwise one oauth2 requirement whose scopes are known and named in the description.
// Outside the Management API an operation declares none, or the bearerToken scheme without
// scopes (userinfo).
func TestOpenAPI_Security(t *testing.T) {
	doc := parseSpec(t)
	public := map[string]bool{}
	for _, r := range routes(t) {
		public[r.Method+" "+r.Pattern] = r.Public
	}
	for _, op := range doc.ops {
		t.Run(op.name(), func(t *testing.T) {
			if !op.Declared {
				t.Fatalf("line %d: no security declared", op.Line)
			}
			if !managementPath(op.Path) {
				for _, req := range op.Security {
					if req.Scheme != "bearerToken" || len(req.Scopes) != 0 {
						t.Errorf("line %d: security %s %v, want [] or bearerToken: []", req.Line, req.Scheme, req.Scopes)
					}
				}
				return
			}
			if public[op.name()] {
				if len(op.Security) != 0 {
					t.Errorf("line %d: public route has %d security requirements, want security: []", op.Line, len(op.Security))
				}
				return
			}
			if len(op.Security) != 1 {
				t.Fatalf("line %d: got %d security requirements, want 1", op.Line, len(op.Security))
			}
			req := op.Security[0]
			if req.Scheme != "oauth2" {
				t.Errorf("line %d: security scheme %q, want oauth2", req.Line, req.Scheme)
			}
			if len(req.Scopes) == 0 {
				t.Errorf("line %d: no scope named", req.Line)
			}
			for _, sc := range req.Scopes {
				if !slices.Contains(keyward.KnownScopes, sc) {
					t.Errorf("line %d: scope %q is not in keyward.KnownScopes", req.Line, sc)
				}
				if !strings.Contains(op.Description, "`"+sc+"`") {
					t.Errorf("line %d: description does not name the scope `%s`", op.Line, sc)
				}
			}
		})
	}
}

// TestOpenAPI_Scopes checks that both OAuth flows offer exactly keyward.KnownScopes, each with a
// description.
func TestOpenAPI_Scopes(t *testing.T) {
	doc := parseSpec(t)
	want := slices.Sorted(slices.Values(keyward.KnownScopes))
	for _, flow := range []string{"clientCredentials", "authorizationCode"} {
		t.Run(flow, func(t *testing.T) {
			var got []string
			for _, e := range doc.entries {
				if e.has(7, "components", "securitySchemes", "oauth2", "flows", flow, "scopes") {
					got = append(got, e.Keys[6])
					if e.Value == "" {
						t.Errorf("line %d: scope %q has no description", e.Line, e.Keys[6])
					}
				}
			}
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("scopes of flow %s differ from keyward.KnownScopes (-want +got):\n%s", flow, diff)
			}
		})
	}
	t.Run("token endpoints", func(t *testing.T) {
		for _, tc := range []struct {
			keys []string
			want string
		}{
			{[]string{"clientCredentials", "tokenUrl"}, "/connect/token"},
			{[]string{"authorizationCode", "tokenUrl"}, "/connect/token"},
			{[]string{"authorizationCode", "authorizationUrl"}, "/connect/authorize"},
		} {
			keys := append([]string{"components", "securitySchemes", "oauth2", "flows"}, tc.keys...)
			if got, _ := doc.value(keys...); got != tc.want {
				t.Errorf("%s = %q, want %q", strings.Join(tc.keys, "."), got, tc.want)
			}
		}
	})
}

// TestOpenAPI_Refs checks that every $ref points into components and names a defined entry.
func TestOpenAPI_Refs(t *testing.T) {
	doc := parseSpec(t)
	defined := doc.components()
	refs := doc.refs()
	if len(refs) == 0 {
		t.Fatal("api/openapi.yaml: no $ref found")
	}
	for _, r := range refs {
		target, ok := strings.CutPrefix(r.Value, "#/components/")
		if !ok || strings.Count(target, "/") != 1 {
			t.Errorf("line %d: $ref %q is not of the form #/components/<section>/<name>", r.Line, r.Value)
			continue
		}
		if !defined[target] {
			t.Errorf("line %d: $ref %q: no components/%s in the file", r.Line, r.Value, target)
		}
	}
}

// TestOpenAPI_PathParameters checks that each {name} of a path is declared at path level by a
// reference to a required path parameter of the same name, and that nothing else is.
func TestOpenAPI_PathParameters(t *testing.T) {
	doc := parseSpec(t)
	placeholder := regexp.MustCompile(`\{([^}]+)\}`)
	declared := map[string][]string{}
	var paths []string
	for _, e := range doc.entries {
		if len(e.Keys) < 2 || e.Keys[0] != "paths" {
			continue
		}
		if len(e.Keys) == 2 {
			paths = append(paths, e.Keys[1])
		}
		if e.has(5, "paths", e.Keys[1], "parameters", "-", "$ref") {
			name := strings.TrimPrefix(e.Value, "#/components/parameters/")
			declared[e.Keys[1]] = append(declared[e.Keys[1]], name)
		}
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			var want []string
			for _, m := range placeholder.FindAllStringSubmatch(p, -1) {
				want = append(want, m[1])
			}
			if diff := cmp.Diff(want, declared[p]); diff != "" {
				t.Errorf("path-level parameters differ from the placeholders (-want +got):\n%s", diff)
			}
			for _, name := range want {
				for _, f := range []struct{ field, want string }{{"name", name}, {"in", "path"}, {"required", "true"}} {
					if got, _ := doc.value("components", "parameters", name, f.field); got != f.want {
						t.Errorf("components/parameters/%s %s = %q, want %q", name, f.field, got, f.want)
					}
				}
			}
		})
	}
}

// TestParseYAML pins the reader the other tests rely on, so that a parser bug cannot make them
// pass vacuously.
func TestParseYAML(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    []entry
		wantErr string
	}{
		{
			name: "OK",
			src: "# comment\npaths:\n  /a/{id}:\n    get:\n      description: |\n        Line one: `x`.\n\n        Line two.\n" +
				"      security:\n        - oauth2: ['read:x']\n    parameters:\n      - $ref: '#/components/parameters/id'\n" +
				"components:\n  schemas:\n    E:\n      enum:\n        - ''\n        - 'It''s'\n",
			want: []entry{
				{Keys: []string{"paths"}, Line: 2},
				{Keys: []string{"paths", "/a/{id}"}, Line: 3},
				{Keys: []string{"paths", "/a/{id}", "get"}, Line: 4},
				{Keys: []string{"paths", "/a/{id}", "get", "description"}, Value: "Line one: `x`.\n\nLine two.", Line: 5},
				{Keys: []string{"paths", "/a/{id}", "get", "security"}, Line: 9},
				{Keys: []string{"paths", "/a/{id}", "get", "security", "-", "oauth2"}, Value: "['read:x']", Line: 10},
				{Keys: []string{"paths", "/a/{id}", "parameters"}, Line: 11},
				{Keys: []string{"paths", "/a/{id}", "parameters", "-", "$ref"}, Value: "#/components/parameters/id", Line: 12},
				{Keys: []string{"components"}, Line: 13},
				{Keys: []string{"components", "schemas"}, Line: 14},
				{Keys: []string{"components", "schemas", "E"}, Line: 15},
				{Keys: []string{"components", "schemas", "E", "enum"}, Line: 16},
				{Keys: []string{"components", "schemas", "E", "enum", "-"}, Value: "", Line: 17},
				{Keys: []string{"components", "schemas", "E", "enum", "-"}, Value: "It's", Line: 18},
			},
		},
		{
			name:    "ErrMultiLinePlainScalar",
			src:     "info:\n  description: first line\n    second line\n",
			wantErr: `line 3: "second line" is not a ` + "`key: value`" + ` line`,
		},
		{
			name:    "ErrFlowMapping",
			src:     "paths:\n  /a:\n    get: {security: []}\n",
			wantErr: `line 3: flow mapping "{security: []}"; write it as a block mapping`,
		},
		{
			name:    "ErrTab",
			src:     "paths:\n\t/a:\n",
			wantErr: "line 2: indented with a tab",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseYAML(tc.src)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v, want nil", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("entries differ (-want +got):\n%s", diff)
			}
		})
	}
}

// sortedKeys returns m's keys in order, so that failures are reported deterministically.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
