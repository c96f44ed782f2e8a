package cli

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/oauth"
)

// clientJSON is how the CLI shows a client; the secret is never shown again.
func clientJSON(c *keyward.Client) map[string]any {
	return map[string]any{"clientId": c.ID, "name": c.Name, "grantTypes": c.GrantTypes, "scopes": c.Scopes,
		"redirectUris": c.RedirectURIs, "public": c.Public, "logoUrl": c.LogoURL, "allowedOrigins": c.AllowedOrigins}
}

func runClientList(ctx context.Context, env Env, args []string) error {
	fs, a := newAdminFlags(env, "admin client list")
	ownerEmail := fs.String("owner-email", "", "only the clients this user manages")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withClients(ctx, a, *ownerEmail, func(ctx context.Context, clients keyward.ClientService) error {
		list, err := clients.FindClients(ctx)
		if err != nil {
			return err
		}
		out := make([]map[string]any, len(list))
		lines := make([]string, len(list))
		for i, c := range list {
			out[i] = clientJSON(c)
			lines[i] = fmt.Sprintf("%s  %-24s %s  %s", c.ID, c.Name, strings.Join(c.GrantTypes, ","), strings.Join(c.Scopes, " "))
		}
		return output(env, a.asJSON, map[string]any{"clients": out}, lines...)
	})
}

func runClientUpdate(ctx context.Context, env Env, args []string) error {
	fs, a := newAdminFlags(env, "admin client update")
	id := fs.String("id", "", "client id (required)")
	ownerEmail := fs.String("owner-email", "", "act as the user who manages the client")
	name := fs.String("name", "", "new name")
	scopes := fs.String("scopes", "", "new space-separated scopes (replaces the old ones)")
	logo := fs.String("logo-url", "", "new logo URL")
	var redirects, origins listFlag
	fs.Var(&redirects, "redirect-uri", "redirect URI (repeatable; replaces the old ones)")
	fs.Var(&origins, "allowed-origin", "extra allowed CORS origin (repeatable; replaces the old ones; --allowed-origin= clears them)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("id", *id); err != nil {
		return err
	}
	var u keyward.ClientUpdate
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "name":
			u.Name = name
		case "scopes":
			u.Scopes = strings.Fields(*scopes)
		case "logo-url":
			u.LogoURL = logo
		case "redirect-uri":
			u.RedirectURIs = redirects
		case "allowed-origin":
			u.AllowedOrigins = slices.DeleteFunc(slices.Clone(origins), func(o string) bool { return o == "" })
		}
	})
	return withClients(ctx, a, *ownerEmail, func(ctx context.Context, clients keyward.ClientService) error {
		c, err := clients.UpdateClient(ctx, *id, u)
		if err != nil {
			return err
		}
		return output(env, a.asJSON, clientJSON(c), "client "+c.ID+" updated")
	})
}

// withClients runs fn with the client use cases as the operator, who manages every client, or,
// when ownerEmail is given, acting as that user signed in: the use cases then touch only the
// clients that user manages, by the rule that applies to the user in the portal.
func withClients(ctx context.Context, a *adminFlags, ownerEmail string, fn func(context.Context, keyward.ClientService) error) error {
	return withService(ctx, a, func(ctx context.Context, s keyward.Services) error {
		if ownerEmail == "" {
			return fn(ctx, s.Clients)
		}
		u, err := s.Users.FindUserByEmail(ctx, ownerEmail)
		if err != nil {
			return err
		}
		return fn(keyward.NewContextWithPrincipal(ctx, keyward.SessionPrincipal(u)), s.Clients)
	})
}

// parseClientID parses the flags of a command that names one client: --id and --owner-email.
func parseClientID(env Env, name string, args []string) (a *adminFlags, id, ownerEmail string, err error) {
	fs, a := newAdminFlags(env, name)
	fs.StringVar(&id, "id", "", "client id (required)")
	fs.StringVar(&ownerEmail, "owner-email", "", "act as the user who manages the client")
	if err := parse(fs, args); err != nil {
		return nil, "", "", err
	}
	return a, id, ownerEmail, required("id", id)
}

func runClientRotateSecret(ctx context.Context, env Env, args []string) error {
	a, id, ownerEmail, err := parseClientID(env, "admin client rotate-secret", args)
	if err != nil {
		return err
	}
	secret, hash := oauth.NewClientSecret()
	return withClients(ctx, a, ownerEmail, func(ctx context.Context, clients keyward.ClientService) error {
		c, err := clients.UpdateClient(ctx, id, keyward.ClientUpdate{SecretHash: &hash})
		if err != nil {
			return err
		}
		if c.Public {
			return fmt.Errorf("%w: client %s is public and has no secret", errUsage, c.ID)
		}
		return output(env, a.asJSON, map[string]any{"clientId": c.ID, "clientSecret": secret},
			"client secret: "+secret+"   (shown once; the old secret no longer works)")
	})
}

func runClientDelete(ctx context.Context, env Env, args []string) error {
	a, id, ownerEmail, err := parseClientID(env, "admin client delete", args)
	if err != nil {
		return err
	}
	return withClients(ctx, a, ownerEmail, func(ctx context.Context, clients keyward.ClientService) error {
		if err := clients.DeleteClient(ctx, id); err != nil {
			return err
		}
		return output(env, a.asJSON, map[string]any{"clientId": id, "deleted": true}, "client "+id+" deleted")
	})
}
