// Package lockproto is what Keyward and a physical lock agree on, apart from accounts and the
// Management API: the physical lock id and its codec, the catalog of lock types, the protocol
// versions and what each adds, binding codes (made, hashed for storage, compared in constant
// time), and the signed messages of docs/lock-protocol.md (mobile keys, revocation lists, sync
// requests with log entries and health reports, sync responses with key sets) with the offline
// decision a lock takes on a key (Decide). The service, the store, the device API and the lock
// simulator share it; it imports only the domain's value types and internal/ical, so that a
// lock's side can be written without the server and evaluates time restrictions as the server
// does.
package lockproto

// Protocol versions a lock may speak and the grant features they bring (decisions §4, §5); each
// understands what the versions before it do.
const (
	ProtocolBasic              = 1 // keys with a validity period
	ProtocolTimeRestrictions   = 2 // iCal time restrictions with DAILY and WEEKLY rules
	ProtocolExtendedRecurrence = 3 // MONTHLY and YEARLY rules
	ProtocolLatest             = ProtocolExtendedRecurrence
)
