package apitest

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
