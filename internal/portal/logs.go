package portal

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

// logRoutes are the account's access log: the page with its filters and the CSV export.
func (s *Server) logRoutes() []Route {
	o := Root + "/owners/{owner}/"
	return []Route{
		get(o+"logs", s.logsPage),
		get(o+"logs.csv", s.logsCSV),
	}
}

// logPageSize is how many entries a page of the log shows.
const logPageSize = 50

// logFilter is what the log page and the export select: the lock, the person, the card, the
// verdict and the range of the lock's time, as the user typed them (query parameters).
type logFilter struct {
	Lock, Contact, Card, Result, From, To string
}

// logFilterOf reads the filter from the query.
func logFilterOf(rq *request) logFilter {
	return logFilter{Lock: rq.query("lock"), Contact: rq.query("contact"), Card: rq.query("card"),
		Result: rq.query("result"), From: rq.query("from"), To: rq.query("to")}
}

// values is the filter as query parameters, without the empty ones, for the pager's and the
// export's links.
func (f logFilter) values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"lock", f.Lock}, {"contact", f.Contact}, {"card", f.Card}, {"result", f.Result}, {"from", f.From}, {"to", f.To}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// logSelection is a checked filter: the lock it names (nil for all), the zone its times are
// read in, and the OData filter of the rest.
type logSelection struct {
	lock   *keyward.BoundLock
	zone   *time.Location
	filter []string
}

// timeLayouts are the forms a time of the filter may take: a date, or a date and time.
var timeLayouts = []struct {
	layout string
	span   time.Duration // what the form covers, so that "to" includes it
}{
	{"2006-01-02", 24 * time.Hour},
	{"2006-01-02T15:04", time.Minute}, {"2006-01-02 15:04", time.Minute},
	{"2006-01-02T15:04:05", time.Second}, {"2006-01-02 15:04:05", time.Second},
}

// parseFilterTime reads a time of the filter in loc: its start, and how long the form spans.
func parseFilterTime(s string, loc *time.Location) (time.Time, time.Duration, bool) {
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l.layout, s, loc); err == nil {
			return t, l.span, true
		}
	}
	return time.Time{}, 0, false
}

// selection checks f: the lock must be the account's, the verdict Allowed or Denied, the times
// dates or date-times in the lock's zone (UTC without a lock), "to" not before "from". "from"
// includes its instant, "to" the whole day or minute it names.
func (s *Server) selection(rq *request, ownerID string, f logFilter) (*logSelection, error) {
	sel := &logSelection{zone: time.UTC}
	if f.Lock != "" {
		l, err := s.svc.Locks.FindBoundLock(rq.ctx, ownerID, f.Lock, nil)
		if err != nil {
			if errors.Is(err, keyward.ErrNotFound) {
				return nil, keyward.Invalidf("field %q names no lock of this account", "lock")
			}
			return nil, err
		}
		sel.lock = l
		if loc, err := keyward.LoadLocation(l.TimeZone); err == nil && l.TimeZone != "" {
			sel.zone = loc
		}
	}
	if f.Contact != "" {
		sel.filter = append(sel.filter, "contactId eq "+odataString(f.Contact))
	}
	if f.Card != "" {
		sel.filter = append(sel.filter, "boundCardId eq "+odataString(f.Card))
	}
	switch f.Result {
	case "":
	case keyward.LogResultAllowed, keyward.LogResultDenied:
		sel.filter = append(sel.filter, "result eq "+odataString(f.Result))
	default:
		return nil, keyward.Invalidf("field %q must be %s or %s", "result", keyward.LogResultAllowed, keyward.LogResultDenied)
	}
	var from time.Time
	if f.From != "" {
		t, _, ok := parseFilterTime(f.From, sel.zone)
		if !ok {
			return nil, keyward.Invalidf("field %q must be a date (2026-03-01) or a date and time (2026-03-01 14:30)", "from")
		}
		from = t
		sel.filter = append(sel.filter, "lockTimestamp ge "+odataString(t.UTC().Format(time.RFC3339)))
	}
	if f.To != "" {
		t, span, ok := parseFilterTime(f.To, sel.zone)
		if !ok {
			return nil, keyward.Invalidf("field %q must be a date (2026-03-01) or a date and time (2026-03-01 14:30)", "to")
		}
		end := t.Add(span)
		if span == 24*time.Hour { // the day's end in the zone, which is not 24 hours on a change of offset
			end = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, sel.zone)
		}
		if !from.IsZero() && !end.After(from) {
			return nil, keyward.Invalidf("field %q must be after the start of the range", "to")
		}
		sel.filter = append(sel.filter, "lockTimestamp lt "+odataString(end.UTC().Format(time.RFC3339)))
	}
	return sel, nil
}

// seek reads one keyset page of the selected log: top entries from the entry from (exclusive)
// in the direction seek says.
func (s *Server) seek(rq *request, ownerID string, sel *logSelection, seek keyward.LogSeek, top int) ([]*keyward.LogEntry, error) {
	v := url.Values{"$top": {strconv.Itoa(top)}}
	if len(sel.filter) > 0 {
		v.Set("$filter", strings.Join(sel.filter, " and "))
	}
	q, err := odata.Parse(v)
	if err != nil {
		return nil, err
	}
	var lockID *string
	if sel.lock != nil {
		lockID = &sel.lock.ID
	}
	return s.svc.Logs.SeekLogEntries(rq.ctx, ownerID, lockID, seek, q)
}

// logRow is one entry as the page shows it.
type logRow struct {
	Entry                *keyward.LogEntry
	Lock, Zone           string
	Person, Card         string
	Result, Reason, Kind string
}

// logsView is the data of the log page.
type logsView struct {
	Owner                      *keyward.Owner
	Filter                     logFilter
	Errors                     fieldErrors
	Zone                       string // the zone the filter's times are read in
	Locks                      []*keyward.BoundLock
	Contacts                   []*keyward.Contact
	Cards                      []*keyward.BoundCard
	Rows                       []logRow
	Newest, Newer, Older, Last string // the pager's links, "" where there is no such page
	Export                     string
}

// logsPage serves GET .../logs: the account's log, newest first, filtered, in pages of 50 by
// keyset (?older=<id>, ?newer=<id>, ?oldest=1), each a seek on the log's sequence index.
func (s *Server) logsPage(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	v := logsView{Owner: o, Filter: logFilterOf(rq), Zone: "UTC"}
	if err := s.logChoices(rq, o.ID, &v); err != nil {
		return err
	}
	sel, err := s.selection(rq, o.ID, v.Filter)
	if err != nil {
		fe, ferr := s.fieldError(rq, err, "lock", "contact", "card", "result", "from", "to")
		if ferr != nil {
			return ferr
		}
		v.Errors = fe.errors
		return s.render(rq, fe.status, "logs-list", pageData{Title: s.t(rq, "portal.logs.title"), Owner: o, Section: "logs", View: v})
	}
	v.Zone = sel.zone.String()
	entries, newer, older, err := s.logWindow(rq, o.ID, sel)
	if err != nil {
		return err
	}
	names := s.newNames(rq, o.ID)
	if err := names.prefetch(entries); err != nil {
		return err
	}
	for _, e := range entries {
		v.Rows = append(v.Rows, names.row(e))
	}
	s.pager(&v, entries, newer, older)
	return s.render(rq, http.StatusOK, "logs-list", pageData{Title: s.t(rq, "portal.logs.title"), Owner: o, Section: "logs", View: v})
}

// logChoices fills the filter's lists: the account's first keyward.MaxTop locks, contacts and
// cards, and the chosen ones where those lack them (withChosen). An account of 100 000 contacts
// would otherwise read and send all of them with every page of its log.
func (s *Server) logChoices(rq *request, ownerID string, v *logsView) error {
	ctx, f := rq.ctx, v.Filter
	var err error
	if v.Locks, err = s.svc.Locks.FindBoundLocks(ctx, ownerID, allQuery("")); err != nil {
		return err
	}
	if v.Locks, err = withChosen(v.Locks, f.Lock, func(l *keyward.BoundLock) string { return l.ID },
		func() (*keyward.BoundLock, error) { return s.svc.Locks.FindBoundLock(ctx, ownerID, f.Lock, nil) }); err != nil {
		return err
	}
	if v.Contacts, err = s.svc.Contacts.FindContacts(ctx, ownerID, allQuery("")); err != nil {
		return err
	}
	if v.Contacts, err = withChosen(v.Contacts, f.Contact, func(c *keyward.Contact) string { return c.ID },
		func() (*keyward.Contact, error) { return s.svc.Contacts.FindContact(ctx, ownerID, f.Contact) }); err != nil {
		return err
	}
	if v.Cards, err = s.svc.Cards.FindBoundCards(ctx, ownerID, allQuery("")); err != nil {
		return err
	}
	v.Cards, err = withChosen(v.Cards, f.Card, func(c *keyward.BoundCard) string { return c.ID },
		func() (*keyward.BoundCard, error) { return s.svc.Cards.FindBoundCard(ctx, ownerID, f.Card) })
	return err
}

// logWindow reads the page the query's cursor names, newest entry first, and whether there are
// newer and older entries beyond it.
func (s *Server) logWindow(rq *request, ownerID string, sel *logSelection) (entries []*keyward.LogEntry, newer, older bool, err error) {
	seek := keyward.LogSeek{From: rq.query("older"), Descending: true}
	ascending := false
	if id := rq.query("newer"); id != "" {
		seek, ascending = keyward.LogSeek{From: id}, true
	} else if rq.query("oldest") != "" {
		seek, ascending = keyward.LogSeek{}, true
	}
	entries, err = s.seek(rq, ownerID, sel, seek, logPageSize+1)
	if err != nil {
		return nil, false, false, err
	}
	more := len(entries) > logPageSize
	entries = entries[:min(len(entries), logPageSize)]
	if ascending {
		slices.Reverse(entries)
	}
	if len(entries) == 0 {
		return nil, false, false, nil
	}
	// one entry beyond the page's other end tells whether a page lies there
	probe := keyward.LogSeek{From: entries[0].ID}
	if ascending {
		probe = keyward.LogSeek{From: entries[len(entries)-1].ID, Descending: true}
	}
	beyond, err := s.seek(rq, ownerID, sel, probe, 1)
	if err != nil {
		return nil, false, false, err
	}
	if ascending {
		return entries, more, len(beyond) > 0, nil
	}
	return entries, len(beyond) > 0, more, nil
}

// pager sets the page's links, which keep the filter.
func (s *Server) pager(v *logsView, entries []*keyward.LogEntry, newer, older bool) {
	base := ownerPath(v.Owner.ID, "logs")
	link := func(k, val string) string {
		q := v.Filter.values()
		if k != "" {
			q.Set(k, val)
		}
		if len(q) == 0 {
			return base
		}
		return base + "?" + q.Encode()
	}
	if newer {
		v.Newest, v.Newer = link("", ""), link("newer", entries[0].ID)
	}
	if older {
		v.Older, v.Last = link("older", entries[len(entries)-1].ID), link("oldest", "1")
	}
	v.Export = ownerPath(v.Owner.ID, "logs.csv")
	if q := v.Filter.values(); len(q) > 0 {
		v.Export += "?" + q.Encode()
	}
}

// names finds the locks, contacts and cards that log entries name, each once per request; an
// entity that no longer exists (a deleted contact, another account's card) has no name.
type names struct {
	s        *Server
	rq       *request
	ownerID  string
	locks    map[string]*keyward.BoundLock
	contacts map[string]string
	cards    map[string]string
}

func (s *Server) newNames(rq *request, ownerID string) *names {
	return &names{s: s, rq: rq, ownerID: ownerID, locks: map[string]*keyward.BoundLock{},
		contacts: map[string]string{}, cards: map[string]string{}}
}

// namesFilterLength bounds the OData filter of one prefetch read, below the parser's 2048
// characters: some 40 ids.
const namesFilterLength = 1900

// prefetch reads the locks, contacts and cards that entries name and that are not known yet,
// with one OData filter of their ids per read (namesFilterLength): a page naming 50 people is
// two reads of contacts, not 50, and a page of the CSV export naming 500 is 13. An id a read
// does not return (deleted, or another account's) is known from then on as one without a name,
// as the one-by-one lookup would have found it.
func (n *names) prefetch(entries []*keyward.LogEntry) error {
	var locks, contacts, cards []string
	askedLocks, askedContacts, askedCards := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, e := range entries {
		locks = unknown(locks, askedLocks, n.locks, &e.BoundLockID)
		contacts = unknown(contacts, askedContacts, n.contacts, e.ContactID)
		cards = unknown(cards, askedCards, n.cards, e.BoundCardID)
	}
	ctx := n.rq.ctx
	return errors.Join(
		eachFilter(locks, func(q *keyward.Query, ids []string) error {
			list, err := n.s.svc.Locks.FindBoundLocks(ctx, n.ownerID, q)
			if err != nil {
				return err
			}
			for _, id := range ids { // as lock finds one it cannot read, unless the read found it
				n.keepLock(&keyward.BoundLock{ID: id, Title: id, TimeZone: "UTC"})
			}
			for _, l := range list {
				n.keepLock(l)
			}
			return nil
		}),
		eachFilter(contacts, func(q *keyward.Query, ids []string) error {
			list, err := n.s.svc.Contacts.FindContacts(ctx, n.ownerID, q)
			return known(n.contacts, ids, list, func(c *keyward.Contact) (string, string) { return c.ID, contactName(c) }, err)
		}),
		eachFilter(cards, func(q *keyward.Query, ids []string) error {
			list, err := n.s.svc.Cards.FindBoundCards(ctx, n.ownerID, q)
			return known(n.cards, ids, list, func(c *keyward.BoundCard) (string, string) { return c.ID, cardName(c) }, err)
		}))
}

// known records the names of what a prefetch read found, and no name for the ids it asked for
// and did not find; after a failed read it records nothing.
func known[T any](names map[string]string, ids []string, found []T, name func(T) (id, name string), err error) error {
	if err != nil {
		return err
	}
	for _, id := range ids {
		names[id] = ""
	}
	for _, v := range found {
		id, text := name(v)
		names[id] = text
	}
	return nil
}

// unknown adds id to ids unless it is nil, known or asked for already, and records it asked.
func unknown[V any](ids []string, asked map[string]bool, known map[string]V, id *string) []string {
	if id == nil || asked[*id] {
		return ids
	}
	if _, ok := known[*id]; ok {
		return ids
	}
	asked[*id] = true
	return append(ids, *id)
}

// eachFilter calls read with queries whose filters select ids, as many ids per query as
// namesFilterLength allows, and the ids each selects.
func eachFilter(ids []string, read func(q *keyward.Query, ids []string) error) error {
	for len(ids) > 0 {
		var terms []string
		size, n := 0, 0
		for n < len(ids) && (n == 0 || size+len(ids[n]) < namesFilterLength) {
			term := "id eq " + odataString(ids[n])
			terms, size, n = append(terms, term), size+len(term)+len(" or "), n+1
		}
		chunk := ids[:n]
		ids = ids[n:]
		q, err := odata.Parse(url.Values{"$filter": {strings.Join(terms, " or ")}, "$top": {strconv.Itoa(len(terms))}})
		if err != nil {
			continue // an id too long for a filter of its own: the one-by-one lookup names it
		}
		if err := read(q, chunk); err != nil {
			return err
		}
	}
	return nil
}

// lock is the entry's lock, or a lock of that id in UTC if it cannot be read.
func (n *names) lock(id string) *keyward.BoundLock {
	if l, ok := n.locks[id]; ok {
		return l
	}
	l, err := n.s.svc.Locks.FindBoundLock(n.rq.ctx, n.ownerID, id, nil)
	if err != nil {
		l = &keyward.BoundLock{ID: id, Title: id, TimeZone: "UTC"}
	}
	return n.keepLock(l)
}

// keepLock remembers l, in UTC when its zone is not one the portal knows.
func (n *names) keepLock(l *keyward.BoundLock) *keyward.BoundLock {
	if _, err := keyward.LoadLocation(l.TimeZone); err != nil || l.TimeZone == "" {
		l.TimeZone = "UTC"
	}
	n.locks[l.ID] = l
	return l
}

// contact is a contact's title, else its identifier.
func (n *names) contact(id *string) string {
	if id == nil {
		return ""
	}
	if name, ok := n.contacts[*id]; ok {
		return name
	}
	name := ""
	if c, err := n.s.svc.Contacts.FindContact(n.rq.ctx, n.ownerID, *id); err == nil {
		name = contactName(c)
	}
	n.contacts[*id] = name
	return name
}

// card is a card's title, else its label.
func (n *names) card(id *string) string {
	if id == nil {
		return ""
	}
	if name, ok := n.cards[*id]; ok {
		return name
	}
	name := ""
	if c, err := n.s.svc.Cards.FindBoundCard(n.rq.ctx, n.ownerID, *id); err == nil {
		name = cardName(c)
	}
	n.cards[*id] = name
	return name
}

// contactName is how the log names a contact: its title, else its identifier.
func contactName(c *keyward.Contact) string { return cmp.Or(deref(c.Title), deref(c.Identifier)) }

// cardName is how the log names a card: its title, else its label.
func cardName(c *keyward.BoundCard) string { return cmp.Or(deref(c.Title), c.Label) }

// row is the entry as the page shows it.
func (n *names) row(e *keyward.LogEntry) logRow {
	l := n.lock(e.BoundLockID)
	kind := e.LogType
	if e.Command != "" {
		kind += " / " + e.Command
	}
	return logRow{Entry: e, Lock: l.Title, Zone: l.TimeZone, Person: n.contact(e.ContactID), Card: n.card(e.BoundCardID),
		Result: deref(e.Result), Reason: deref(e.Reason), Kind: kind}
}
