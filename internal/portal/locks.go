package portal

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

// lockRoutes are the pages of an account's locks: the list with the bind form, and a lock's
// page with its health, propagation, grants and latest log entries.
func (s *Server) lockRoutes() []Route {
	o := Root + "/owners/{owner}/locks"
	return []Route{
		get(o, s.locksPage),
		post(o, s.bindLock),
		get(o+"/{lock}", s.lockPage),
		post(o+"/{lock}/rename", s.renameLock),
		get(o+"/{lock}/unbind", s.confirmUnbindLock),
		post(o+"/{lock}/unbind", s.unbindLock),
	}
}

// lockLogSize is how many of a lock's newest log entries its page shows.
const lockLogSize = 20

// lockRow is one lock of the list.
type lockRow struct {
	ID, Title, Type, Battery, Zone string
	LastSync                       *keyward.Time
	Pending                        int
}

// locksView is the data of the lock list: a page of the bound locks and the bind form.
type locksView struct {
	Owner                             *keyward.Owner
	Rows                              []lockRow
	Pages                             inventoryPager
	PhysicalLockID, BindingCode, Name string
	Errors                            fieldErrors
}

// locksPage serves GET .../locks: the account's bound locks, 50 a page.
func (s *Server) locksPage(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	return s.showLocks(rq, http.StatusOK, o, locksView{})
}

func (s *Server) showLocks(rq *request, status int, o *keyward.Owner, v locksView) error {
	q, number, err := inventoryQuery(rq, url.Values{"$filter": {"active eq true"}, "$expand": {keyward.ExpandHealthStatuses}})
	if err != nil {
		return err
	}
	locks, err := s.svc.Locks.FindBoundLocks(rq.ctx, o.ID, q)
	if err != nil {
		return err
	}
	locks, v.Pages = inventoryPage(locks, number, ownerPath(o.ID, "locks"), nil)
	for _, l := range locks {
		p, err := s.svc.Locks.FindLockPropagation(rq.ctx, o.ID, l.ID)
		if err != nil {
			return err
		}
		v.Rows = append(v.Rows, lockRow{ID: l.ID, Title: l.Title, Type: lockTypeName(l), Battery: s.batteryText(rq, l.HealthStatuses),
			Zone: l.TimeZone, LastSync: l.LastSyncAt, Pending: len(p.PendingRevocations) + len(p.PendingCardWrites)})
	}
	v.Owner = o
	return s.render(rq, status, "locks", pageData{Title: s.t(rq, "portal.nav.locks"), Owner: o, Section: "locks", View: v})
}

// lockTypeName is the model of a lock, or its type id for a model the catalog lacks.
func lockTypeName(l *keyward.BoundLock) string {
	if l.LockType != nil {
		return l.LockType.ModelName
	}
	return l.LockTypeID
}

// bindLock serves POST .../locks: the physical lock with the id and binding code joins the
// account, and the browser goes to its page.
func (s *Server) bindLock(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	v := locksView{PhysicalLockID: rq.value("physicalLockId"), BindingCode: rq.value("bindingCode"), Name: rq.value("title")}
	l, err := s.svc.Locks.BindLock(rq.ctx, o.ID, keyward.BindLockRequest{PhysicalLockID: v.PhysicalLockID, BindingCode: v.BindingCode,
		Title: emptyAsNil(v.Name)})
	if err != nil {
		fe, ferr := s.formRefusal(rq, err, "physicalLockId", "bindingCode", "title")
		if ferr != nil {
			return ferr
		}
		v.Errors, v.BindingCode = fe.errors, ""
		return s.showLocks(rq, fe.status, o, v)
	}
	return redirect(rq, ownerPath(o.ID, "locks", l.ID), "lockBound")
}

// healthRow is one reading of a lock's health.
type healthRow struct {
	Type, Value, Status string
	At                  keyward.Time
}

// revocationRow is a revocation the lock has not confirmed.
type revocationRow struct {
	GrantID, Grantee string
	RevokedAt        keyward.Time
	Age              string
	ExposureEndsAt   *keyward.Time
}

// cardWriteRow is a card the lock has still to write.
type cardWriteRow struct {
	CardID, Card string
	Grants       int
	Since        keyward.Time
}

// logRow is one entry of the lock's log.
type logRow struct {
	At                           keyward.Time
	Who, Command, Result, Reason string
}

// lockView is the data of a lock's page.
type lockView struct {
	Owner             *keyward.Owner
	Lock              *keyward.BoundLock
	Zone              string
	Name, Description string
	Errors            fieldErrors
	Health            []healthRow
	Propagation       *keyward.LockPropagation
	Revocations       []revocationRow
	CardWrites        []cardWriteRow
	OldestAge         string
	Grants            []inventoryGrant
	Log               []logRow
	LogPath           string
}

// lockPage serves GET .../locks/{lock}.
func (s *Server) lockPage(rq *request) error {
	o, l, err := s.ownerLock(rq)
	if err != nil {
		return err
	}
	return s.showLock(rq, http.StatusOK, o, l, lockView{Name: l.Title, Description: l.Description})
}

// ownerLock loads the account and its {lock} with the lock's health.
func (s *Server) ownerLock(rq *request) (*keyward.Owner, *keyward.BoundLock, error) {
	o, err := s.owner(rq)
	if err != nil {
		return nil, nil, err
	}
	l, err := s.svc.Locks.FindBoundLock(rq.ctx, o.ID, rq.r.PathValue("lock"), []string{keyward.ExpandHealthStatuses})
	return o, l, err
}

func (s *Server) showLock(rq *request, status int, o *keyward.Owner, l *keyward.BoundLock, v lockView) error {
	v.Owner, v.Lock, v.Zone = o, l, l.TimeZone
	v.LogPath = ownerPath(o.ID, "logs") + "?" + url.Values{"lock": {l.ID}}.Encode()
	for _, h := range l.HealthStatuses {
		v.Health = append(v.Health, healthRow{Type: s.healthTypeText(rq, h.Type), Value: s.healthValueText(rq, h),
			Status: s.valueStatusText(rq, h.ValueStatus), At: h.Timestamp})
	}
	names := s.inventoryNames(rq, o.ID)
	if err := s.lockPropagation(rq, o, l, &v, names); err != nil {
		return err
	}
	q, err := odata.Parse(url.Values{"$filter": {"boundLockId eq " + odataString(l.ID)}, "$top": {strconv.Itoa(keyward.MaxTop)}})
	if err != nil {
		return err
	}
	grants, err := s.svc.Grants.FindGrants(rq.ctx, o.ID, q)
	if err != nil {
		return err
	}
	v.Grants = s.inventoryGrants(rq, o.ID, grants)
	if v.Log, err = s.lockLog(rq, o.ID, l.ID, names); err != nil {
		return err
	}
	return s.render(rq, status, "locks-lock", pageData{Title: l.Title, Owner: o, Section: "locks", View: v})
}

// lockPropagation fills what the lock has not caught up with yet.
func (s *Server) lockPropagation(rq *request, o *keyward.Owner, l *keyward.BoundLock, v *lockView, names *inventoryNamer) error {
	p, err := s.svc.Locks.FindLockPropagation(rq.ctx, o.ID, l.ID)
	if err != nil {
		return err
	}
	v.Propagation = p
	now := s.cfg.Now()
	for _, r := range p.PendingRevocations {
		who, err := names.of(r.ContactID, r.BoundCardID)
		if err != nil {
			return err
		}
		v.Revocations = append(v.Revocations, revocationRow{GrantID: r.GrantID, Grantee: who, RevokedAt: r.RevokedAt,
			Age: s.agoText(rq, int64(now.Sub(r.RevokedAt.Time).Seconds())), ExposureEndsAt: r.ExposureEndsAt})
	}
	for _, w := range p.PendingCardWrites {
		card, err := names.of(nil, &w.BoundCardID)
		if err != nil {
			return err
		}
		v.CardWrites = append(v.CardWrites, cardWriteRow{CardID: w.BoundCardID, Card: card, Grants: len(w.GrantIDs), Since: w.Since})
	}
	if p.OldestPendingAge != nil {
		v.OldestAge = s.agoText(rq, *p.OldestPendingAge)
	}
	return nil
}

// lockLog is the lock's newest log entries, newest first.
func (s *Server) lockLog(rq *request, ownerID, lockID string, names *inventoryNamer) ([]logRow, error) {
	q, err := odata.Parse(url.Values{"$orderby": {"lockTimestamp desc,entryNo desc"}, "$top": {strconv.Itoa(lockLogSize)}})
	if err != nil {
		return nil, err
	}
	entries, err := s.svc.Logs.FindBoundLockLogEntries(rq.ctx, ownerID, lockID, q)
	if err != nil {
		return nil, err
	}
	rows := make([]logRow, 0, len(entries))
	for _, e := range entries {
		who, err := names.of(e.ContactID, e.BoundCardID)
		if err != nil {
			return nil, err
		}
		rows = append(rows, logRow{At: e.LockTimestamp, Who: who, Command: e.Command, Result: s.logResultText(rq, e.Result),
			Reason: deref(e.Reason)})
	}
	return rows, nil
}

// renameLock serves POST .../locks/{lock}/rename: the title and description.
func (s *Server) renameLock(rq *request) error {
	o, l, err := s.ownerLock(rq)
	if err != nil {
		return err
	}
	title, description := rq.value("title"), rq.value("description")
	if title == "" {
		err = keyward.Invalidf("field %q is required", "title")
	} else {
		_, err = s.svc.Locks.UpdateBoundLock(rq.ctx, o.ID, l.ID, keyward.BoundLockUpdate{Title: &title, Description: &description})
	}
	if err != nil {
		fe, ferr := s.formRefusal(rq, err, "title", "description")
		if ferr != nil {
			return ferr
		}
		return s.showLock(rq, fe.status, o, l, lockView{Name: title, Description: description, Errors: fe.errors})
	}
	return redirect(rq, ownerPath(o.ID, "locks", l.ID), "lockRenamed")
}

// confirmUnbindLock serves GET .../locks/{lock}/unbind.
func (s *Server) confirmUnbindLock(rq *request) error {
	o, l, err := s.ownerLock(rq)
	if err != nil {
		return err
	}
	return s.confirm(rq, o, "locks", confirmView{
		Question:    s.t(rq, "portal.locks.unbindQuestion", l.Title, l.PhysicalLockID),
		Consequence: s.t(rq, "portal.locks.unbindConsequence"),
		Action:      ownerPath(o.ID, "locks", l.ID, "unbind"),
		Submit:      s.t(rq, "portal.locks.unbind"),
		Cancel:      ownerPath(o.ID, "locks", l.ID),
	})
}

// unbindLock serves POST .../locks/{lock}/unbind.
func (s *Server) unbindLock(rq *request) error {
	o, l, err := s.ownerLock(rq)
	if err != nil {
		return err
	}
	if err := s.svc.Locks.UnbindLock(rq.ctx, o.ID, l.ID); err != nil {
		return err
	}
	return redirect(rq, ownerPath(o.ID, "locks"), "lockUnbound")
}

// batteryText sums up a lock's battery for the list: its voltage and warning level, "—" when
// it has reported neither.
func (s *Server) batteryText(rq *request, health []keyward.HealthStatus) string {
	text := ""
	for _, h := range health {
		if h.Type != keyward.HealthBatteryVoltage && h.Type != keyward.HealthBatteryWarningLevel {
			continue
		}
		part := s.healthValueText(rq, h)
		if h.ValueStatus != keyward.HealthValueOk {
			part += " (" + s.valueStatusText(rq, h.ValueStatus) + ")"
		}
		if text != "" {
			text += ", "
		}
		text += part
	}
	if text == "" {
		return "—"
	}
	return text
}

// healthTypeText names a type of reading.
func (s *Server) healthTypeText(rq *request, typ string) string {
	switch typ {
	case keyward.HealthBatteryVoltage:
		return s.t(rq, "portal.locks.batteryVoltage")
	case keyward.HealthTemperature:
		return s.t(rq, "portal.locks.temperature")
	case keyward.HealthBatteryWarningLevel:
		return s.t(rq, "portal.locks.batteryWarning")
	}
	return typ
}

// healthValueText is a reading with its unit, or a warning level in words.
func (s *Server) healthValueText(rq *request, h keyward.HealthStatus) string {
	switch h.Type {
	case keyward.HealthBatteryVoltage:
		return strconv.FormatFloat(h.Value, 'f', 2, 64) + " V"
	case keyward.HealthTemperature:
		return strconv.FormatFloat(h.Value, 'f', 1, 64) + " °C"
	case keyward.HealthBatteryWarningLevel:
		switch h.Value {
		case keyward.BatteryWarningOk:
			return s.t(rq, "portal.locks.batteryOk")
		case keyward.BatteryWarningLow:
			return s.t(rq, "portal.locks.batteryLow")
		case keyward.BatteryWarningCritical:
			return s.t(rq, "portal.locks.batteryCritical")
		}
	}
	return strconv.FormatFloat(h.Value, 'g', -1, 64)
}

// valueStatusText says whether a reading can be trusted.
func (s *Server) valueStatusText(rq *request, status string) string {
	switch status {
	case keyward.HealthValueOk:
		return s.t(rq, "portal.locks.valueOk")
	case keyward.HealthValueOutdated:
		return s.t(rq, "portal.locks.valueOutdated")
	case keyward.HealthValueInvalid:
		return s.t(rq, "portal.locks.valueInvalid")
	}
	return status
}

// logResultText is the verdict of a log entry, "—" for an entry without one.
func (s *Server) logResultText(rq *request, result *string) string {
	switch deref(result) {
	case "":
		return "—"
	case keyward.LogResultAllowed:
		return s.t(rq, "portal.locks.logAllowed")
	case keyward.LogResultDenied:
		return s.t(rq, "portal.locks.logDenied")
	}
	return *result
}

// inventoryNamer names the contacts and cards that log entries and pending changes refer to,
// reading each once per page; one that no longer exists is shown by its id.
type inventoryNamer struct {
	s       *Server
	rq      *request
	ownerID string
	known   map[string]string
}

func (s *Server) inventoryNames(rq *request, ownerID string) *inventoryNamer {
	return &inventoryNamer{s: s, rq: rq, ownerID: ownerID, known: map[string]string{}}
}

// of is the name of the contact, else of the card, "—" for neither.
func (n *inventoryNamer) of(contactID, cardID *string) (string, error) {
	var key string
	var find func() (string, error)
	switch {
	case contactID != nil:
		key, find = "c:"+*contactID, func() (string, error) {
			c, err := n.s.svc.Contacts.FindContact(n.rq.ctx, n.ownerID, *contactID)
			if err != nil {
				return *contactID, err
			}
			return nameOfContact(c), nil
		}
	case cardID != nil:
		key, find = "b:"+*cardID, func() (string, error) {
			c, err := n.s.svc.Cards.FindBoundCard(n.rq.ctx, n.ownerID, *cardID)
			if err != nil {
				return *cardID, err
			}
			return nameOfCard(c), nil
		}
	default:
		return "—", nil
	}
	if name, ok := n.known[key]; ok {
		return name, nil
	}
	name, err := find()
	if err != nil && !errors.Is(err, keyward.ErrNotFound) {
		return "", err
	}
	n.known[key] = name
	return name, nil
}
