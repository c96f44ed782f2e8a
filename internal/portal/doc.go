// Package portal is Keyward's web portal under /portal: the pages on which the owners and
// administrators of owner accounts manage their accounts, locks, groups, contacts, cards, grants
// and logs, and the OAuth clients they own.
//
// The pages are rendered on the server with html/template and work without JavaScript. They
// run every use case through the same service interfaces (keyward.Services) as the Management
// API, for a session principal: the signed-in user's role on the account decides, never a
// scope. Sessions and CSRF tokens come from package account, so one sign-in serves the account
// pages, the authorization server and the portal.
//
// Every page is in the six languages of the i18n catalogs (texts "portal.*" in the catalog
// areas under internal/i18n/catalog/portal*), chosen by a language the user picked (a cookie)
// or else by Accept-Language. Every form carries the session's CSRF token, every destructive
// action is confirmed on a page of its own, and times are shown in the zone of the lock they
// concern, with the zone named.
package portal
