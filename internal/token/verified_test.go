package token

import (
	"fmt"
	"slices"
	"testing"
)

var testType = Type{Typ: "at+jwt", Name: "access tokens"}

// inKeys is an inService that reports the keys given.
func inKeys(keys ...*signingKey) func(*signingKey) bool {
	return func(k *signingKey) bool { return slices.Contains(keys, k) }
}

// TestVerifiedTokens_KeyInServiceAndType: a remembered token counts only while the key that
// verified it is among the keys in service, so that retiring a key ends its tokens even when
// they name no kid and every key is tried, and only as the type it verified as.
func TestVerifiedTokens_KeyInServiceAndType(t *testing.T) {
	var v verifiedTokens
	a, b := &signingKey{id: "a"}, &signingKey{id: "b"}
	v.remember("t", testType, a, []byte(`{"sub":"u"}`))
	if p, ok := v.lookup("t", testType, inKeys(b, a)); !ok || string(p) != `{"sub":"u"}` {
		t.Errorf("lookup with its key in service = %q, %v; want the payload", p, ok)
	}
	if p, ok := v.lookup("t", testType, inKeys(b)); ok {
		t.Errorf("lookup after its key retired = %q, want a miss", p)
	}
	if p, ok := v.lookup("t", Type{Typ: "device+jwt", Name: "device keys"}, inKeys(a)); ok {
		t.Errorf("lookup as another type = %q, want a miss", p)
	}
	if _, ok := v.lookup("u", testType, inKeys(a, b)); ok {
		t.Error("lookup of a token never verified hit")
	}
}

// TestVerifiedTokens_Bounded: however many tokens pass, at most verifiedCap are remembered, and
// the newest is among them.
func TestVerifiedTokens_Bounded(t *testing.T) {
	var v verifiedTokens
	k := &signingKey{id: "a"}
	for i := range verifiedCap + 100 {
		v.remember(fmt.Sprint("t", i), testType, k, nil)
	}
	if n := len(v.entries); n != verifiedCap {
		t.Errorf("%d tokens remembered, want %d", n, verifiedCap)
	}
	if _, ok := v.lookup(fmt.Sprint("t", verifiedCap+99), testType, inKeys(k)); !ok {
		t.Error("the newest token is not remembered")
	}
}
