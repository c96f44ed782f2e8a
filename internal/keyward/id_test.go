package keyward

import (
	"regexp"
	"sort"
	"testing"
	"time"
)

func TestNewID(t *testing.T) {
	format := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	start := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	var ids []string
	for i := 0; i < 2000; i++ {
		id := NewID(start.Add(time.Duration(i) * 500 * time.Nanosecond)) // 2000 ids within one millisecond
		if !format.MatchString(id) {
			t.Fatalf("NewID = %q is not a lower-case UUIDv7", id)
		}
		ids = append(ids, id)
	}
	sorted := append([]string(nil), ids...)
	sort.Strings(sorted)
	for i := range ids {
		if ids[i] != sorted[i] && ids[i][:18] != sorted[i][:18] {
			t.Fatalf("ids made 244ns or more apart do not sort by creation: %d: %s vs %s", i, ids[i], sorted[i])
		}
	}
	if a, b := NewID(start), NewID(start.Add(time.Millisecond)); a >= b {
		t.Fatalf("id of a later millisecond sorts first: %s >= %s", a, b)
	}
}
