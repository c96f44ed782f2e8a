package locksim

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/lockproto"
)

// Scenario is a parsed scenario file: the fleet it declares and the steps of its timeline.
type Scenario struct {
	File   string
	Zone   *time.Location // of the wall-clock times in the file; UTC unless a zone line says
	Start  *When          // the start line, an absolute time; nil when the caller gives it
	Locks  []LockDecl
	Phones []PhoneDecl
	Cards  []CardDecl
	Grants []GrantDecl
	Steps  []Step
}

// CardDecl is a card line: a card and how many grants it holds.
type CardDecl struct {
	Line     int
	Name     string
	Capacity int
}

// LockDecl is a lock line.
type LockDecl struct {
	Line int
	Spec LockSpec
}

// PhoneDecl is a phone line: the phone and the user it belongs to.
type PhoneDecl struct {
	Line       int
	Name, User string
}

// GrantDecl is a grant line: a grant for a user (named directly or by a phone) or a card on a
// lock.
type GrantDecl struct {
	Line                   int
	Name, User, Card, Lock string // one of User and Card
	From, Until            *When
	Window                 *Window
}

// Step is one line of the timeline: an action, at a time or, without one, right after the
// previous step.
type Step struct {
	Line    int
	At      *When
	Action  string   // one of the Action constants
	Args    []string // the names and words of the action
	Until   *When    // ActOffline
	Amount  float64  // ActDrift: seconds per second; ActBattery: volts
	Shift   time.Duration
	Variant string // ActSync: "", "lost" or "repeated"
}

// Actions of steps.
const (
	ActOpen      = "opens"   // Args: phone, lock
	ActCard      = "card"    // Args: card, lock
	ActFetch     = "fetches" // Args: phone
	ActKeepKeys  = "keeps"   // Args: phone or card
	ActMark      = "mark"    // Args: label
	ActSync      = "syncs"   // Args: lock, relay (a phone or "gateway")
	ActOffline   = "offline" // Args: lock
	ActRevoke    = "revoke"  // Args: grant
	ActDrift     = "drift"   // Args: lock
	ActClock     = "clock"   // Args: lock
	ActBattery   = "battery" // Args: lock
	ActExpect    = "expect"  // Args: subject, then the expected words
	relayGateway = "gateway" // a relay that is not a phone
)

// ParseError is a mistake in a scenario file, with its line.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// parser holds what the lines so far declared.
type parser struct {
	sc    *Scenario
	kinds map[string]string // name → "lock", "phone", "grant" or "user"
	steps bool              // a step was seen: declarations must come first
}

// ParseScenario reads a scenario; file names it in errors.
func ParseScenario(file string, r io.Reader) (*Scenario, error) {
	p := &parser{sc: &Scenario{File: file, Zone: time.UTC}, kinds: map[string]string{relayGateway: "gateway"}}
	s := bufio.NewScanner(r)
	for n := 1; s.Scan(); n++ {
		line, _, _ := strings.Cut(s.Text(), "#")
		tok := strings.Fields(line)
		if len(tok) == 0 {
			continue
		}
		if err := p.line(n, tok); err != nil {
			return nil, &ParseError{File: file, Line: n, Msg: err.Error()}
		}
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("locksim: read %s: %w", file, err)
	}
	if len(p.sc.Steps) == 0 {
		return nil, &ParseError{File: file, Line: 0, Msg: "the scenario has no steps"}
	}
	return p.sc, nil
}

// line parses one line's words.
func (p *parser) line(n int, tok []string) error {
	decl := map[string]func(int, []string) error{"zone": p.zone, "start": p.start, "lock": p.lock, "phone": p.phone,
		"card": p.card, "grant": p.grant}
	if f, ok := decl[tok[0]]; ok && !isCardStep(tok) {
		if p.steps {
			return fmt.Errorf("%s declarations must come before the first step", tok[0])
		}
		return f(n, tok[1:])
	}
	p.steps = true
	st, err := p.step(n, tok)
	if err != nil {
		return err
	}
	p.sc.Steps = append(p.sc.Steps, st)
	return nil
}

// isCardStep tells the step "card CARD at LOCK" from a card declaration, which cannot have
// "at" (a keyword) as its third word.
func isCardStep(tok []string) bool { return tok[0] == ActCard && len(tok) > 2 && tok[2] == "at" }

func (p *parser) zone(_ int, tok []string) error {
	if len(tok) != 1 {
		return fmt.Errorf("zone needs one IANA time zone name: zone Europe/Vienna")
	}
	if len(p.sc.Locks) > 0 || p.sc.Start != nil {
		return fmt.Errorf("zone must come before the start and the locks")
	}
	loc, err := loadZone(tok[0])
	p.sc.Zone = loc
	return err
}

// loadZone loads an IANA zone, refusing "Local", which differs between machines.
func loadZone(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" || name == "" {
		return nil, fmt.Errorf("%q is not an IANA time zone name", name)
	}
	return loc, nil
}

func (p *parser) start(_ int, tok []string) error {
	w, used, err := parseWhen(tok)
	switch {
	case err != nil:
		return err
	case w.kind != whenDate:
		return fmt.Errorf("start needs an absolute time: start 2027-03-22 08:00")
	case used != len(tok):
		return fmt.Errorf("unexpected %q after the start time", tok[used])
	case p.sc.Start != nil:
		return fmt.Errorf("the start is given twice")
	}
	p.sc.Start = &w
	return nil
}

// namePattern is what lock, phone, grant and user names look like.
var namePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]{0,39}$`)

// reserved are the words a name cannot be, so that every line reads one way.
var reserved = []string{"at", "zone", "start", "lock", "phone", "card", "grant", "user", "revoke", "drift", "clock", "battery",
	"expect", "via", "until", "from", "weekly", "daily", "day", "next", "sync", "capacity", "mark", cardWriteState, relayGateway}

// declare records a new name of a kind.
func (p *parser) declare(name, kind string) error {
	if !namePattern.MatchString(name) || slices.Contains(reserved, name) {
		return fmt.Errorf("%q is not a usable %s name: letters, digits, '.', '_' and '-', starting with a letter, not a keyword", name, kind)
	}
	if k, ok := p.kinds[name]; ok {
		return fmt.Errorf("%q is declared already as a %s", name, k)
	}
	p.kinds[name] = kind
	return nil
}

// named checks that name was declared as one of kinds.
func (p *parser) named(name string, kinds ...string) error {
	k, ok := p.kinds[name]
	if !ok {
		return fmt.Errorf("%q is not declared (a %s)", name, strings.Join(kinds, " or "))
	}
	if !slices.Contains(kinds, k) {
		return fmt.Errorf("%q is a %s, not a %s", name, k, strings.Join(kinds, " or "))
	}
	return nil
}

func (p *parser) lock(n int, tok []string) error {
	if len(tok) == 0 {
		return fmt.Errorf("lock needs a name: lock front-door zone Europe/Vienna protocol 3")
	}
	spec := LockSpec{Name: tok[0], Zone: p.sc.Zone, Protocol: lockproto.ProtocolLatest, Volts: VoltsFull}
	if err := p.declare(tok[0], "lock"); err != nil {
		return err
	}
	opts, err := options(tok[1:], "zone", "protocol", "battery")
	if err != nil {
		return err
	}
	if z, ok := opts["zone"]; ok {
		if spec.Zone, err = loadZone(z); err != nil {
			return err
		}
	}
	if v, ok := opts["protocol"]; ok {
		if spec.Protocol, err = strconv.Atoi(v); err != nil || spec.Protocol < lockproto.ProtocolBasic || spec.Protocol > lockproto.ProtocolLatest {
			return fmt.Errorf("protocol %q: a protocol version from %d to %d", v, lockproto.ProtocolBasic, lockproto.ProtocolLatest)
		}
	}
	if v, ok := opts["battery"]; ok {
		if spec.Volts, err = parseVolts(v); err != nil {
			return err
		}
	}
	p.sc.Locks = append(p.sc.Locks, LockDecl{Line: n, Spec: spec})
	return nil
}

// options reads "key value" pairs of the named keys, each at most once.
func options(tok []string, keys ...string) (map[string]string, error) {
	opts := map[string]string{}
	for i := 0; i < len(tok); i += 2 {
		if !slices.Contains(keys, tok[i]) {
			return nil, fmt.Errorf("unknown option %q; the options are %s", tok[i], strings.Join(keys, ", "))
		}
		if i+1 == len(tok) {
			return nil, fmt.Errorf("option %s needs a value", tok[i])
		}
		if _, dup := opts[tok[i]]; dup {
			return nil, fmt.Errorf("option %s is given twice", tok[i])
		}
		opts[tok[i]] = tok[i+1]
	}
	return opts, nil
}

// parseVolts reads a battery voltage, or "dead" for one too low to wake the lock.
func parseVolts(s string) (float64, error) {
	if s == "dead" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "V"), 64)
	if err != nil || v < 0 || v > VoltsFull {
		return 0, fmt.Errorf("battery %q: volts from 0 to %.1f (e.g. 2.5V) or dead", s, VoltsFull)
	}
	return v, nil
}

func (p *parser) phone(n int, tok []string) error {
	if len(tok) != 3 || tok[1] != "user" {
		return fmt.Errorf("phone needs a name and a user: phone alice-phone user alice")
	}
	if err := p.declare(tok[0], "phone"); err != nil {
		return err
	}
	if k := p.kinds[tok[2]]; k != "user" {
		if err := p.declare(tok[2], "user"); err != nil {
			return err
		}
	}
	p.sc.Phones = append(p.sc.Phones, PhoneDecl{Line: n, Name: tok[0], User: tok[2]})
	return nil
}

// card parses "card NAME [capacity N]"; a card holds 5 grants unless it says.
func (p *parser) card(n int, tok []string) error {
	if len(tok) == 0 {
		return fmt.Errorf("card needs a name: card badge capacity 2")
	}
	if err := p.declare(tok[0], "card"); err != nil {
		return err
	}
	opts, err := options(tok[1:], "capacity")
	if err != nil {
		return err
	}
	d := CardDecl{Line: n, Name: tok[0], Capacity: defaultCardCapacity}
	if v, ok := opts["capacity"]; ok {
		if d.Capacity, err = strconv.Atoi(v); err != nil || d.Capacity < 1 || d.Capacity > maxCardCapacity {
			return fmt.Errorf("capacity %q: a number of grants from 1 to %d", v, maxCardCapacity)
		}
	}
	p.sc.Cards = append(p.sc.Cards, d)
	return nil
}

// Card capacities: what a card holds unless its line says, and the most a scenario may give.
const (
	defaultCardCapacity = 5
	maxCardCapacity     = 100
)

func (p *parser) grant(n int, tok []string) error {
	g, rest, err := p.grantee(n, tok)
	if err != nil {
		return err
	}
	if err := p.grantOptions(&g, rest); err != nil {
		return err
	}
	p.sc.Grants = append(p.sc.Grants, g)
	return nil
}

// grantee reads a grant line's name, grantee and lock: "NAME USER|PHONE LOCK" or
// "NAME card CARD LOCK"; it returns the words after them.
func (p *parser) grantee(n int, tok []string) (GrantDecl, []string, error) {
	if len(tok) < 3 || (tok[1] == ActCard && len(tok) < 4) {
		return GrantDecl{}, nil, fmt.Errorf("grant needs a name, a user, phone or card, and a lock: " +
			"grant g1 alice front-door weekly Mo 08:00-12:00, grant g2 card badge front-door")
	}
	g := GrantDecl{Line: n, Name: tok[0], User: tok[1], Lock: tok[2]}
	who := p.named(g.User, "user", "phone")
	if tok[1] == ActCard {
		g = GrantDecl{Line: n, Name: tok[0], Card: tok[2], Lock: tok[3]}
		who, tok = p.named(g.Card, "card"), tok[1:]
	}
	if err := firstErr(p.declare(g.Name, "grant"), who, p.named(g.Lock, "lock")); err != nil {
		return g, nil, err
	}
	if p.kinds[g.User] == "phone" {
		g.User = p.phoneDecl(g.User).User
	}
	return g, tok[3:], nil
}

// grantOptions reads from, until, weekly and daily.
func (p *parser) grantOptions(g *GrantDecl, tok []string) error {
	for len(tok) > 0 {
		var used int
		var err error
		switch tok[0] {
		case "from", "until":
			used, err = p.grantTime(g, tok)
		case "weekly", "daily":
			if g.Window != nil {
				return fmt.Errorf("a grant has one time restriction")
			}
			g.Window, used, err = parseWindow(tok)
		default:
			return fmt.Errorf("unexpected %q; a grant takes from, until, weekly or daily", tok[0])
		}
		if err != nil {
			return err
		}
		tok = tok[used:]
	}
	return nil
}

// grantTime reads "from WHEN" or "until WHEN".
func (p *parser) grantTime(g *GrantDecl, tok []string) (int, error) {
	w, used, err := parseWhen(tok[1:])
	if err != nil {
		return 0, fmt.Errorf("%s: %v", tok[0], err)
	}
	if w.kind == whenNext {
		return 0, fmt.Errorf("%s: a grant's time is day N HH:MM, +DURATION or a date", tok[0])
	}
	dst := &g.From
	if tok[0] == "until" {
		dst = &g.Until
	}
	if *dst != nil {
		return 0, fmt.Errorf("%s is given twice", tok[0])
	}
	*dst = &w
	return used + 1, nil
}

func (p *parser) phoneDecl(name string) PhoneDecl {
	for _, ph := range p.sc.Phones {
		if ph.Name == name {
			return ph
		}
	}
	return PhoneDecl{}
}

// step parses a timeline line: an optional "at WHEN", then the action.
func (p *parser) step(n int, tok []string) (Step, error) {
	st := Step{Line: n}
	if tok[0] == "at" {
		w, used, err := parseWhen(tok[1:])
		if err != nil {
			return st, err
		}
		st.At, tok = &w, tok[1+used:]
		if len(tok) == 0 {
			return st, fmt.Errorf("the step has a time but no action")
		}
	}
	var err error
	switch {
	case isCardStep(tok):
		err = p.cardStep(&st, tok)
	case tok[0] == ActMark:
		err = p.markStep(&st, tok)
	case tok[0] == ActRevoke:
		err = p.revoke(&st, tok)
	case tok[0] == ActDrift || tok[0] == ActClock || tok[0] == ActBattery:
		err = p.lockFault(&st, tok)
	case tok[0] == ActExpect:
		err = p.expect(&st, tok)
	default:
		err = p.subjectStep(&st, tok)
	}
	return st, err
}

// cardStep parses "card CARD at LOCK".
func (p *parser) cardStep(st *Step, tok []string) error {
	if len(tok) != 4 {
		return fmt.Errorf("a card is held to one lock: card badge at front-door")
	}
	st.Action, st.Args = ActCard, []string{tok[1], tok[3]}
	return firstErr(p.named(tok[1], "card"), p.named(tok[3], "lock"))
}

// markStep parses "mark LABEL".
func (p *parser) markStep(st *Step, tok []string) error {
	if len(tok) != 2 {
		return fmt.Errorf("mark needs one label: mark before-sync")
	}
	st.Action, st.Args = ActMark, tok[1:]
	return nil
}

func (p *parser) revoke(st *Step, tok []string) error {
	if len(tok) != 2 {
		return fmt.Errorf("revoke needs one grant: revoke g1")
	}
	st.Action, st.Args = ActRevoke, tok[1:]
	return p.named(tok[1], "grant")
}

// lockFault parses drift, clock and battery.
func (p *parser) lockFault(st *Step, tok []string) error {
	if len(tok) != 3 {
		return fmt.Errorf("%s needs a lock and a value: drift front-door +2m/d, clock front-door -10m, battery front-door dead", tok[0])
	}
	st.Action, st.Args = tok[0], tok[1:2]
	if err := p.named(tok[1], "lock"); err != nil {
		return err
	}
	var err error
	switch tok[0] {
	case ActDrift:
		st.Amount, err = parseRate(tok[2])
	case ActClock:
		st.Shift, err = parseShift(tok[2])
	default:
		st.Amount, err = parseVolts(tok[2])
	}
	return err
}

// parseRate reads a drift such as +2m/d (two minutes fast per day), -30s/h, or 0.
func parseRate(s string) (float64, error) {
	if s == "0" {
		return 0, nil
	}
	amount, per, ok := strings.Cut(s, "/")
	d, err := parseShift(amount)
	unit := map[string]time.Duration{"h": time.Hour, "d": 24 * time.Hour}[per]
	if !ok || err != nil || unit == 0 {
		return 0, fmt.Errorf("drift %q: a signed duration per hour or day, e.g. +2m/d or -30s/h, or 0", s)
	}
	return float64(d) / float64(unit), nil
}

// parseShift reads a signed duration such as +10m or -1d.
func parseShift(s string) (time.Duration, error) {
	if len(s) < 2 || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("%q is not a signed duration such as +10m or -30s", s)
	}
	d, err := parseDuration(s[1:])
	if err != nil {
		return 0, fmt.Errorf("%q is not a signed duration such as +10m or -30s", s)
	}
	if s[0] == '-' {
		d = -d
	}
	return d, nil
}

// subjectStep parses the steps that start with a phone or a lock.
func (p *parser) subjectStep(st *Step, tok []string) error {
	if len(tok) < 2 {
		return fmt.Errorf("%q is not a step", strings.Join(tok, " "))
	}
	st.Action = tok[1]
	switch {
	case tok[1] == ActOpen && len(tok) == 3:
		st.Args = []string{tok[0], tok[2]}
		return firstErr(p.named(tok[0], "phone"), p.named(tok[2], "lock"))
	case (tok[1] == ActFetch || tok[1] == ActKeepKeys) && len(tok) == 3 && tok[2] == "keys":
		st.Args = tok[:1]
		return p.named(tok[0], "phone")
	case tok[1] == ActKeepKeys && len(tok) == 3 && tok[2] == "image":
		st.Args = tok[:1]
		return p.named(tok[0], "card")
	case tok[1] == ActSync && len(tok) >= 4 && len(tok) <= 5 && tok[2] == "via":
		return p.sync(st, tok)
	case tok[1] == ActOffline && len(tok) >= 3 && tok[2] == "until":
		return p.offline(st, tok)
	}
	return fmt.Errorf("%q is not a step; steps are PHONE opens LOCK, card CARD at LOCK, PHONE fetches keys, PHONE keeps keys, "+
		"CARD keeps image, LOCK syncs via PHONE|gateway [lost|repeated], LOCK offline until TIME, revoke, drift, clock, battery, "+
		"mark, expect", strings.Join(tok, " "))
}

func (p *parser) sync(st *Step, tok []string) error {
	st.Args = []string{tok[0], tok[3]}
	if len(tok) == 5 {
		if tok[4] != "lost" && tok[4] != "repeated" {
			return fmt.Errorf("a sync is lost or repeated, not %q", tok[4])
		}
		st.Variant = tok[4]
	}
	return firstErr(p.named(tok[0], "lock"), p.named(tok[3], "phone", "gateway"))
}

func (p *parser) offline(st *Step, tok []string) error {
	st.Args = tok[:1]
	w, used, err := parseWhen(tok[3:])
	if err != nil {
		return err
	}
	if 3+used != len(tok) {
		return fmt.Errorf("unexpected %q after the time", tok[3+used])
	}
	st.Until = &w
	return p.named(tok[0], "lock")
}

// Outcomes a step can have besides a lock's decision reasons, which expect lines name.
const (
	OutcomeNoKey    = "NoKey"    // the phone had no key for the lock
	OutcomeNoAnswer = "NoAnswer" // the lock's battery is dead
	SyncOk          = "Ok"
	SyncReplayed    = "Replayed" // the server refused the relayed copy (SyncReplayed)
	SyncLost        = "Lost"     // the answer never reached the lock
	SyncOffline     = "Offline"  // no phone or gateway in reach
	SyncFailed      = "Failed"   // the server or the lock refused the sync
)

// reasons are the decision reasons an expect line may name.
var reasons = []string{lockproto.ReasonNotYetValid, lockproto.ReasonExpired, lockproto.ReasonOutsideRestriction,
	lockproto.ReasonRevoked, lockproto.ReasonBadSignature, lockproto.ReasonWrongLock, lockproto.ReasonUnsupported,
	lockproto.ReasonBadRestriction, lockproto.ReasonNotKeyHolder, lockproto.ReasonWrongCard}

// cardWriteState is the word of an expect line on a card grant's write state.
const cardWriteState = "cardWriteState"

// expect parses an assertion; its words are checked here, so a typo fails at once.
func (p *parser) expect(st *Step, tok []string) error {
	st.Action, st.Args = ActExpect, tok[1:]
	if len(tok) < 3 {
		return fmt.Errorf("expect needs a subject and an outcome: expect front-door Allowed")
	}
	if err := p.named(tok[1], "lock", "grant"); err != nil {
		return err
	}
	if p.kinds[tok[1]] == "grant" && tok[2] == cardWriteState {
		return oneOf(tok[3:], "a card write state", keyward.CardWritePending, keyward.CardWritten)
	}
	if p.kinds[tok[1]] == "grant" {
		return oneOf(tok[2:], "a grant state", keyward.GrantOk, keyward.GrantRevocationPending, keyward.GrantRevoked)
	}
	switch tok[2] {
	case lockproto.ResultAllowed, OutcomeNoKey, OutcomeNoAnswer:
		return oneOf(tok[2:], "an outcome", tok[2])
	case lockproto.ResultDenied:
		if len(tok) != 4 {
			return fmt.Errorf("expect %s Denied needs the reason: one of %s", tok[1], strings.Join(reasons, ", "))
		}
		return oneOf(tok[3:], "a reason", reasons...)
	case "sync":
		return oneOf(tok[3:], "a sync outcome", SyncOk, SyncReplayed, SyncLost, SyncOffline, SyncFailed, OutcomeNoAnswer)
	case "battery":
		return oneOf(tok[3:], "a battery level", lockproto.BatteryOk, lockproto.BatteryLow, lockproto.BatteryCritical)
	}
	return fmt.Errorf("expect %s %q: a lock expects Allowed, Denied REASON, NoKey, NoAnswer, sync OUTCOME or battery LEVEL", tok[1], tok[2])
}

// oneOf checks that tok is exactly one of the words.
func oneOf(tok []string, what string, words ...string) error {
	if len(tok) != 1 || !slices.Contains(words, tok[0]) {
		return fmt.Errorf("%q is not %s: one of %s", strings.Join(tok, " "), what, strings.Join(words, ", "))
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
