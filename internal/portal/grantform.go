package portal

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// grantForm is what the new-grant form holds, as the user typed it.
type grantForm struct {
	Target                string
	Contact, Email, Card  string
	ValidFrom, ValidUntil string // dates (YYYY-MM-DD) in the target's zone; ValidUntil is the last day
	Schedule              schedule
	ICal                  string
}

// readGrantForm reads the posted form.
func readGrantForm(rq *request) grantForm {
	f := grantForm{Target: rq.value("target"), Contact: rq.value("contact"), Email: rq.value("email"), Card: rq.value("card"),
		ValidFrom: rq.value("valid_from"), ValidUntil: rq.value("valid_until"), ICal: strings.TrimSpace(rq.form.Get("ical")),
		Schedule: schedule{From: rq.value("time_from"), To: rq.value("time_to")}}
	for _, d := range weekdays {
		for _, v := range rq.form["day"] {
			if v == d.Code {
				f.Schedule.Days = append(f.Schedule.Days, d.Code)
				break
			}
		}
	}
	return f
}

// granteeField is the field of the grantee the form names: "contact", "email" or "card"; ""
// when it names none, "grantee" when it names more than one.
func (f grantForm) granteeField() string {
	var given []string
	for name, v := range map[string]string{"contact": f.Contact, "email": f.Email, "card": f.Card} {
		if v != "" {
			given = append(given, name)
		}
	}
	switch len(given) {
	case 0:
		return ""
	case 1:
		return given[0]
	}
	return "grantee"
}

// dayOption is a weekday checkbox of the builder.
type dayOption struct {
	Code, Label string
	Checked     bool
}

// grantFormView is the data of the new-grant form and its preview.
type grantFormView struct {
	Owner    *keyward.Owner
	Form     grantForm
	Days     []dayOption
	Targets  targetSelect
	Contacts []selectOption
	Cards    []selectOption
	Errors   fieldErrors
	Details  fieldErrors // the English details of a refusal with an error code, by field
	// Preview is set after a successful dry run: the zone and the next windows.
	Preview *grantPreview
}

// grantPreview is the outcome of a dry run.
type grantPreview struct {
	Zone    string
	Windows []previewWindow
}

// newGrantPage serves GET .../grants/new; ?target=, ?contact= and ?card= preselect (the links
// of a lock's, a contact's or a card's page).
func (s *Server) newGrantPage(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	f := grantForm{Target: rq.query("target"), Contact: rq.query("contact"), Card: rq.query("card")}
	return s.showGrantForm(rq, http.StatusOK, o, grantFormView{Form: f})
}

func (s *Server) showGrantForm(rq *request, status int, o *keyward.Owner, v grantFormView) error {
	targets, err := s.grantTargets(rq, o.ID, v.Form.Target)
	if err != nil {
		return err
	}
	contacts, err := s.grantContacts(rq, o.ID, v.Form.Contact)
	if err != nil {
		return err
	}
	cards, err := s.grantCards(rq, o.ID, v.Form.Card)
	if err != nil {
		return err
	}
	v.Owner = o
	v.Targets = s.targetSelect(rq, targets, v.Form.Target)
	v.Contacts, v.Cards = options(contacts, v.Form.Contact), options(cards, v.Form.Card)
	for _, d := range weekdays {
		v.Days = append(v.Days, dayOption{Code: d.Code, Label: s.t(rq, d.Key), Checked: v.Form.Schedule.has(d.Code)})
	}
	return s.render(rq, status, "grants-new", pageData{Title: s.t(rq, "portal.grants.newTitle"), Owner: o, Section: "grants", View: v})
}

// submitGrant serves POST .../grants/new. The button "preview" runs every check of the service
// as a dry run and lists the next windows; "create" creates the grant. A refusal shows its
// localized text next to the field at fault, with everything the user entered kept.
func (s *Server) submitGrant(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	f := readGrantForm(rq)
	tgt := targetOption{ID: f.Target, Zone: "UTC"} // for no target or an unknown one, which the service refuses
	if f.Target != "" {
		switch t, err := s.grantTarget(rq, o.ID, f.Target); {
		case err == nil:
			tgt = t
		case !errors.Is(err, keyward.ErrNotFound):
			return err
		}
	}
	in, errs := s.grantRequest(rq, &f, tgt)
	if len(errs) > 0 {
		return s.showGrantForm(rq, http.StatusBadRequest, o, grantFormView{Form: f, Errors: errs})
	}
	preview := rq.value("do") == "preview"
	in.DryRun = preview
	g, err := s.svc.Grants.CreateGrant(rq.ctx, o.ID, in)
	if err != nil {
		return s.refuseGrant(rq, o, f, err)
	}
	if !preview {
		return redirect(rq, ownerPath(o.ID, "grants", g.ID), "grantCreated")
	}
	zone := zoneOf(in.TimeRestrictionIcal, tgt.Zone)
	windows, err := previewWindows(in.TimeRestrictionIcal, zone, s.cfg.Now(), in.ValidFrom, in.ValidBefore)
	if err != nil {
		return err // the service accepted the text just now
	}
	return s.showGrantForm(rq, http.StatusOK, o, grantFormView{Form: f, Preview: &grantPreview{Zone: zone, Windows: windows}})
}

// grantRequest turns the form into a grant request, or into the texts of the fields the portal
// itself finds wrong: no target, no or several grantees, a malformed date, a schedule the
// builder cannot write. A filled-in builder writes the iCal text (f.ICal); an empty one leaves
// the text as the user wrote it.
func (s *Server) grantRequest(rq *request, f *grantForm, tgt targetOption) (keyward.GrantCreate, fieldErrors) {
	errs := fieldErrors{}
	in := keyward.GrantCreate{BoundLockID: f.Target}
	if f.Target == "" {
		errs["target"] = s.t(rq, "portal.grants.error.target")
	}
	switch f.granteeField() {
	case "":
		errs["grantee"] = s.t(rq, "portal.grants.error.grantee")
	case "grantee":
		errs["grantee"] = s.t(rq, "portal.grants.error.oneGrantee")
	case "contact":
		in.ContactID = &f.Contact
	case "email":
		in.Contact = &keyward.GrantContact{Identifier: &f.Email}
	case "card":
		in.BoundCardID = &f.Card
	}
	loc := location(tgt.Zone)
	var ok bool
	if in.ValidFrom, ok = dayStart(f.ValidFrom, loc, 0); !ok {
		errs["valid_from"] = s.t(rq, "portal.grants.error.date")
	}
	if in.ValidBefore, ok = dayStart(f.ValidUntil, loc, 1); !ok {
		errs["valid_until"] = s.t(rq, "portal.grants.error.date")
	}
	if !f.Schedule.empty() {
		if tgt.Mixed {
			errs["schedule"] = s.t(rq, "portal.grants.error.mixedZones")
			return in, errs
		}
		anchor := s.cfg.Now()
		if in.ValidFrom != nil {
			anchor = in.ValidFrom.Time
		}
		text, err := f.Schedule.icalText(tgt.Zone, loc, anchor)
		if err != nil {
			errs["schedule"] = s.t(rq, err.(*scheduleError).key)
			return in, errs
		}
		f.ICal = text
	}
	if f.ICal != "" {
		in.TimeRestrictionIcal = &f.ICal
	}
	return in, errs
}

// dayStart is the start of the day date (YYYY-MM-DD) plus days in loc; nil for no date, ok
// false for a malformed one.
func dayStart(date string, loc *time.Location, days int) (*keyward.Time, bool) {
	if date == "" {
		return nil, true
	}
	d, err := time.ParseInLocation("2006-01-02", date, loc)
	if err != nil {
		return nil, false
	}
	t := keyward.NewTime(time.Date(d.Year(), d.Month(), d.Day()+days, 0, 0, 0, 0, loc))
	return &t, true
}

// refuseGrant shows the service's refusal of a grant next to the field at fault.
func (s *Server) refuseGrant(rq *request, o *keyward.Owner, f grantForm, err error) error {
	e := keyward.ErrorOf(err)
	if e == nil || (e.Kind != keyward.KindInvalid && e.Kind != keyward.KindPaymentRequired) {
		return err
	}
	s.log.InfoContext(rq.ctx, "portal: form refused", "path", rq.r.URL.Path, "error", err)
	field := grantErrorField(e, f)
	text := s.userText(rq, e)
	v := grantFormView{Form: f, Errors: fieldErrors{field: text}, Details: fieldErrors{}}
	if e.Code == "" && e.Details != "" {
		v.Errors[field] = text + " (" + e.Details + ")"
	} else if e.Details != "" {
		v.Details[field] = e.Details
	}
	return s.showGrantForm(rq, e.Kind.Status(), o, v)
}

// grantErrorField is the form field a grant refusal concerns: the schedule for every iCal code,
// the grantee for Duplicate and the plan's smartphone users, the card for its capacity, the
// target for a lock too old and a group outside the plan, the period for a period that ends
// before it starts; "" (the form as a whole) for anything else.
func grantErrorField(e *keyward.Error, f grantForm) string {
	grantee := f.granteeField()
	switch {
	case strings.HasPrefix(e.Code, "TimeRestrictionIcal"):
		return "schedule"
	case e.Is(keyward.ErrDuplicate), e.Is(keyward.ErrInsufficientSmartphoneUserContingent):
		return grantee
	case e.Is(keyward.ErrCardCapacityExceeded):
		return "card"
	case e.Is(keyward.ErrProtocolVersionTooOld):
		return "target"
	case e.Is(keyward.ErrInsufficientAccountLevel):
		if strings.Contains(e.Details, keyward.FeatureTimeRestrictions) {
			return "schedule"
		}
		return "target"
	case e.Is(keyward.ErrGeneric):
		return genericField(e.Details, grantee)
	case strings.HasPrefix(e.Details, "contact: "):
		return "email"
	}
	return ""
}

// genericField reads which field a Generic refusal names from its details.
func genericField(details, grantee string) string {
	switch {
	case strings.HasPrefix(details, "validFrom"):
		return "valid_until"
	case strings.HasPrefix(details, "bound card"):
		return "card"
	case strings.HasPrefix(details, "bound lock"), strings.HasPrefix(details, "lock group"), strings.Contains(details, `"boundLockId"`):
		return "target"
	case strings.HasPrefix(details, "give exactly one grantee"):
		return "grantee"
	}
	return grantee
}
