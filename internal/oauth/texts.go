package oauth

import (
	"fmt"

	"github.com/keyward/keyward/internal/keyward"
)

// pageTexts returns every user-facing string of the sign-in, sign-up, consent and error pages
// and of the verification e-mail, in English. Keeping them in this one table, looked up by key
// from the templates and the handlers, lets a later change load them per language without
// touching the pages.
func pageTexts() map[string]string {
	return map[string]string{
		"app.name": "Keyward",

		"login.title":         "Sign in",
		"login.email":         "E-mail address",
		"login.password":      "Password",
		"login.submit":        "Sign in",
		"login.signupPrompt":  "No account yet?",
		"login.signupLink":    "Create an account",
		"login.missing":       "Please enter your e-mail address and your password.",
		"login.failed":        "The e-mail address or the password is wrong.",
		"login.throttled":     "Too many failed sign-ins for this address. Please wait 15 minutes and try again.",
		"login.unverified":    "Your e-mail address has not been verified yet. Please open the link we sent to %s first.",
		"login.resend":        "Send the link again",
		"form.expired":        "This form has expired or was sent from another site. Please try again.",
		"form.cookies":        "Your browser did not send our cookie back. Please allow cookies for this site and try again.",
		"signup.title":        "Create an account",
		"signup.submit":       "Create account",
		"signup.passwordHint": "At least 8 characters.",
		"signup.loginPrompt":  "Already have an account?",
		"signup.loginLink":    "Sign in",
		"signup.inUse":        "This e-mail address is already in use by another account.",
		"signup.badEmail":     "Please enter a valid e-mail address.",
		"signup.shortPass":    "The password must have at least 8 characters.",
		"signup.longPass":     "The password must have at most 1024 characters.",
		"signup.doneTitle":    "Check your inbox",
		"signup.doneText":     "We sent a link to %s. Open it to verify your address, then sign in.",
		"verify.doneTitle":    "Address verified",
		"verify.doneText":     "Your e-mail address %s is verified. You can sign in now.",
		"verify.badTitle":     "Link not valid",
		"verify.badText":      "This verification link is invalid or has expired. Sign in to get a new one.",
		"resend.doneTitle":    "Link sent",
		"resend.doneText":     "We sent a new verification link to %s.",
		"consent.title":       "Allow access?",
		"consent.intro":       "%s wants to access your Keyward account.",
		"consent.signedInAs":  "Signed in as %s.",
		"consent.scopes":      "It asks for permission to:",
		"consent.allow":       "Allow",
		"consent.deny":        "Deny",
		"consent.notYou":      "Not you?",
		"account.title":       "Your account",
		"account.signedInAs":  "You are signed in as %s.",
		"logout.submit":       "Sign out",
		"logout.doneTitle":    "Signed out",
		"logout.doneText":     "You are signed out.",
		"link.login":          "Sign in",
		"error.title":         "This request cannot be completed",
		"error.text":          "The application that sent you here made a request that this server cannot accept.",
		"error.code":          "Error",
		"error.notVerified":   "Your e-mail address has not been verified. Please open the link we sent you, then try again.",
		"error.signupOff":     "Sign-up is not available on this server.",
		"error.server":        "Something went wrong on our side. Please try again later.",
		"error.signedOut":     "Your session has ended. Please go back to the application and start again.",
		"formpost.title":      "Continue",
		"formpost.text":       "Your browser should continue on its own. If it does not, press the button.",
		"formpost.submit":     "Continue",
		"mail.verifySubject":  "Verify your e-mail address",
		"mail.verifyBody": "Hello,\n\nplease open this link to verify your e-mail address %s:\n\n%s\n\n" +
			"The link works for 7 days. If you did not create an account, you can ignore this message.\n",

		"scope." + keyward.ScopeReadCoreEntities:      "View your locks, NFC cards and contacts",
		"scope." + keyward.ScopeWriteCoreEntities:     "View and manage your locks, NFC cards and contacts",
		"scope." + keyward.ScopeReadGrants:            "View access permissions",
		"scope." + keyward.ScopeWriteGrants:           "View, create and revoke access permissions",
		"scope." + keyward.ScopeReadIPUsers:           "View the users of your identity providers",
		"scope." + keyward.ScopeWriteIPUsers:          "View and manage the users of your identity providers",
		"scope." + keyward.ScopeReadLogs:              "Read the logs of your locks",
		"scope." + keyward.ScopeReadOwnerAccounts:     "View your owner accounts",
		"scope." + keyward.ScopeWriteOwnerAccounts:    "View, create and manage your owner accounts",
		"scope." + keyward.ScopeReadOwnerPermissions:  "View who administers your owner accounts",
		"scope." + keyward.ScopeWriteOwnerPermissions: "View and manage who administers your owner accounts",
		"scope." + keyward.ScopeOfflineAccess:         "Keep access while you are not using the application",
		"scope.manage:contacts":                       "View and manage your locks, NFC cards and contacts",
		"scope.manage:grants":                         "View, create and revoke access permissions",
		"scope.register:mobiles":                      "Register your mobile devices",
		"scope.read:user":                             "Read your user profile",
		"scope.handle:keys":                           "Use digital keys on your mobile devices",
	}
}

// texts looks up page strings; it is built once per Server from pageTexts.
type texts map[string]string

// get returns the text for key, formatted with args when there are any. A missing key is an
// error, so that a template naming an unknown text fails its test instead of showing the key.
func (t texts) get(key string, args ...any) (string, error) {
	s, ok := t[key]
	if !ok {
		return "", fmt.Errorf("oauth: no page text %q", key)
	}
	if len(args) > 0 {
		s = fmt.Sprintf(s, args...)
	}
	return s, nil
}

// must returns the text for a key the code names itself; TestPageTextsMatchTheirUses checks
// that every such key exists, so the fallback to the key never shows.
func (t texts) must(key string, args ...any) string {
	s, err := t.get(key, args...)
	if err != nil {
		return key
	}
	return s
}

// scopeView is one line of the consent page.
type scopeView struct {
	Name, Description string
}

// describeScopes pairs each scope with its description, in the order requested.
func (t texts) describeScopes(scopes []string) []scopeView {
	views := make([]scopeView, 0, len(scopes))
	for _, sc := range scopes {
		d, ok := t["scope."+sc]
		if !ok {
			d = sc
		}
		views = append(views, scopeView{Name: sc, Description: d})
	}
	return views
}
