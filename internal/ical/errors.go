package ical

import (
	"fmt"

	"github.com/keyward/keyward/internal/keyward"
)

// at prefixes a detail with its line when the line is known (line > 0).
func at(line int, format string, a ...any) string {
	msg := fmt.Sprintf(format, a...)
	if line > 0 {
		return fmt.Sprintf("line %d: %s", line, msg)
	}
	return msg
}

// malformed is TimeRestrictionIcalMalformed: not RFC 5545 or outside the accepted subset.
func malformed(line int, format string, a ...any) *keyward.Error {
	return keyward.ErrTimeRestrictionIcalMalformed.WithDetails("%s", at(line, format, a...))
}

// tooComplex is TimeRestrictionIcalTooComplex: a limit on events, BYDAY values, COUNT or EXDATEs.
func tooComplex(line int, format string, a ...any) *keyward.Error {
	return keyward.ErrTimeRestrictionIcalTooComplex.WithDetails("%s", at(line, format, a...))
}

// illegalZone is TimeRestrictionIcalIllegalTimezone: an unknown TZID, a floating time or mixed zones.
func illegalZone(line int, format string, a ...any) *keyward.Error {
	return keyward.ErrTimeRestrictionIcalIllegalTimezone.WithDetails("%s", at(line, format, a...))
}
