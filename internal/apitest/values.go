package apitest

import "testing"

// Ptr returns a pointer to v, for the optional fields of requests and entities.
func Ptr[T any](v T) *T { return &v }

// Must takes a call's results and returns a check that fails t on an error, for fixtures built
// through Go calls: Must(f())(t).
func Must[T any](v T, err error) func(t testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// Must2 is Must for calls with two results.
func Must2[T, U any](v T, u U, err error) func(t testing.TB) (T, U) {
	return func(t testing.TB) (T, U) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v, u
	}
}
