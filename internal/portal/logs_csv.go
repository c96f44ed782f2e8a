package portal

import (
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/keyward"
)

// csvPageSize is how many entries the export reads from the service at a time; each batch is
// written and flushed before the next is read, so the export holds one batch in memory
// whatever the log's size.
const csvPageSize = 500

// csvHeader names the export's columns. They are machine-readable and the same in every
// language.
var csvHeader = []string{"time_utc", "local_time", "time_zone", "lock_id", "lock", "contact_id", "contact",
	"card_id", "card", "log_type", "command", "result", "reason", "grant_id", "entry_no", "entry_id", "received_at_utc"}

// logsCSV serves GET .../logs.csv: the log with the page's filters as CSV (RFC 4180: CRLF,
// fields quoted where needed), oldest entry first, streamed batch by batch. A filter the page
// would refuse is refused here the same way, before anything is written; a failure after the
// first row ends the connection, so that a cut file never looks complete.
func (s *Server) logsCSV(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	sel, err := s.selection(rq, o.ID, logFilterOf(rq))
	if err != nil {
		return err
	}
	first, err := s.seek(rq, o.ID, sel, keyward.LogSeek{}, csvPageSize)
	if err != nil {
		return err
	}
	h := rq.w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="access-log-`+o.ID+`.csv"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	rq.w.WriteHeader(http.StatusOK)
	w := csv.NewWriter(rq.w)
	w.UseCRLF = true
	names := s.newNames(rq, o.ID)
	s.flushCSV(rq, w, csvHeader)
	for page := first; len(page) > 0; {
		if err := names.prefetch(page); err != nil {
			s.abortCSV(rq, err)
		}
		for _, e := range page {
			if err := w.Write(names.csvRecord(e)); err != nil {
				s.abortCSV(rq, err)
			}
		}
		s.flushCSV(rq, w, nil)
		if len(page) < csvPageSize {
			break
		}
		if page, err = s.seek(rq, o.ID, sel, keyward.LogSeek{From: page[len(page)-1].ID}, csvPageSize); err != nil {
			s.abortCSV(rq, err)
		}
	}
	return nil
}

// csvBatchTime is how long one batch may take to reach the browser. The server's write timeout
// bounds a whole response; the export moves the deadline on with every batch, so that an export
// of any size runs as long as the browser keeps reading.
const csvBatchTime = time.Minute

// flushCSV writes record (if any) and sends what is buffered to the browser, with the write
// deadline moved on for the next batch.
func (s *Server) flushCSV(rq *request, w *csv.Writer, record []string) {
	if err := http.NewResponseController(rq.w).SetWriteDeadline(time.Now().Add(csvBatchTime)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		s.abortCSV(rq, err)
	}
	if record != nil {
		if err := w.Write(record); err != nil {
			s.abortCSV(rq, err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		s.abortCSV(rq, err)
	}
	if f, ok := rq.w.(http.Flusher); ok {
		f.Flush()
	}
}

// abortCSV ends an export that failed after its status was sent: the connection is cut
// (http.ErrAbortHandler), so the browser reports a failed download instead of a short file.
func (s *Server) abortCSV(rq *request, err error) {
	s.log.ErrorContext(rq.ctx, "portal: log export failed", "path", rq.r.URL.Path, "error", err)
	panic(http.ErrAbortHandler)
}

// csvRecord is one entry as a row of the export: times in UTC (RFC 3339) and in the lock's
// zone, the names beside the ids.
func (n *names) csvRecord(e *keyward.LogEntry) []string {
	l := n.lock(e.BoundLockID)
	loc, _ := keyward.LoadLocation(l.TimeZone) // lock checks the zone
	at := e.LockTimestamp.Time
	return []string{at.UTC().Format(time.RFC3339), at.In(loc).Format(time.RFC3339), l.TimeZone, e.BoundLockID, cell(l.Title),
		deref(e.ContactID), cell(n.contact(e.ContactID)), deref(e.BoundCardID), cell(n.card(e.BoundCardID)),
		cell(e.LogType), cell(e.Command), deref(e.Result), cell(deref(e.Reason)), deref(e.GrantID),
		strconv.FormatInt(e.EntryNo, 10), e.ID, e.ReceivedAt.UTC().Format(time.RFC3339)}
}

// cell guards a text that people or locks chose against spreadsheet formulas: one beginning
// with =, +, -, @, a tab or a carriage return gets a leading apostrophe (OWASP's advice on CSV
// injection), which spreadsheets show as text.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
