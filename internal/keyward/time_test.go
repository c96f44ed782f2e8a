package keyward

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// TestTimeJSON: a time is always written with three fractional digits and Z, whatever its zone
// and even when its milliseconds end in zeros (the time.Time that Time embeds would write
// ".1Z" and "+02:00" if its MarshalJSON were the one encoding/json found), and read back from
// RFC 3339 with any offset; null leaves it unset.
func TestTimeJSON(t *testing.T) {
	vienna := time.FixedZone("CEST", 2*3600)
	for _, tt := range []struct {
		t    Time
		want string
	}{
		{TimeFromMillis(1700000000100), `"2023-11-14T22:13:20.100Z"`},
		{TimeFromMillis(1700000000000), `"2023-11-14T22:13:20.000Z"`},
		{Time{time.Date(2026, 7, 1, 9, 30, 0, 123456789, vienna)}, `"2026-07-01T07:30:00.123Z"`},
	} {
		b, err := json.Marshal(struct {
			T  Time
			P  *Time
			NP *Time
		}{tt.t, &tt.t, nil})
		want := `{"T":` + tt.want + `,"P":` + tt.want + `,"NP":null}`
		if err != nil || string(b) != want {
			t.Errorf("Marshal = %s, %v; want %s", b, err, want)
		}
	}
	var got struct{ T, N Time }
	if err := json.Unmarshal([]byte(`{"T":"2026-07-01T09:30:00.5+02:00","N":null}`), &got); err != nil {
		t.Fatal(err)
	}
	if !got.T.Equal(time.Date(2026, 7, 1, 7, 30, 0, 5e8, time.UTC)) || !got.N.IsZero() {
		t.Errorf("Unmarshal = %v, %v", got.T, got.N)
	}
}

// TestTimeAppendJSON: AppendJSON, which writes the digits itself, writes what time.Format writes
// with the wire layout, for instants across and beyond the years 0–9999, in any zone and at any
// precision.
func TestTimeAppendJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	times := []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 30, 0, 0, time.FixedZone("", 3600)), {},
	}
	for range 5000 {
		ms := rng.Int64N(2*315537897600000) - 315537897600000 // years -8000 to 12000
		times = append(times, time.UnixMilli(ms).Add(time.Duration(rng.IntN(1e6))).In(time.FixedZone("", rng.IntN(50000)-25000)))
	}
	for _, tt := range times {
		want := `"` + tt.UTC().Format(WireTimeLayout) + `"`
		if got := string(Time{tt}.AppendJSON([]byte("x"))); got != "x"+want {
			t.Fatalf("AppendJSON(%v) = %s, want x%s", tt, got, want)
		}
	}
}

// TestLoadLocation: a zone is loaded once and then answered from memory; a name that is no zone
// is refused every time and never remembered.
func TestLoadLocation(t *testing.T) {
	first, err := LoadLocation("Europe/Vienna")
	if err != nil || first.String() != "Europe/Vienna" {
		t.Fatalf("LoadLocation = %v, %v", first, err)
	}
	if again, err := LoadLocation("Europe/Vienna"); err != nil || again != first {
		t.Fatalf("the second LoadLocation = %p, %v; want the remembered %p", again, err, first)
	}
	for range 2 {
		if loc, err := LoadLocation("Mars/Olympus"); err == nil {
			t.Fatalf("LoadLocation(Mars/Olympus) = %v, want an error", loc)
		}
	}
	if _, ok := locations.Load("Mars/Olympus"); ok {
		t.Fatal("a name that is no zone was remembered")
	}
}
