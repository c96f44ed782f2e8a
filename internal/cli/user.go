package cli

import (
	"context"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/account"
	"github.com/keyward/keyward/internal/sqlstore"
)

// runUserVerificationLink prints a new e-mail verification link for an unverified user, for
// servers that run without --smtp-url (the link is then only in the server log) or for a user
// whose mail got lost. The link is signed with the secret the servers share through the
// database, so it works on every node of the issuer.
func runUserVerificationLink(ctx context.Context, env Env, args []string) error {
	fs, a := newAdminFlags(env, "admin user verification-link")
	issuer := fs.String("issuer", env.Getenv("KEYWARD_ISSUER"), "public base URL of the server, the OAuth issuer (required; env KEYWARD_ISSUER)")
	email := fs.String("email", "", "e-mail address of the user (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := firstErr(required("issuer", *issuer), required("email", *email)); err != nil {
		return err
	}
	store, err := sqlstore.Open(ctx, *a.db)
	if err != nil {
		return err
	}
	defer store.Close()
	link, err := account.VerificationLink(ctx, store, strings.TrimRight(*issuer, "/"), *email, time.Now())
	if err != nil {
		return err
	}
	return output(env, a.asJSON, map[string]any{"email": *email, "link": link}, link)
}
