package locksim

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/ical"
	"github.com/keyward/keyward/internal/lockproto"
)

// header declares a fleet for the error cases, lines 1 to 5.
const header = "zone Europe/Vienna\nlock door protocol 2\nphone ph user ann\ngrant g ann door weekly Mo,We 08:00-12:00\nat day 1 09:00 ph opens door\n"

func TestParseScenario(t *testing.T) {
	src := header + "expect door Allowed\n" +
		"at next Fr 13:30 door syncs via ph lost   # comment\n" +
		"at +1d2h door syncs via gateway repeated\n" +
		"at 2027-03-30 10:00 revoke g\n" +
		"drift door -30s/h\nclock door +10m\nbattery door 2.5V\n" +
		"door offline until day 9 00:00\nph keeps keys\nph fetches keys\n" +
		"expect door Denied Revoked\nexpect door sync Lost\nexpect g RevocationPending\nexpect door battery Low\n"
	sc, err := ParseScenario("s.sim", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Zone.String() != "Europe/Vienna" || len(sc.Locks) != 1 || sc.Locks[0].Spec.Protocol != 2 || sc.Locks[0].Spec.Zone != sc.Zone ||
		len(sc.Phones) != 1 || sc.Phones[0].User != "ann" || len(sc.Grants) != 1 {
		t.Fatalf("declarations: %+v", sc)
	}
	g := sc.Grants[0]
	if g.User != "ann" || g.Lock != "door" || !cmp.Equal(g.Window.Days, []time.Weekday{time.Monday, time.Wednesday}) ||
		g.Window.From != (clockTime{8, 0}) || g.Window.To != (clockTime{12, 0}) {
		t.Fatalf("grant: %+v %+v", g, g.Window)
	}
	var got []string
	for _, st := range sc.Steps {
		got = append(got, strings.Join(append([]string{st.Action, st.Variant}, st.Args...), " "))
	}
	want := []string{"opens  ph door", "expect  door Allowed", "syncs lost door ph", "syncs repeated door gateway", "revoke  g",
		"drift  door", "clock  door", "battery  door", "offline  door", "keeps  ph", "fetches  ph",
		"expect  door Denied Revoked", "expect  door sync Lost", "expect  g RevocationPending", "expect  door battery Low"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("steps (-want +got):\n%s", diff)
	}
	if st := sc.Steps[5]; st.Amount != -30.0/3600 || sc.Steps[6].Shift != 10*time.Minute || sc.Steps[7].Amount != 2.5 || sc.Steps[0].Line != 5 {
		t.Fatalf("values: drift %v, clock %v, battery %v, line %d", st.Amount, sc.Steps[6].Shift, sc.Steps[7].Amount, sc.Steps[0].Line)
	}
}

// TestParseScenario_Errors: every mistake names its line.
func TestParseScenario_Errors(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		line      int
		msg       string
	}{
		{"NoSteps", "lock door\n", 0, "the scenario has no steps"},
		{"UnknownZone", "zone Mars/Olympus\n", 1, `"Mars/Olympus" is not an IANA time zone name`},
		{"ZoneAfterLock", "lock door\nzone UTC\n", 2, "zone must come before the start and the locks"},
		{"StartRelative", "start day 1 09:00\n", 1, "start needs an absolute time: start 2027-03-22 08:00"},
		{"StartTwice", "start 2027-03-22 08:00\nstart 2027-03-22 08:00\n", 2, "the start is given twice"},
		{"BadProtocol", "lock door protocol 4\n", 1, `protocol "4": a protocol version from 1 to 3`},
		{"UnknownLockOption", "lock door colour red\n", 1, `unknown option "colour"; the options are zone, protocol, battery`},
		{"OptionWithoutValue", "lock door protocol\n", 1, "option protocol needs a value"},
		{"BadVolts", "lock door battery 9\n", 1, `battery "9": volts from 0 to 3.0 (e.g. 2.5V) or dead`},
		{"DuplicateName", "lock door\nphone door user x\n", 2, `"door" is declared already as a lock`},
		{"ReservedName", "lock gateway\n", 1, `"gateway" is not a usable lock name: letters, digits, '.', '_' and '-', starting with a letter, not a keyword`},
		{"PhoneWithoutUser", "phone ph\n", 1, "phone needs a name and a user: phone alice-phone user alice"},
		{"GrantUnknownLock", "phone ph user ann\ngrant g ann gate\n", 2, `"gate" is not declared (a lock)`},
		{"GrantOfALock", "lock door\ngrant g door door\n", 2, `"door" is a lock, not a user or phone`},
		{"GrantTwoWindows", "lock door\nphone ph user ann\ngrant g ann door daily 08:00-09:00 daily 10:00-11:00\n", 3, "a grant has one time restriction"},
		{"GrantBadHours", "lock door\nphone ph user ann\ngrant g ann door daily 12:00-08:00\n", 3, `"12:00-08:00" is not hours HH:MM-HH:MM with the end after the start on the same day`},
		{"GrantBadWeekday", "lock door\nphone ph user ann\ngrant g ann door weekly Mo,Xy 08:00-12:00\n", 3, `"Xy" is not a weekday (Mo, Tu, We, Th, Fr, Sa, Su)`},
		{"GrantNextTime", "lock door\nphone ph user ann\ngrant g ann door from next Mo 08:00\n", 3, "from: a grant's time is day N HH:MM, +DURATION or a date"},
		{"GrantUnknownWord", "lock door\nphone ph user ann\ngrant g ann door forever\n", 3, `unexpected "forever"; a grant takes from, until, weekly or daily`},
		{"DeclarationAfterStep", header + "lock gate\n", 6, "lock declarations must come before the first step"},
		{"BadTime", header + "at noon ph opens door\n", 6, `"noon" is not a time (day N HH:MM, next WEEKDAY HH:MM, +DURATION or YYYY-MM-DD HH:MM)`},
		{"BadClock", header + "at day 1 25:00 ph opens door\n", 6, `"25:00" is not a time of day HH:MM`},
		{"NegativeDuration", header + "at +-5m ph opens door\n", 6, `"+-5m" is not a positive duration such as +90m or +1d2h`},
		{"TimeWithoutAction", header + "at day 2 09:00\n", 6, "the step has a time but no action"},
		{"UnknownStep", header + "ph dances\n", 6, `"ph dances" is not a step; steps are PHONE opens LOCK, card CARD at LOCK, PHONE fetches keys, PHONE keeps keys, ` +
			"CARD keeps image, LOCK syncs via PHONE|gateway [lost|repeated], LOCK offline until TIME, revoke, drift, clock, battery, mark, expect"},
		{"OpenByALock", header + "door opens door\n", 6, `"door" is a lock, not a phone`},
		{"SyncVariant", header + "door syncs via ph twice\n", 6, `a sync is lost or repeated, not "twice"`},
		{"SyncViaUser", header + "door syncs via ann\n", 6, `"ann" is a user, not a phone or gateway`},
		{"OfflineTrailing", header + "door offline until day 2 09:00 now\n", 6, `unexpected "now" after the time`},
		{"RevokeUnknown", header + "revoke h\n", 6, `"h" is not declared (a grant)`},
		{"BadDrift", header + "drift door fast\n", 6, `drift "fast": a signed duration per hour or day, e.g. +2m/d or -30s/h, or 0`},
		{"BadShift", header + "clock door 10m\n", 6, `"10m" is not a signed duration such as +10m or -30s`},
		{"ExpectUnknownReason", header + "expect door Denied Closed\n", 6, `"Closed" is not a reason: one of NotYetValid, Expired, OutsideTimeRestriction, Revoked, BadSignature, WrongLock, ProtocolVersionTooOld, InvalidTimeRestriction, NotKeyHolder, WrongCard`},
		{"ExpectDeniedWithoutReason", header + "expect door Denied\n", 6, "expect door Denied needs the reason: one of NotYetValid, Expired, OutsideTimeRestriction, Revoked, BadSignature, WrongLock, ProtocolVersionTooOld, InvalidTimeRestriction, NotKeyHolder, WrongCard"},
		{"ExpectGrantState", header + "expect g Gone\n", 6, `"Gone" is not a grant state: one of Ok, RevocationPending, Revoked`},
		{"ExpectSyncOutcome", header + "expect door sync Maybe\n", 6, `"Maybe" is not a sync outcome: one of Ok, Replayed, Lost, Offline, Failed, NoAnswer`},
		{"ExpectLockWord", header + "expect door Open\n", 6, `expect door "Open": a lock expects Allowed, Denied REASON, NoKey, NoAnswer, sync OUTCOME or battery LEVEL`},
		{"ExpectPhone", header + "expect ph Allowed\n", 6, `"ph" is a phone, not a lock or grant`},
		{"ExpectTrailing", header + "expect door Allowed now\n", 6, `"Allowed now" is not an outcome: one of Allowed`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseScenario("s.sim", strings.NewReader(tt.src))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a ParseError", err)
			}
			if pe.Line != tt.line || pe.Msg != tt.msg || pe.File != "s.sim" {
				t.Fatalf("got line %d %q\nwant line %d %q", pe.Line, pe.Msg, tt.line, tt.msg)
			}
		})
	}
}

func TestWhen_Resolve(t *testing.T) {
	start := time.Date(2027, 3, 26, 18, 0, 0, 0, vienna) // Friday before the change to summer time
	now := time.Date(2027, 3, 27, 10, 0, 0, 0, vienna)
	for _, tt := range []struct {
		expr string
		want time.Time
	}{
		{"day 0 09:00", time.Date(2027, 3, 26, 9, 0, 0, 0, vienna)},
		{"day 3 09:00", time.Date(2027, 3, 29, 7, 0, 0, 0, time.UTC)}, // summer time: UTC+2
		{"next Monday 09:00", time.Date(2027, 3, 29, 9, 0, 0, 0, vienna)},
		{"next sa 10:00", time.Date(2027, 4, 3, 10, 0, 0, 0, vienna)}, // strictly after now
		{"next Sat 10:01", time.Date(2027, 3, 27, 10, 1, 0, 0, vienna)},
		{"+1d", now.Add(24 * time.Hour)}, // 24 hours, which crosses the change: 11:00 local
		{"+90m", now.Add(90 * time.Minute)},
		{"2027-03-28 03:00", time.Date(2027, 3, 28, 1, 0, 0, 0, time.UTC)},
	} {
		w, n, err := parseWhen(strings.Fields(tt.expr))
		if err != nil || n != len(strings.Fields(tt.expr)) {
			t.Fatalf("parseWhen(%q) = %d, %v", tt.expr, n, err)
		}
		if got := w.Resolve(start, now, vienna); !got.Equal(tt.want) {
			t.Errorf("%s = %s, want %s", tt.expr, got, tt.want)
		}
	}
	if got := (When{kind: whenAfter, after: 24 * time.Hour}).Resolve(start, now, vienna).In(vienna).Hour(); got != 11 {
		t.Errorf("+1d across the change is %d:00 local, want 11:00", got)
	}
}

// TestWindow_ICal: the restriction the simulator writes is valid iCalendar, allows its hours in
// the lock's zone and has its first occurrence before the start.
func TestWindow_ICal(t *testing.T) {
	w, _, err := parseWindow(strings.Fields("weekly We,Mo 08:00-12:00"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2027, 3, 26, 18, 0, 0, 0, vienna)
	text := w.ICal(vienna, start)
	if !strings.Contains(text, "DTSTART;TZID=Europe/Vienna:20270315T080000\r\n") || !strings.Contains(text, "RRULE:FREQ=WEEKLY;BYDAY=WE,MO\r\n") {
		t.Fatalf("iCal text:\n%s", text)
	}
	cal, err := ical.Parse(text, ical.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	for at, want := range map[time.Time]bool{
		time.Date(2027, 3, 29, 9, 0, 0, 0, vienna):   true,
		time.Date(2027, 3, 31, 11, 59, 0, 0, vienna): true,
		time.Date(2027, 3, 29, 12, 0, 0, 0, vienna):  false,
		time.Date(2027, 3, 30, 9, 0, 0, 0, vienna):   false,
	} {
		if got := cal.Allows(at); got != want {
			t.Errorf("Allows(%s) = %v, want %v", at, got, want)
		}
	}
	if cal.NeedsExtendedRecurrence() {
		t.Errorf("a weekly window needs only protocol %d", lockproto.ProtocolTimeRestrictions)
	}
}

// TestParseScenario_Cards: cards are declared with a capacity, granted with "card", held to
// locks with "card CARD at LOCK" (which is no declaration, even after the declarations), keep
// their image, and card grants expect their write state.
func TestParseScenario_Cards(t *testing.T) {
	src := "lock door\ncard badge capacity 2\ncard spare\ngrant g card badge door daily 08:00-12:00\n" +
		"card badge at door\nbadge keeps image\nmark here\nexpect g cardWriteState Written\nexpect door Denied WrongCard\n"
	sc, err := ParseScenario("c.sim", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]CardDecl{{Line: 2, Name: "badge", Capacity: 2}, {Line: 3, Name: "spare", Capacity: 5}}, sc.Cards); diff != "" {
		t.Fatalf("cards (-want +got):\n%s", diff)
	}
	if g := sc.Grants[0]; g.Card != "badge" || g.User != "" || g.Lock != "door" || g.Window == nil {
		t.Fatalf("card grant %+v", g)
	}
	var got []string
	for _, st := range sc.Steps {
		got = append(got, strings.Join(append([]string{st.Action}, st.Args...), " "))
	}
	want := []string{"card badge door", "keeps badge", "mark here", "expect g cardWriteState Written", "expect door Denied WrongCard"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("steps (-want +got):\n%s", diff)
	}
	for _, tt := range []struct{ name, src, msg string }{
		{"BadCapacity", "card badge capacity 0\n", `capacity "0": a number of grants from 1 to 100`},
		{"CardOption", "card badge colour red\n", `unknown option "colour"; the options are capacity`},
		{"GrantToPhoneAsCard", "lock door\nphone ph user ann\ngrant g card ph door\n", `"ph" is a phone, not a card`},
		{"GrantCardWithoutLock", "lock door\ncard badge\ngrant g card badge\n", "grant needs a name, a user, phone or card, and a lock: " +
			"grant g1 alice front-door weekly Mo 08:00-12:00, grant g2 card badge front-door"},
		{"CardAtPhone", "lock door\ncard badge\nphone ph user ann\ncard badge at ph\n", `"ph" is a phone, not a lock`},
		{"CardAtTwoLocks", "lock door\ncard badge\ncard badge at door door\n", "a card is held to one lock: card badge at front-door"},
		{"PhoneKeepsImage", "lock door\nphone ph user ann\nph keeps image\n", `"ph" is a phone, not a card`},
		{"MarkTwoWords", "lock door\nmark a b\n", "mark needs one label: mark before-sync"},
		{"WriteStateWord", "lock door\ncard badge\ngrant g card badge door\nexpect g cardWriteState Done\n",
			`"Done" is not a card write state: one of WritePending, Written`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseScenario("c.sim", strings.NewReader(tt.src))
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Msg != tt.msg {
				t.Fatalf("err = %v, want %s", err, tt.msg)
			}
		})
	}
}
