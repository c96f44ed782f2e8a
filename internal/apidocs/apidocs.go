// Package apidocs renders the OpenAPI document as the HTML page /docs: operations grouped by
// tag with their parameters, request and response schemas and error codes, then every schema.
// The page is rendered once, on the server, from the parsed document: it needs no script, no
// font and no network, so it works offline and under a policy that allows nothing but its own
// style sheet.
package apidocs

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed page.html
var pageHTML string

//go:embed page.css
var pageCSS string

// methodOrder is the order in which a path's operations are listed.
var methodOrder = []string{"GET", "HEAD", "PUT", "POST", "PATCH", "DELETE", "OPTIONS", "TRACE"}

// Handler serves the rendered page.
type Handler struct {
	render func() (*page, error)
}

// page is the rendered page and the policy that allows its style sheet.
type page struct {
	html []byte
	csp  string
}

// New parses and validates spec and renders its page; an invalid document is an error.
func New(spec []byte) (*Handler, error) {
	p, err := renderPage(spec)
	if err != nil {
		return nil, err
	}
	return &Handler{render: func() (*page, error) { return p, nil }}, nil
}

// Deferred is New that renders the page on its first request instead of now. Loading,
// validating and rendering the document takes most of a server's start (about 170 ms, against a
// few for the rest), and the document is embedded in the binary: whether it renders is decided
// when the binary is built, and the tests render it (New). Should it fail all the same, /docs
// answers 500 and the rest of the server is unaffected.
func Deferred(spec []byte) *Handler {
	return &Handler{render: sync.OnceValues(func() (*page, error) { return renderPage(spec) })}
}

// renderPage parses and validates spec and renders its page.
func renderPage(spec []byte) (*page, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("apidocs: load: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("apidocs: invalid document: %w", err)
	}
	tmpl, err := template.New("page").Funcs(template.FuncMap{"paragraphs": paragraphs}).Parse(pageHTML)
	if err != nil {
		return nil, fmt.Errorf("apidocs: template: %w", err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, buildView(doc, string(spec))); err != nil {
		return nil, fmt.Errorf("apidocs: render: %w", err)
	}
	sum := sha256.Sum256([]byte(pageCSS))
	csp := "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	return &page{html: buf.Bytes(), csp: csp}, nil
}

// ServeHTTP answers GET and HEAD with the page; the page is public, like the document itself.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p, err := h.render()
	if err != nil {
		http.Error(w, "the documentation could not be rendered", http.StatusInternalServerError)
		return
	}
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", p.csp)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Cache-Control", "no-cache")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(p.html)
}

// view is what the template renders.
type view struct {
	Title, Version string
	Description    string
	CSS            template.CSS
	Tags           []tagView
	Schemas        []schemaView
}

type tagView struct {
	Name, Description string
	Operations        []opView
}

type opView struct {
	ID, Method, Path, Summary, Description string
	Servers                                []string
	Security                               string
	Parameters                             []paramView
	Request                                []contentView
	RequestRequired                        bool
	Responses                              []responseView
}

type paramView struct {
	Name, In, Type, Description string
	Required                    bool
}

type contentView struct {
	MediaType string
	Schema    schemaText
}

type responseView struct {
	Status, Description string
	Content             []contentView
	ErrorCodes          []string
}

type schemaView struct {
	Name, Description string
	Schema            schemaText
	Fields            []fieldView
}

type fieldView struct {
	Name, Type, Description string
	Required                bool
}

// schemaText is a schema in one line: a link to a named schema, or its type.
type schemaText struct {
	Ref  string // the component's name, linked
	Text string
}

// buildView gathers the operations by tag, in the document's order of tags and paths.
func buildView(doc *openapi3.T, src string) view {
	v := view{Title: doc.Info.Title, Version: doc.Info.Version, Description: doc.Info.Description, CSS: template.CSS(pageCSS)}
	byTag := map[string]int{}
	for _, t := range doc.Tags {
		byTag[t.Name] = len(v.Tags)
		v.Tags = append(v.Tags, tagView{Name: t.Name, Description: t.Description})
	}
	paths := doc.Paths.Map()
	order := make([]string, 0, len(paths))
	for p := range paths {
		order = append(order, p)
	}
	slices.SortFunc(order, func(a, b string) int { return cmp.Compare(position(src, a), position(src, b)) })
	for _, p := range order {
		item := paths[p]
		ops := item.Operations()
		for _, m := range methodOrder {
			op := ops[m]
			if op == nil {
				continue
			}
			ov := operationView(m, p, item, op)
			tag := "default"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			i, ok := byTag[tag]
			if !ok {
				i = len(v.Tags)
				byTag[tag] = i
				v.Tags = append(v.Tags, tagView{Name: tag})
			}
			v.Tags[i].Operations = append(v.Tags[i].Operations, ov)
		}
	}
	v.Tags = slices.DeleteFunc(v.Tags, func(t tagView) bool { return len(t.Operations) == 0 })
	names := make([]string, 0, len(doc.Components.Schemas))
	for n := range doc.Components.Schemas {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		v.Schemas = append(v.Schemas, componentView(n, doc.Components.Schemas[n]))
	}
	return v
}

// position is where a path's key stands in the document, so that the page keeps its order.
func position(src, path string) int {
	if i := strings.Index(src, "\n  "+path+":"); i >= 0 {
		return i
	}
	return len(src)
}

func operationView(method, path string, item *openapi3.PathItem, op *openapi3.Operation) opView {
	ov := opView{ID: op.OperationID, Method: method, Path: path, Summary: op.Summary, Description: op.Description, Security: securityText(op)}
	for _, s := range item.Servers {
		ov.Servers = append(ov.Servers, s.URL)
	}
	for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
		if p.Value == nil {
			continue
		}
		ov.Parameters = append(ov.Parameters, paramView{Name: p.Value.Name, In: p.Value.In, Type: schemaOf(p.Value.Schema).Text, Description: p.Value.Description, Required: p.Value.Required})
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		ov.Request = contentViews(op.RequestBody.Value.Content)
		ov.RequestRequired = op.RequestBody.Value.Required
	}
	statuses := make([]string, 0, op.Responses.Len())
	for s := range op.Responses.Map() {
		statuses = append(statuses, s)
	}
	slices.Sort(statuses)
	for _, s := range statuses {
		r := op.Responses.Value(s).Value
		if r == nil {
			continue
		}
		ov.Responses = append(ov.Responses, responseView{Status: s, Description: deref(r.Description), Content: contentViews(r.Content), ErrorCodes: errorCodes(r.Description)})
	}
	return ov
}

// securityText says what an operation needs: nothing, a bearer token, or OAuth scopes.
func securityText(op *openapi3.Operation) string {
	if op.Security == nil || len(*op.Security) == 0 {
		return "none"
	}
	var parts []string
	for _, req := range *op.Security {
		for scheme, scopes := range req {
			if len(scopes) == 0 {
				parts = append(parts, scheme)
				continue
			}
			parts = append(parts, scheme+" ("+strings.Join(scopes, ", ")+")")
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// errorCodes picks the `Code` names a response's description gives, such as `Duplicate` or
// `invalid_client`, so that the page lists them next to the status.
func errorCodes(desc *string) []string {
	var codes []string
	parts := strings.Split(deref(desc), "`")
	for i := 1; i < len(parts); i += 2 {
		c := parts[i]
		if c != "" && !strings.ContainsAny(c, " =.:/\"{}") && !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	return codes
}

func contentViews(c openapi3.Content) []contentView {
	types := make([]string, 0, len(c))
	for mt := range c {
		types = append(types, mt)
	}
	slices.Sort(types)
	var out []contentView
	for _, mt := range types {
		out = append(out, contentView{MediaType: mt, Schema: schemaOf(c[mt].Schema)})
	}
	return out
}

func componentView(name string, ref *openapi3.SchemaRef) schemaView {
	sv := schemaView{Name: name}
	s := ref.Value
	if s == nil {
		return sv
	}
	sv.Description = s.Description
	sv.Schema = typeOf(s)
	required := slices.Clone(s.Required)
	props := map[string]*openapi3.SchemaRef{}
	var order []string
	collect(s, props, &order, &required)
	for _, p := range order {
		pv := props[p]
		f := fieldView{Name: p, Type: schemaOf(pv).Text, Required: slices.Contains(required, p)}
		if pv.Value != nil {
			f.Description = pv.Value.Description
		}
		if pv.Ref != "" {
			f.Type = refName(pv.Ref)
		}
		sv.Fields = append(sv.Fields, f)
	}
	return sv
}

// collect gathers a schema's properties with those of its allOf members, so that a composed
// schema shows every field it has.
func collect(s *openapi3.Schema, props map[string]*openapi3.SchemaRef, order *[]string, required *[]string) {
	for _, member := range s.AllOf {
		if member.Value != nil {
			*required = append(*required, member.Value.Required...)
			collect(member.Value, props, order, required)
		}
	}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if _, seen := props[n]; !seen {
			*order = append(*order, n)
		}
		props[n] = s.Properties[n]
	}
}

// schemaOf is a schema as a link to its component, or as its type.
func schemaOf(ref *openapi3.SchemaRef) schemaText {
	if ref == nil {
		return schemaText{}
	}
	if ref.Ref != "" {
		return schemaText{Ref: refName(ref.Ref)}
	}
	if ref.Value == nil {
		return schemaText{}
	}
	return typeOf(ref.Value)
}

// typeOf writes a schema's type: "array of X", "string (date-time)", "one of: a, b".
func typeOf(s *openapi3.Schema) schemaText {
	if s.Type != nil && s.Type.Is("array") && s.Items != nil {
		item := schemaOf(s.Items)
		return schemaText{Text: "array of " + cmp.Or(item.Ref, item.Text)}
	}
	var types []string
	if s.Type != nil {
		types = s.Type.Slice()
	}
	t := strings.Join(types, " or ")
	if s.Format != "" {
		t += " (" + s.Format + ")"
	}
	if len(s.Enum) > 0 {
		var vals []string
		for _, e := range s.Enum {
			if e == nil {
				vals = append(vals, "null")
				continue
			}
			vals = append(vals, fmt.Sprintf("%q", fmt.Sprint(e)))
		}
		t += " one of " + strings.Join(vals, ", ")
	}
	if len(s.AllOf) > 0 {
		var parts []string
		for _, m := range s.AllOf {
			st := schemaOf(m)
			parts = append(parts, cmp.Or(st.Ref, st.Text))
		}
		t = strings.TrimSpace(t + " all of " + strings.Join(parts, ", "))
	}
	return schemaText{Text: strings.TrimSpace(t)}
}

func refName(ref string) string { return ref[strings.LastIndexByte(ref, '/')+1:] }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// paragraphs splits a description into its paragraphs, for <p> elements.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.TrimSpace(s), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
