package keyward

// The refusals of signing in and signing up (Service.SignIn, Service.SignUp). They have no seed
// ErrorCode: the pages that show them pick their own texts, and the Management API never
// answers with them.
var (
	// ErrSignInFailed is a wrong address or password; which of the two is not told.
	ErrSignInFailed = &Error{Kind: KindInvalid, Message: "The e-mail address or the password is wrong."}
	// ErrSignInThrottled refuses an address with too many failed sign-ins lately, whatever the password.
	ErrSignInThrottled = &Error{Kind: KindInvalid, Message: "There were too many failed sign-ins for this address; try again later."}
	// ErrSignUpThrottled refuses a client network with too many sign-ups lately.
	ErrSignUpThrottled = &Error{Kind: KindInvalid, Message: "There were too many sign-ups from this network; try again later."}
	// ErrBadEmailAddress is an address that is not of the plain form local@domain.
	ErrBadEmailAddress = &Error{Kind: KindInvalid, Message: "The e-mail address is not valid."}
	// ErrPasswordTooShort and ErrPasswordTooLong are passwords outside the lengths a user may choose.
	ErrPasswordTooShort = &Error{Kind: KindInvalid, Message: "The password is too short."}
	ErrPasswordTooLong  = &Error{Kind: KindInvalid, Message: "The password is too long."}
)
