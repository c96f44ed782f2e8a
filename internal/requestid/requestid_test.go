package requestid

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestSane(t *testing.T) {
	for id, want := range map[string]bool{
		"a": true, "req-1": true, "0f8fad5b-d9cb-469f-a165-70867728950e": true, "trace:span.01_x": true,
		strings.Repeat("x", MaxLen): true, strings.Repeat("x", MaxLen+1): false,
		"": false, "a b": false, "a,b": false, "ä": false, "a\nb": false, "a/b": false, "<script>": false,
	} {
		if got := Sane(id); got != want {
			t.Errorf("Sane(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestNew(t *testing.T) {
	a, b := New(), New()
	if len(a) != 26 || a == b || !Sane(a) {
		t.Fatalf("New() = %q, %q: want two different sane 26-character ids", a, b)
	}
}

// TestLogHandler: a record logged with a request's context carries its id, also through a
// logger derived with With; one logged without carries none.
func TestLogHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewLogHandler(slog.NewJSONHandler(&buf, nil))).With("component", "test")
	log.InfoContext(With(context.Background(), "req-7"), "inside", "k", "v")
	log.InfoContext(context.Background(), "outside")
	log.Info("no context")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("log = %q", buf.String())
	}
	for i, want := range []string{"req-7", "", ""} {
		var rec map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil {
			t.Fatal(err)
		}
		got, _ := rec["request_id"].(string)
		if got != want || rec["component"] != "test" {
			t.Errorf("line %d = %s, want request_id %q and component", i, lines[i], want)
		}
	}
}
