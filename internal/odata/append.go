package odata

// MemberAppender is an entity that appends its own JSON object. A list of such entities is
// written without encoding/json's reflection, and $select keeps its members as they are
// written instead of in a pass over the encoded list: the log export's pages of 500 entries
// spent a third of their CPU in the two.
type MemberAppender interface {
	// JSONMembers names the object's members in the order AppendJSON writes them; there are at
	// most 64.
	JSONMembers() []string
	// AppendJSON appends the object as encoding/json encodes it (escapes included), with only the
	// members whose bit (1 << their index in JSONMembers) is set in keep; a nil entity is null.
	AppendJSON(dst []byte, keep uint64) []byte
}

// AppendList appends items as a JSON array, each with the members that fields names, compared
// case-insensitively as Select compares them (all of them without fields). ok is false, and
// nothing is appended, when T does not append itself; the caller then encodes the list.
func AppendList[T any](dst []byte, items []T, fields []string) (out []byte, ok bool) {
	if !Appends(items) {
		return dst, false
	}
	keep := members(any(items[0]).(MemberAppender).JSONMembers(), fields)
	dst = append(dst, '[')
	for i, item := range items {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = any(item).(MemberAppender).AppendJSON(dst, keep)
	}
	return append(dst, ']'), true
}

// Appends reports whether AppendList writes items: they are not empty, and T appends itself.
func Appends[T any](items []T) bool {
	if len(items) == 0 {
		return false
	}
	_, ok := any(items[0]).(MemberAppender)
	return ok
}

// members is the keep mask of AppendJSON for the members that fields names: every member
// without fields.
func members(names, fields []string) uint64 {
	if len(fields) == 0 {
		return ^uint64(0)
	}
	var keep uint64
	for i, name := range names {
		if selected(name, fields) {
			keep |= 1 << i
		}
	}
	return keep
}
