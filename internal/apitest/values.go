package apitest

import "testing"

// Ptr returns a pointer to a copy of v, for the optional fields of requests and filters.
func Ptr[T any](v T) *T { return &v }

// Deref returns what p points to, or the zero value for nil.
func Deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// Check takes a call's results and returns a check that fails t on an error, for fixtures
// built through Go calls: Check(f())(t).
func Check[T any](v T, err error) func(t testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// Check2 is Check for calls with two results.
func Check2[T, U any](v T, u U, err error) func(t testing.TB) (T, U) {
	return func(t testing.TB) (T, U) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v, u
	}
}
