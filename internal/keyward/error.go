// Package keyward holds Keyward's domain: the entities of the Management API, the errors a client
// may see, and the interfaces that the storage, token and service layers implement. It imports
// nothing of Keyward's own so that every other package can depend on it.
package keyward

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an Error by the HTTP status it maps to. The seed names exactly six statuses and
// the Management API uses no others, so Kind has exactly six values.
type Kind uint8

// The kinds, one per status code of the seed.
const (
	KindInternal        Kind = iota // 500
	KindInvalid                     // 400
	KindUnauthorized                // 401
	KindPaymentRequired             // 402
	KindForbidden                   // 403
	KindNotFound                    // 404
)

// Error is the only error type whose content reaches a client. Message and Details are English;
// the localized UserErrorMessage is looked up from Code by the HTTP layer, so the domain never
// deals with languages.
type Error struct {
	Kind    Kind
	Code    string // the seed's ErrorCode ("Duplicate", ...); "" when the seed names none
	Message string // ErrorMessage
	Details string // ErrorDetails: which field, which line, which limit, which scope
	Cause   error  // logged, never serialised

	// UserMessageKey names the catalog entry of the localized UserErrorMessage when one code
	// covers cases that a user must be told apart ("Duplicate.Contact"); "" means Code.
	UserMessageKey string

	// Challenge carries the RFC 6750 WWW-Authenticate attributes of a 401 (error, scope).
	Challenge map[string]string

	// sentinel is the sentinel this error was made from (nil for a sentinel itself): errors.Is
	// compares it, so matching never depends on a message's wording.
	sentinel *Error
}

// Error returns the English message and details on one line, for logs and the CLI.
func (e *Error) Error() string {
	if e.Details != "" {
		return strings.TrimSuffix(e.Message, ".") + ": " + e.Details
	}
	return e.Message
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Cause }

// Is reports whether target is the sentinel e was made from (or e itself), so that every copy
// made with WithDetails or WithCause matches its sentinel and no other, whatever the wording.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.origin() == e.origin()
}

// origin is the sentinel e descends from.
func (e *Error) origin() *Error {
	if e.sentinel != nil {
		return e.sentinel
	}
	return e
}

// copy returns a copy of e that still descends from e's sentinel; sentinels are never modified.
func (e *Error) copy() *Error {
	c := *e
	c.sentinel = e.origin()
	return &c
}

// WithDetails returns a copy of e with ErrorDetails set.
func (e *Error) WithDetails(format string, a ...any) *Error {
	c := e.copy()
	c.Details = fmt.Sprintf(format, a...)
	return c
}

// WithCause returns a copy of e that wraps cause for the log.
func (e *Error) WithCause(cause error) *Error {
	c := e.copy()
	c.Cause = cause
	return c
}

// WithChallenge returns a copy of e with the RFC 6750 challenge attributes of a 401.
func (e *Error) WithChallenge(attrs map[string]string) *Error {
	c := e.copy()
	c.Challenge = attrs
	return c
}

// Status is the HTTP status of the kind: the one mapping every adapter (API, pages, portal) uses.
func (k Kind) Status() int {
	switch k {
	case KindInvalid:
		return 400
	case KindUnauthorized:
		return 401
	case KindPaymentRequired:
		return 402
	case KindForbidden:
		return 403
	case KindNotFound:
		return 404
	}
	return 500
}

// UserMessageKeyOf is the catalog key of an error's localized UserErrorMessage: its
// UserMessageKey, else its Code; "" when it has neither and so no user message.
func (e *Error) UserMessageKeyOf() string {
	if e.UserMessageKey != "" {
		return e.UserMessageKey
	}
	return e.Code
}

// ErrorOf returns the *Error in err's chain, or nil when err carries none and is therefore internal.
func ErrorOf(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Invalidf is a 400 without ErrorCode for malformed input (bad JSON, bad field, bad query option).
func Invalidf(format string, a ...any) *Error {
	return ErrInvalid.WithDetails(format, a...)
}

// Sentinels without a seed ErrorCode. Their Details are filled in where they are raised.
var (
	ErrInvalid   = &Error{Kind: KindInvalid, Message: "The request is invalid."}
	ErrNotFound  = &Error{Kind: KindNotFound, Message: "The resource was not found."}
	ErrForbidden = &Error{Kind: KindForbidden, Message: "The caller has no permission for this operation."}
	ErrInternal  = &Error{Kind: KindInternal, Message: "An unexpected error occurred."}

	// The four 401 cases of decisions §2, each with its own message.
	ErrNoToken           = &Error{Kind: KindUnauthorized, Message: "No access token was sent.", Challenge: map[string]string{}}
	ErrInvalidToken      = &Error{Kind: KindUnauthorized, Message: "The access token is invalid.", Challenge: map[string]string{"error": "invalid_token", "error_description": "the access token is invalid"}}
	ErrExpiredToken      = &Error{Kind: KindUnauthorized, Message: "The access token has expired.", Challenge: map[string]string{"error": "invalid_token", "error_description": "the access token expired"}}
	ErrInsufficientScope = &Error{Kind: KindUnauthorized, Message: "The access token lacks a required scope.", Challenge: map[string]string{"error": "insufficient_scope"}}

	ErrLockAlreadyBound  = &Error{Kind: KindForbidden, Message: "The lock is already bound to an owner account."}
	ErrCardAlreadyBound  = &Error{Kind: KindForbidden, Message: "The card is already bound to an owner account."}
	ErrWrongBindingCode  = &Error{Kind: KindInvalid, Message: "The binding code is wrong."}
	ErrLastOwner         = &Error{Kind: KindForbidden, Message: "The last Owner permission of an owner account cannot be removed."}
	ErrOwnerCreateDenied = &Error{Kind: KindForbidden, Message: "Owner accounts can only be created by users."}
)

// Sentinels of the device API (Keyward's own codes, beyond the seed's): a lock's request whose
// signature does not verify with a registered device key, and a request replayed.
var (
	ErrDeviceUnauthenticated = &Error{Kind: KindUnauthorized, Code: "DeviceAuthenticationFailed", Message: "The lock's request is not signed by a registered lock."}
	ErrReplay                = &Error{Kind: KindInvalid, Code: "SyncReplayed", Message: "The lock's request was taken already."}
)

// Sentinels carrying the seed's ErrorCodes.
var (
	ErrInsufficientAccountLevel              = &Error{Kind: KindPaymentRequired, Code: "InsufficientAccountLevel", Message: "The owner account's plan does not include this feature."}
	ErrInsufficientSmartphoneUserContingent  = &Error{Kind: KindPaymentRequired, Code: "InsufficientSmartphoneUserContingent", Message: "The owner account has reached the number of smartphone users of its plan."}
	ErrGeneric                               = &Error{Kind: KindInvalid, Code: "Generic", Message: "The grant request is invalid."}
	ErrDuplicate                             = &Error{Kind: KindInvalid, Code: "Duplicate", Message: "only one grant allowed per lock and user/card"}
	ErrDuplicateContact                      = &Error{Kind: KindInvalid, Code: "Duplicate", UserMessageKey: "Duplicate.Contact", Message: "A contact with this identifier already exists."}
	ErrDuplicateIPUser                       = &Error{Kind: KindInvalid, Code: "Duplicate", UserMessageKey: "Duplicate.IPUser", Message: "A user with this ipUserId already exists for this identity provider."}
	ErrCardCapacityExceeded                  = &Error{Kind: KindInvalid, Code: "CardCapacityExceeded", Message: "The capacity of the card was exceeded."}
	ErrTimeRestrictionIcalTooLarge           = &Error{Kind: KindInvalid, Code: "TimeRestrictionIcalTooLarge", Message: "The time restriction iCal text is too large."}
	ErrTimeRestrictionIcalNotSupportedByLock = &Error{Kind: KindInvalid, Code: "TimeRestrictionIcalNotSupportedByLock", Message: "The lock does not support time restrictions."}
	ErrTimeRestrictionIcalTooComplex         = &Error{Kind: KindInvalid, Code: "TimeRestrictionIcalTooComplex", Message: "The time restriction iCal is too complex."}
	ErrTimeRestrictionIcalMalformed          = &Error{Kind: KindInvalid, Code: "TimeRestrictionIcalMalformed", Message: "The time restriction iCal is malformed."}
	ErrTimeRestrictionIcalIllegalTimezone    = &Error{Kind: KindInvalid, Code: "TimeRestrictionIcalIllegalTimezone", Message: "The time restriction iCal uses an illegal time zone."}
	ErrProtocolVersionTooOld                 = &Error{Kind: KindInvalid, Code: "ProtocolVersionTooOld", Message: "The lock's protocol version does not support this grant."}
	ErrEmailAddressInUse                     = &Error{Kind: KindInvalid, Code: "EmailAddressInUse", Message: "The e-mail address is already in use by another user."}
	ErrEmailNotVerified                      = &Error{Kind: KindForbidden, Code: "EmailNotVerified", Message: "The user's e-mail address has not been verified."}
	ErrEmailChangeNotSupported               = &Error{Kind: KindInvalid, Code: "EmailChangeNotSupported", Message: "Changing the e-mail address of a user is not supported."}
)

// InsufficientScope is the 401 for a token that lacks scope; the challenge names the scope needed.
func InsufficientScope(scope string) *Error {
	return ErrInsufficientScope.WithDetails("the operation requires the scope %q", scope).
		WithChallenge(map[string]string{"error": "insufficient_scope", "scope": scope})
}
