// Package lockproto is what Keyward and a physical lock agree on, apart from accounts and the
// Management API: the physical lock id and its codec, the catalog of lock types, the protocol
// versions and what each adds, and binding codes (made, hashed for storage, compared in
// constant time). The service, the store, the device API and the lock simulator share it; it
// imports only the standard library, so that a lock's side can be written without the server's
// domain.
package lockproto

// Protocol versions a lock may speak and the grant features they bring (decisions §4, §5); each
// understands what the versions before it do.
const (
	ProtocolBasic              = 1 // keys with a validity period
	ProtocolTimeRestrictions   = 2 // iCal time restrictions with DAILY and WEEKLY rules
	ProtocolExtendedRecurrence = 3 // MONTHLY and YEARLY rules
	ProtocolLatest             = ProtocolExtendedRecurrence
)
