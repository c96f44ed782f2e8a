package keyward

// LogEntry is one entry of a lock's access log (reference §4.8), as the lock recorded it and
// Keyward received it, with Keyward's verdict on it: Result, Reason in the vocabulary of
// AccessCheck (ReasonAllowed, ReasonExpired, …) and the grant that decided it. EntryNo is the
// lock's own sequence number and, with the bound lock, the entry's identity: an upload that
// repeats an entry stores it once.
type LogEntry struct {
	ID            string  `json:"id"`
	EntryNo       int64   `json:"entryNo"`
	LockTimestamp Time    `json:"lockTimestamp"`
	ReceivedAt    Time    `json:"receivedAt"`
	BoundLockID   string  `json:"boundLockId"`
	BoundCardID   *string `json:"boundCardId"`
	ContactID     *string `json:"contactId"`
	LogType       string  `json:"logType"`
	Command       string  `json:"command"`
	Result        *string `json:"result"`
	Reason        *string `json:"reason"`
	GrantID       *string `json:"grantId"`
}

// logEntryMembers are LogEntry's JSON members, in the order of its fields.
var logEntryMembers = []string{"id", "entryNo", "lockTimestamp", "receivedAt", "boundLockId", "boundCardId",
	"contactId", "logType", "command", "result", "reason", "grantId"}

// JSONMembers names the members AppendJSON writes, in their order.
func (e *LogEntry) JSONMembers() []string { return logEntryMembers }

// AppendJSON appends the entry as encoding/json encodes it, with only the members whose bit
// (1 << their index in JSONMembers) is set in keep; a nil entry is null. A page of the log
// export is 500 entries, which encoding/json's reflection and then $select's pass over its output
// made a third of the page's CPU.
func (e *LogEntry) AppendJSON(dst []byte, keep uint64) []byte {
	if e == nil {
		return append(dst, "null"...)
	}
	o := objectWriter{dst: append(dst, '{'), names: logEntryMembers, keep: keep}
	o.string(e.ID)
	o.int(e.EntryNo)
	o.time(e.LockTimestamp)
	o.time(e.ReceivedAt)
	o.string(e.BoundLockID)
	o.optString(e.BoundCardID)
	o.optString(e.ContactID)
	o.string(e.LogType)
	o.string(e.Command)
	o.optString(e.Result)
	o.optString(e.Reason)
	o.optString(e.GrantID)
	return append(o.dst, '}')
}

// Log types, commands and results Keyward knows; the lock may report others.
const (
	LogTypeCommand     = "Command"
	CommandTriggerLock = "TriggerLock"
	LogResultAllowed   = "Allowed"
	LogResultDenied    = "Denied"
)

// LogEntryFilter selects log entries of one owner account, optionally of one bound lock.
type LogEntryFilter struct {
	OwnerID     string
	BoundLockID *string
	Query       *Query
	// Seek, when set, pages by keyset in the order of receipt instead of by $skip; Query then
	// carries only $filter, $select and $top.
	Seek *LogSeek
}

// LogSeek is a keyset position in a log's order of receipt: the entries after the entry From
// (oldest first), or with Descending those before it (newest first). From "" is the log's
// start, or with Descending its end. An entry id that is not in the account's log gives no
// entries. Every page is a seek on the account's (or the lock's) sequence index, so the last
// page of a large log costs what the first does, whatever the filter.
type LogSeek struct {
	From       string
	Descending bool
}
