package locksim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/lockproto"
)

// Options configure a run.
type Options struct {
	Seed uint64
	// Start is the world's start; zero takes the scenario's start line. The server issues keys
	// from its own clock, so the start must be near it: a server on the real clock starts the
	// world now; one on Clock runs at the scenario's time.
	Start time.Time
	// Backend is the server the fleet lives on.
	Backend *Remote
	// Clock, when the server reads it (app.Main.Now and RemoteConfig.Now), is moved with the
	// world's time: set to the start, then to the time of every step.
	Clock *VirtualClock
	Out   io.Writer // the timeline
	// OnMark is called at each mark step with its label, so that a test checks the server at
	// that point of the timeline; its error stops the run with the step's line.
	OnMark func(ctx context.Context, w *World, label string) error
}

// Result is the outcome of a run's expect lines.
type Result struct {
	Expectations, Failed int
}

// World is one run of a scenario: the locks, phones and grants it declared, the world's
// virtual clock and what the expect lines check.
type World struct {
	sc       *Scenario
	backend  *Remote
	clock    *VirtualClock
	onMark   func(ctx context.Context, w *World, label string) error
	out      io.Writer
	start    time.Time
	now      time.Time
	locks    map[string]*Lock
	phones   map[string]*Phone
	cards    map[string]*Card
	grants   map[string]*Grant
	grantIDs map[string]string    // server id → scenario name
	offline  map[string]time.Time // lock → end of its offline period
	attempt  map[string]string    // lock → outcome of the last opening
	synced   map[string]string    // lock → outcome of the last sync
	width    int                  // of the subject column
	result   Result
}

// Run sets up the scenario's fleet on the backend and plays its steps, printing the timeline.
// The error is a failure of the run itself; failed expectations are in the Result.
func Run(ctx context.Context, sc *Scenario, opts Options) (*Result, error) {
	w, err := newWorld(sc, opts)
	if err != nil {
		return nil, err
	}
	if err := w.setup(ctx); err != nil {
		return nil, err
	}
	for _, st := range sc.Steps {
		if err := w.step(ctx, st); err != nil {
			return &w.result, &ParseError{File: sc.File, Line: st.Line, Msg: err.Error()}
		}
	}
	w.eventf(nil, "end", "%d of %d expectations met", w.result.Expectations-w.result.Failed, w.result.Expectations)
	return &w.result, nil
}

// newWorld makes the locks and phones from their seeded streams.
func newWorld(sc *Scenario, opts Options) (*World, error) {
	start := opts.Start
	if start.IsZero() && sc.Start != nil {
		start = sc.Start.Resolve(time.Time{}, time.Time{}, sc.Zone)
	}
	if start.IsZero() {
		return nil, errors.New("locksim: the world needs a start: a start line or Options.Start")
	}
	if opts.Backend == nil {
		return nil, errors.New("locksim: the world needs a server: Options.Backend")
	}
	w := &World{sc: sc, backend: opts.Backend, clock: opts.Clock, onMark: opts.OnMark, out: opts.Out, start: start, locks: map[string]*Lock{},
		phones: map[string]*Phone{}, cards: map[string]*Card{}, grants: map[string]*Grant{}, grantIDs: map[string]string{},
		offline: map[string]time.Time{}, attempt: map[string]string{}, synced: map[string]string{}, width: len("installer")}
	w.setNow(start)
	if w.out == nil {
		w.out = io.Discard
	}
	for _, d := range sc.Cards {
		w.cards[d.Name] = &Card{Name: d.Name, Capacity: d.Capacity}
		w.width = max(w.width, len(d.Name))
	}
	for _, d := range sc.Locks {
		w.locks[d.Spec.Name] = NewLock(d.Spec, entropy(opts.Seed, "lock/"+d.Spec.Name))
		w.width = max(w.width, len(d.Spec.Name))
	}
	for _, d := range sc.Phones {
		w.phones[d.Name] = NewPhone(d.Name, d.User, entropy(opts.Seed, "phone/"+d.Name))
		w.width = max(w.width, len(d.Name))
	}
	for _, d := range sc.Grants {
		w.width = max(w.width, len(d.Name))
	}
	return w, nil
}

// setNow moves the world's time, and the server's when it runs on the world's clock.
func (w *World) setNow(t time.Time) {
	w.now = t
	if w.clock != nil {
		w.clock.Set(t)
	}
}

// Now is the world's time.
func (w *World) Now() time.Time { return w.now }

// Lock, Phone, Card and Grant are the parts the scenario declared by name, nil for another name.
func (w *World) Lock(name string) *Lock   { return w.locks[name] }
func (w *World) Phone(name string) *Phone { return w.phones[name] }
func (w *World) Card(name string) *Card   { return w.cards[name] }
func (w *World) Grant(name string) *Grant { return w.grants[name] }

// setup binds the locks and the cards, registers the phones, creates the grants, and syncs every
// lock once through the installer's gateway, which gives a lock bound without a key set its
// first one and the images of its cards.
func (w *World) setup(ctx context.Context) error {
	for _, d := range w.sc.Locks {
		l := w.locks[d.Spec.Name]
		if err := w.backend.AddLock(ctx, l); err != nil {
			return fmt.Errorf("locksim: lock %s: %w", l.Name, err)
		}
		w.eventf(l, l.Name, "bound  physical lock %s  protocol %d  battery %.2f V", l.ID(), d.Spec.Protocol, l.Battery.Volts)
	}
	for _, d := range w.sc.Cards {
		c := w.cards[d.Name]
		if err := w.backend.AddCard(ctx, c); err != nil {
			return fmt.Errorf("locksim: card %s: %w", c.Name, err)
		}
		w.eventf(nil, c.Name, "bound  card uid %s  capacity %d  id %s", c.UID, c.Capacity, c.BoundCardID)
	}
	for _, d := range w.sc.Phones {
		if err := w.backend.AddPhone(ctx, w.phones[d.Name]); err != nil {
			return fmt.Errorf("locksim: phone %s: %w", d.Name, err)
		}
		w.eventf(nil, d.Name, "registered  user %s", d.User)
	}
	for _, d := range w.sc.Grants {
		if err := w.addGrant(ctx, d); err != nil {
			return err
		}
	}
	for _, d := range w.sc.Locks {
		if err := w.sync(ctx, w.locks[d.Spec.Name], "installer", ""); err != nil {
			return err
		}
	}
	return nil
}

// addGrant resolves a grant line's times and creates it.
func (w *World) addGrant(ctx context.Context, d GrantDecl) error {
	g := &Grant{Name: d.Name, User: d.User, Card: w.cards[d.Card], Lock: w.locks[d.Lock]}
	resolve := func(wh *When) *time.Time {
		if wh == nil {
			return nil
		}
		t := wh.Resolve(w.start, w.start, w.sc.Zone)
		return &t
	}
	g.ValidFrom, g.ValidBefore = resolve(d.From), resolve(d.Until)
	if d.Window != nil {
		ics := d.Window.ICal(g.Lock.Spec().Zone, w.start)
		g.ICal = &ics
	}
	if err := w.backend.AddGrant(ctx, g); err != nil {
		return fmt.Errorf("locksim: grant %s: %w", g.Name, err)
	}
	w.grants[g.Name], w.grantIDs[g.ID] = g, g.Name
	w.eventf(nil, g.Name, "granted  %s on %s%s  id %s", g.grantee(), g.Lock.Name, describeGrant(g, d.Window), g.ID)
	return nil
}

// step advances the clock to the step's time and takes its action.
func (w *World) step(ctx context.Context, st Step) error {
	if st.At != nil {
		t := st.At.Resolve(w.start, w.now, w.sc.Zone)
		if t.Before(w.now) {
			return fmt.Errorf("the step's time %s lies before the world's time %s", t.Format(time.RFC3339), w.now.Format(time.RFC3339))
		}
		w.setNow(t)
	}
	switch st.Action {
	case ActOpen:
		return w.open(ctx, w.phones[st.Args[0]], w.locks[st.Args[1]])
	case ActCard:
		return w.present(w.cards[st.Args[0]], w.locks[st.Args[1]])
	case ActFetch:
		return w.fetch(ctx, w.phones[st.Args[0]])
	case ActKeepKeys:
		w.keep(st.Args[0])
	case ActMark:
		return w.mark(ctx, st.Args[0])
	case ActSync:
		return w.sync(ctx, w.locks[st.Args[0]], st.Args[1], st.Variant)
	case ActRevoke:
		return w.revoke(ctx, w.grants[st.Args[0]])
	case ActExpect:
		return w.expect(ctx, st)
	default:
		w.fault(st)
	}
	return nil
}

// fault takes the actions that change a lock's world: offline periods, its clock and battery.
func (w *World) fault(st Step) {
	l := w.locks[st.Args[0]]
	switch st.Action {
	case ActOffline:
		until := st.Until.Resolve(w.start, w.now, w.sc.Zone)
		w.offline[l.Name] = until
		w.eventf(l, l.Name, "offline  no phone or gateway in reach until %s", w.localStamp(until, l.Zone()))
	case ActDrift:
		l.Clock.SetRate(w.now, st.Amount)
		w.eventf(l, l.Name, "clock drifts %s/day", signed(time.Duration(st.Amount*float64(24*time.Hour))))
	case ActClock:
		l.Clock.Shift(st.Shift)
		w.eventf(l, l.Name, "clock set %s", signed(st.Shift))
	case ActBattery:
		l.Battery.Volts = st.Amount
		w.eventf(l, l.Name, "battery %.2f V  %s%s", st.Amount, l.Battery.Warning(), map[bool]string{true: "  dead"}[l.Battery.Dead()])
	}
}

// keep makes a phone keep its keys, or a card its image.
func (w *World) keep(name string) {
	if c, ok := w.cards[name]; ok {
		c.KeepsImage = true
		w.eventf(nil, name, "keeps its image: a copy of the card that refuses every write")
		return
	}
	w.phones[name].KeepKeys = true
	w.eventf(nil, name, "keeps every key it ever got, also those the server no longer lists")
}

// mark prints the mark and lets the caller check the server there.
func (w *World) mark(ctx context.Context, label string) error {
	w.eventf(nil, "mark", "%s", label)
	if w.onMark == nil {
		return nil
	}
	return w.onMark(ctx, w, label)
}

// open is a phone opening a lock: it polls its keys first, as a phone in reach of the server
// does, and presents its key for the lock.
func (w *World) open(ctx context.Context, p *Phone, l *Lock) error {
	if _, err := p.Fetch(ctx); err != nil {
		w.eventf(nil, p.Name, "key fetch failed, using the keys it holds: %v", err)
	}
	a, err := p.Open(w.now, l)
	switch {
	case errors.Is(err, ErrNoKey):
		w.attempt[l.Name] = OutcomeNoKey
		w.eventf(l, l.Name, "phone %s  %s  the phone holds no key for this lock", p.Name, OutcomeNoKey)
		return nil
	case errors.Is(err, ErrNoAnswer):
		w.attempt[l.Name] = OutcomeNoAnswer
		w.eventf(l, l.Name, "phone %s  %s  the battery is dead", p.Name, OutcomeNoAnswer)
		return nil
	case err != nil:
		return err
	}
	w.attempted(l, "phone "+p.Name, a)
	return nil
}

// present is a card held to a lock.
func (w *World) present(c *Card, l *Lock) error {
	a, err := l.PresentCard(w.now, c)
	if errors.Is(err, ErrNoAnswer) {
		w.attempt[l.Name] = OutcomeNoAnswer
		w.eventf(l, l.Name, "card %s  %s  the battery is dead", c.Name, OutcomeNoAnswer)
		return nil
	}
	if err != nil {
		return err
	}
	w.attempted(l, "card "+c.Name, a)
	return nil
}

// attempted notes and prints a lock's decision.
func (w *World) attempted(l *Lock, by string, a *Attempt) {
	w.attempt[l.Name] = a.Entry.Result
	if !a.Allowed {
		w.attempt[l.Name] += " " + a.Reason
	}
	w.eventf(l, l.Name, "%s  %s  %s  entry %d", by, w.attempt[l.Name], w.grantOf(a), a.Entry.EntryNo)
}

// grantOf names the grant of an attempt's key by its scenario name.
func (w *World) grantOf(a *Attempt) string {
	if a.Key == nil {
		return "no verified grant"
	}
	if name, ok := w.grantIDs[a.Key.GrantID]; ok {
		return "grant " + name
	}
	return "grant " + a.Key.GrantID
}

// fetch is an explicit key poll.
func (w *World) fetch(ctx context.Context, p *Phone) error {
	notModified, err := p.Fetch(ctx)
	switch {
	case err != nil:
		w.eventf(nil, p.Name, "key fetch failed: %v", err)
	case notModified:
		w.eventf(nil, p.Name, "keys not modified  %d keys", len(p.keys))
	default:
		w.eventf(nil, p.Name, "keys fetched  %d keys", len(p.keys))
	}
	return nil
}

func (w *World) revoke(ctx context.Context, g *Grant) error {
	if err := w.backend.Revoke(ctx, g); err != nil {
		return fmt.Errorf("revoke %s: %w", g.Name, err)
	}
	got, err := w.backend.Grant(ctx, g)
	if err != nil {
		return err
	}
	w.eventf(nil, g.Name, "revoked  %s", got.State)
	return nil
}

// sync relays a lock's sync through a phone or gateway, with the fault the variant names, and
// syncs once more at once when the answer brought a newer revocation list, so that the server
// learns the lock holds it.
func (w *World) sync(ctx context.Context, l *Lock, relay, variant string) error {
	outcome, r, err := w.relay(ctx, l, relay, variant)
	if err != nil {
		return err
	}
	w.synced[l.Name] = outcome
	if outcome == SyncOk && r.confirm {
		_, _, err = w.relay(ctx, l, relay, "confirm")
	}
	return err
}

// relayed is what one relay carried.
type relayed struct {
	confirm bool // the answer installed a newer revocation list
}

// relay carries one request and its answer, and prints the line of the sync.
func (w *World) relay(ctx context.Context, l *Lock, relay, variant string) (string, relayed, error) {
	via := "sync via " + relay
	if variant == "confirm" {
		via = "confirming sync via " + relay
	}
	if until, ok := w.offline[l.Name]; ok && w.now.Before(until) {
		w.eventf(l, l.Name, "%s  %s  no phone or gateway in reach", via, SyncOffline)
		return SyncOffline, relayed{}, nil
	}
	env, err := l.BeginSync(w.now)
	if errors.Is(err, ErrNoAnswer) {
		w.eventf(l, l.Name, "%s  %s  the battery is dead", via, OutcomeNoAnswer)
		return OutcomeNoAnswer, relayed{}, nil
	}
	if err != nil {
		return "", relayed{}, err
	}
	entries, serial := len(l.log), l.RclSerialNo()
	resp, err := w.backend.SyncLock(ctx, env)
	if err != nil {
		l.AbandonSync()
		w.eventf(l, l.Name, "%s  %s  %v", via, SyncFailed, err)
		return SyncFailed, relayed{}, nil
	}
	if variant == "repeated" {
		return w.repeat(ctx, l, via, env, resp)
	}
	if variant == "lost" {
		l.AbandonSync()
		w.eventf(l, l.Name, "%s  %s  counter %d, %d entries sent; the answer never reached the lock", via, SyncLost, l.Counter(), entries)
		return SyncLost, relayed{}, nil
	}
	return w.finish(l, via, resp, entries, serial)
}

// repeat relays the same request a second time, which the server must refuse as a replay,
// then gives the lock the first answer.
func (w *World) repeat(ctx context.Context, l *Lock, via string, env, first *lockproto.Envelope) (string, relayed, error) {
	entries, serial := len(l.log), l.RclSerialNo()
	_, err := w.backend.SyncLock(ctx, env)
	outcome := SyncReplayed
	var ce *client.Error
	switch {
	case errors.As(err, &ce) && ce.ErrorCode == "SyncReplayed":
		w.eventf(l, l.Name, "%s  %s  the server refused the second copy: %d %s", via, SyncReplayed, ce.Status, ce.ErrorCode)
	case err == nil:
		outcome = "ReplayAccepted"
		w.eventf(l, l.Name, "%s  %s  the server accepted the same request twice", via, outcome)
	default:
		outcome = SyncFailed
		w.eventf(l, l.Name, "%s  %s  the second copy: %v", via, outcome, err)
	}
	_, r, err := w.finish(l, via, first, entries, serial)
	return outcome, r, err
}

// finish gives the lock the server's answer and prints what it installed.
func (w *World) finish(l *Lock, via string, resp *lockproto.Envelope, entries int, serial int64) (string, relayed, error) {
	writes := len(l.pending.CardWrites)
	r, err := l.FinishSync(resp)
	if err != nil {
		w.eventf(l, l.Name, "%s  %s  %v", via, SyncFailed, err)
		return SyncFailed, relayed{}, nil
	}
	w.eventf(l, l.Name, "%s  %s  counter %d, %d entries sent, ack %d, revocation list %d%s", via, SyncOk, r.Counter, entries,
		r.AckEntryNo, r.Revocations.SerialNo, cardSync(writes, len(r.CardWrites)))
	return SyncOk, relayed{confirm: r.Revocations.SerialNo > serial}, nil
}
