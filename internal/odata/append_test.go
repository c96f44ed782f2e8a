package odata_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

// appenders are the domain's entities that append themselves; TestAppendList_EveryAppenderTested
// fails when the domain gains one that is not here.
var appenders = []odata.MemberAppender{(*keyward.LogEntry)(nil)}

// TestAppendList_EqualsEncoding: for every entity that appends itself, a list of random values
// with random $select fields (none, each member, random sets in any letter case, unknown names)
// is written byte for byte as encoding/json and Select write it, and its members are its
// struct's JSON fields in their order.
func TestAppendList_EqualsEncoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, a := range appenders {
		typ := reflect.TypeOf(a).Elem()
		t.Run(typ.Name(), func(t *testing.T) {
			members := a.JSONMembers()
			if tags := jsonTags(typ); !slices.Equal(members, tags) {
				t.Fatalf("JSONMembers = %v, the struct's fields are %v", members, tags)
			}
			fieldSets := [][]string{nil, {"noSuchMember"}}
			for _, m := range members {
				fieldSets = append(fieldSets, []string{m}, []string{strings.ToUpper(m)})
			}
			for range 40 {
				var set []string
				for _, m := range members {
					if rng.IntN(2) == 0 {
						set = append(set, randomCase(rng, m))
					}
				}
				fieldSets = append(fieldSets, append(set, "unknown"))
			}
			for range 30 {
				items := reflect.MakeSlice(reflect.SliceOf(reflect.PointerTo(typ)), 0, 8)
				for range 1 + rng.IntN(8) {
					if rng.IntN(10) == 0 {
						items = reflect.Append(items, reflect.Zero(reflect.PointerTo(typ)))
						continue
					}
					v := reflect.New(typ)
					fillRandom(rng, v.Elem())
					items = reflect.Append(items, v)
				}
				for _, fields := range fieldSets {
					assertAppendsAsEncoded(t, items.Interface(), fields)
				}
			}
		})
	}
}

// assertAppendsAsEncoded compares AppendList of items (a slice of appenders) with what the
// encoder and Select answer for them.
func assertAppendsAsEncoded(t *testing.T, items any, fields []string) {
	t.Helper()
	list := reflect.ValueOf(items)
	appenders := make([]odata.MemberAppender, list.Len())
	for i := range appenders {
		appenders[i] = list.Index(i).Interface().(odata.MemberAppender)
	}
	got, ok := odata.AppendList([]byte("prefix"), appenders, fields)
	if !ok {
		t.Fatalf("AppendList of %T was not appended", items)
	}
	var want []byte
	if len(fields) == 0 {
		var err error
		if want, err = json.Marshal(items); err != nil {
			t.Fatal(err)
		}
	} else {
		sel, err := odata.Select(items, fields)
		if err != nil {
			t.Fatal(err)
		}
		want = sel.(json.RawMessage)
	}
	if string(got) != "prefix"+string(want) {
		t.Fatalf("$select=%v:\nappended %s\nencoded  prefix%s", fields, got, want)
	}
}

// TestAppendList_NotAnAppender: a list of entities that do not append themselves is left to the
// encoder, and so is an empty one.
func TestAppendList_NotAnAppender(t *testing.T) {
	type plain struct{ ID string }
	if out, ok := odata.AppendList([]byte("x"), []*plain{{ID: "a"}}, nil); ok || string(out) != "x" {
		t.Errorf("odata.AppendList(plain) = %q, %v; want x, false", out, ok)
	}
	if out, ok := odata.AppendList([]byte("x"), []*keyward.LogEntry{}, nil); ok || string(out) != "x" {
		t.Errorf("odata.AppendList(empty) = %q, %v; want x, false", out, ok)
	}
}

// TestAppendList_EveryAppenderTested scans the domain package for JSONMembers methods: each
// receiver must be in appenders, so that a new appender is compared with the encoder too, and
// have at most the 64 members its keep mask can name.
func TestAppendList_EveryAppenderTested(t *testing.T) {
	files, err := filepath.Glob("../keyward/*.go")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "JSONMembers" {
				continue
			}
			recv := fn.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			found = append(found, recv.(*ast.Ident).Name)
		}
	}
	var tested []string
	for _, a := range appenders {
		tested = append(tested, reflect.TypeOf(a).Elem().Name())
		if n := len(a.JSONMembers()); n > 64 { // the keep mask has a bit for each
			t.Errorf("%T has %d members; an appender has at most 64", a, n)
		}
	}
	slices.Sort(found)
	slices.Sort(tested)
	if len(found) == 0 || !slices.Equal(found, tested) {
		t.Errorf("the domain's appenders are %v; appenders holds %v", found, tested)
	}
}

// jsonTags are the JSON member names of typ's fields, in their order.
func jsonTags(typ reflect.Type) []string {
	var tags []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "-" && f.IsExported() {
			tags = append(tags, name)
		}
	}
	return tags
}

// fillRandom sets every field of the struct v to a random value of its type.
func fillRandom(rng *rand.Rand, v reflect.Value) {
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Interface().(type) {
		case string:
			f.SetString(randomString(rng))
		case *string:
			if rng.IntN(3) > 0 {
				s := randomString(rng)
				f.Set(reflect.ValueOf(&s))
			}
		case int64:
			f.SetInt(rng.Int64() >> rng.IntN(64))
		case keyward.Time:
			f.Set(reflect.ValueOf(randomTime(rng)))
		default:
			panic("fillRandom: no generator for " + f.Type().String())
		}
	}
}

// randomString draws from characters the fast path copies and those the encoder escapes or
// replaces: quotes, backslashes, HTML characters, control characters, U+2028 and U+2029,
// non-ASCII and invalid UTF-8.
func randomString(rng *rand.Rand) string {
	pieces := []string{"a", "Z", "0", "-", " ", "~", `"`, `\`, "<", ">", "&", "\n", "\t", "\x00", "\x1f", "\x7f",
		"é", "€", "\u2028", "\u2029", "😀", "\xff", "\xc3"}
	var b strings.Builder
	for range rng.IntN(12) {
		if rng.IntN(3) == 0 {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		} else {
			b.WriteString(pieces[rng.IntN(6)])
		}
	}
	return b.String()
}

// randomTime is an instant in any zone and at any precision, now and then outside the years
// 0–9999, which the wire format writes its own way.
func randomTime(rng *rand.Rand) keyward.Time {
	const year = 365 * 24 * time.Hour
	base := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(292 * year))))
	base = base.AddDate(rng.IntN(9999), 0, 0)
	switch rng.IntN(10) {
	case 0:
		base = base.AddDate(9000, 0, 0)
	case 1:
		base = base.AddDate(-base.Year()-1-rng.IntN(3), 0, 0)
	case 2:
		base = base.In(time.FixedZone("", rng.IntN(28*3600)-14*3600))
	}
	return keyward.Time{Time: base}
}

// randomCase changes the letter case of some of s's letters.
func randomCase(rng *rand.Rand, s string) string {
	b := []byte(s)
	for i, c := range b {
		if rng.IntN(3) == 0 && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
