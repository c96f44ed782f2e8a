// Package ical reads the time restrictions of grants: a subset of iCalendar (RFC 5545) that a
// lock can evaluate, as decisions §5 defines it. Parse validates a text against the subset and
// its limits; the Calendar it returns answers whether access is allowed at an instant (Allows),
// lists the access windows in a range (Windows) and finds the current or next window (Next).
// The grant service, the API that explains decisions and the lock simulator all use this one
// evaluation, so a decision is the same wherever it is made.
//
// # Accepted text
//
// Lines end in CRLF or LF; a line beginning with a space or a tab continues the previous one
// (unfolding, §3.1). Empty lines, a leading byte-order mark and white space at the end of the
// text are ignored. Property, parameter and rule-part names and enumerated values are
// case-insensitive. Parameter values may be quoted. The text must be UTF-8 without control
// characters other than the tab. Error details name the physical line of the original, folded
// text (1-based) on which the offending content line begins.
//
// The text is exactly one VCALENDAR holding 1 to 16 VEVENTs and any number of VTIMEZONEs.
// VCALENDAR may carry PRODID, VERSION, METHOD, CALSCALE (GREGORIAN only) and the descriptive
// properties of RFC 7986; a VEVENT may carry UID, DTSTAMP, SUMMARY, DESCRIPTION, LOCATION,
// STATUS, TRANSP, CLASS, PRIORITY, SEQUENCE, CREATED, LAST-MODIFIED and the other descriptive
// properties of RFC 5545, and VALARM components; all of these are ignored, as are properties and
// parameters whose names begin with X-. STATUS:CANCELLED is rejected, because a cancelled event
// must not grant access. Any other property or component, RDATE, EXRULE and RECURRENCE-ID
// included, is TimeRestrictionIcalMalformed.
//
// Each VEVENT has one DTSTART and exactly one of DTEND and DURATION:
//
//   - DTSTART, DTEND and EXDATE are DATE-TIMEs (YYYYMMDDTHHMMSS) either in UTC (ending in Z) or
//     with a TZID parameter naming a zone of the IANA database as time.LoadLocation knows it.
//     A time with neither is floating and is TimeRestrictionIcalIllegalTimezone, as is an
//     unknown TZID (Windows zone names included). All-day values (VALUE=DATE) are
//     TimeRestrictionIcalMalformed: a date has no zone, and a window of access must have one.
//   - All times of all events use one zone: "UTC" for times ending in Z (TZID=UTC is the same
//     zone), else the TZID as written. DTEND and every EXDATE use DTSTART's zone.
//   - DTEND must be after DTSTART. DURATION is a positive dur-value (PT4H, PT1H30M, P1D,
//     P1DT12H, P2W), at most 36600 days.
//   - At most one RRULE with FREQ=DAILY, WEEKLY, MONTHLY or YEARLY, INTERVAL (1 to 1000), WKST,
//     COUNT or UNTIL (not both), and BY parts as follows. DAILY and WEEKLY take BYDAY as plain
//     weekdays (a filter for DAILY, the days of each week for WEEKLY). MONTHLY takes BYDAY,
//     plain (every such weekday of the month) or with an ordinal from 1 to 5 or -5 to -1 (1MO,
//     -1FR), and BYMONTHDAY (1 to 31, -31 to -1); given both, a day must match both (§3.3.10).
//     YEARLY takes BYMONTH, BYMONTHDAY, and BYDAY when BYMONTH is given (ordinals then count
//     within the month). BYSETPOS, BYHOUR, BYMINUTE, BYSECOND, BYYEARDAY, BYWEEKNO and the
//     frequencies below DAILY are TimeRestrictionIcalMalformed. UNTIL is a UTC DATE-TIME, a
//     local DATE-TIME in DTSTART's zone (accepted although RFC 5545 wants UTC), or a DATE; it
//     must not be before DTSTART. NeedsExtendedRecurrence reports MONTHLY and YEARLY rules,
//     which older lock protocols cannot evaluate.
//   - EXDATE lines (several allowed, each a comma-separated list) remove the occurrences that
//     start at exactly that instant.
//
// A VTIMEZONE's TZID must be an IANA zone; its rules are not used, because the IANA database is
// the reference. When it describes the calendar's zone, every UTC offset the IANA zone uses in
// a year in which an event starts must appear as a TZOFFSETTO of one of its STANDARD or
// DAYLIGHT parts, else the text is TimeRestrictionIcalIllegalTimezone: a definition that
// disagrees with the database would make the lock and the calendar's author disagree.
//
// # Limits
//
// Limits (DefaultLimits) bound the text to 4096 bytes (checked before anything else;
// TimeRestrictionIcalTooLarge) and, as TimeRestrictionIcalTooComplex, a calendar to 16
// events, an RRULE to 8 BYDAY values (31 BYMONTHDAY and 12 BYMONTH values) and a COUNT of 10000,
// and an event to 64 EXDATE values.
//
// # Semantics
//
// The occurrences of an event are DTSTART and the dates its RRULE yields from DTSTART on, up to
// COUNT occurrences or the last one starting at or before UNTIL (a DATE includes its whole day).
// DTSTART always counts as the first occurrence, even when the rule would not produce it
// (§3.8.5.3). EXDATEs then remove occurrences without adding others, so they do not change what
// COUNT counts. Invalid dates such as February 30 are skipped.
//
// Occurrences are generated on the local calendar of the zone and keep DTSTART's wall-clock time,
// so "Mondays 08:00 to 12:00 in Vienna" starts at 08:00 local time in summer and in winter. A
// local time that does not exist (the hour skipped when daylight saving time starts) is read
// with the UTC offset before the gap, which moves it forward by the length of the gap (§3.3.5):
// 02:30 on the last Sunday of March in Vienna is 03:30 CEST. A local time that exists twice
// (the hour repeated when daylight saving time ends) is the first of the two.
//
// The end of an occurrence follows §3.8.5.3 and §3.3.6. With DTEND every occurrence has the
// exact length of the first (DTEND−DTSTART as elapsed time), so an event from 22:00 to 06:00
// defined on an ordinary night lasts eight hours also on the night the clocks change. With
// DURATION the days and weeks are nominal (the same wall-clock time so many days later) and the
// hours, minutes and seconds are elapsed time added after them.
//
// Access at t is allowed when some occurrence of some event has start <= t < end. Allows looks
// only at the occurrences next to t, found by arithmetic on local dates for DAILY and WEEKLY
// and by looking at the months around t for MONTHLY and YEARLY, so its cost does not depend on
// how long ago DTSTART was. Windows lists whole occurrences (not clipped to the range) that
// intersect the range, merging those of all events that overlap or touch; Next returns the
// first such window that ends after t, merging at most 4096 occurrences.
package ical
