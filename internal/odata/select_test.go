package odata

import (
	"encoding/json"
	"testing"
)

type selectEntity struct {
	ID      string   `json:"id"`
	Title   *string  `json:"title"`
	Active  bool     `json:"active"`
	Tags    []string `json:"tags"`
	Nested  any      `json:"nested"`
	Skipped string   `json:"-"`
}

func TestSelect(t *testing.T) {
	title := "Front <door> & more"
	one := &selectEntity{ID: "a1", Title: &title, Active: true, Tags: []string{"x"}, Nested: map[string]int{"id": 1}, Skipped: "s"}
	two := &selectEntity{ID: "b2"}
	tests := []struct {
		name   string
		v      any
		fields []string
		want   string
	}{
		{"KeepsOriginalOrder", one, []string{"active", "id"}, `{"id":"a1","active":true}`},
		{"CaseInsensitiveKeepsJSONKey", one, []string{"ID", "TITLE"}, `{"id":"a1","title":"Front <door> & more"}`},
		{"NullValueKept", two, []string{"title"}, `{"title":null}`},
		{"ValuesVerbatim", one, []string{"tags", "nested"}, `{"tags":["x"],"nested":{"id":1}}`},
		{"OnlyTopLevel", one, []string{"nested/id"}, `{}`},
		{"UnknownFieldIgnored", one, []string{"id", "nope"}, `{"id":"a1"}`},
		{"HiddenFieldNotSelectable", one, []string{"Skipped"}, `{}`},
		{"Slice", []*selectEntity{one, two}, []string{"id"}, `[{"id":"a1"},{"id":"b2"}]`},
		{"EmptySlice", []*selectEntity{}, []string{"id"}, `[]`},
		{"NilSlice", []*selectEntity(nil), []string{"id"}, `null`},
		{"NilEntity", (*selectEntity)(nil), []string{"id"}, `null`},
		{"NilInSlice", []*selectEntity{nil, two}, []string{"id"}, `[null,{"id":"b2"}]`},
		{"Map", map[string]int{"b": 2, "a": 1}, []string{"B"}, `{"b":2}`},
		{"StringsHoldingSyntax", map[string]any{"a": `x"}],{\`, "b": []any{"]", map[string]string{"}": "{"}}, "c": 3},
			[]string{"a", "c"}, `{"a":"x\"}],{\\","c":3}`},
		{"NestedSkipped", map[string]any{"a": []any{[]any{1, 2}, map[string]any{"x": []any{}}}, "b": true}, []string{"b"}, `{"b":true}`},
		{"EscapedKey", map[string]int{`q"k`: 1, "z": 2}, []string{`Q"K`}, `{"q\"k":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Select(tt.v, tt.fields)
			if err != nil {
				t.Fatalf("Select error: %v", err)
			}
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatalf("marshal result: %v", err)
			}
			if want := compactHTML(t, tt.want); string(b) != want {
				t.Errorf("Select(%v)\n got %s\nwant %s", tt.fields, b, want)
			}
		})
	}
}

// compactHTML is how json.Marshal writes want: it escapes <, > and & for HTML, which is the
// response encoder's choice, not Select's.
func compactHTML(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(json.RawMessage(s))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSelectEscapesAsResponses: Select's output is written as it is, so it escapes what
// json.Marshal escapes in every other response: <, > and &, and U+2028 and U+2029.
func TestSelectEscapesAsResponses(t *testing.T) {
	got, err := Select(map[string]string{"t": "<&>\u2028\u2029"}, []string{"t"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"t":"\u003c\u0026\u003e\u2028\u2029"}`
	if raw, _ := got.(json.RawMessage); string(raw) != want {
		t.Errorf("Select = %s, want %s", got, want)
	}
}

func TestSelectNoFields(t *testing.T) {
	v := &selectEntity{ID: "a"}
	got, err := Select(v, nil)
	if err != nil || got != any(v) {
		t.Errorf("Select(v, nil) = %v, %v, want v itself", got, err)
	}
}

func TestSelectErrors(t *testing.T) {
	tests := []struct {
		name string
		v    any
	}{
		{"NotAnObject", "text"},
		{"ArrayOfNumbers", []int{1, 2}},
		{"Unmarshalable", func() {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Select(tt.v, []string{"id"})
			if err == nil {
				t.Fatalf("Select = %s, want error", got)
			}
		})
	}
}
