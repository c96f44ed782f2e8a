package cli

import (
	"context"
	"os"

	"github.com/keyward/keyward/internal/keyward"
)

func runIdentityProviderCreate(ctx context.Context, env Env, args []string) error {
	fs, a := newAdminFlags(env, "admin idp create")
	var c keyward.IdentityProviderCreate
	owner := fs.String("owner", "", "owner account id (required)")
	fs.StringVar(&c.IPID, "ip-id", "", "the identity provider's id, sent by clients as provider (required)")
	fs.StringVar(&c.Issuer, "issuer", "", "the iss of its tokens (required)")
	fs.StringVar(&c.Audience, "audience", "", "the aud of its tokens (required)")
	keyFile := fs.String("public-key-file", "", "its RSA public key, 2048 to 4096 bits, PEM (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := firstErr(required("owner", *owner), required("ip-id", c.IPID), required("issuer", c.Issuer),
		required("audience", c.Audience), required("public-key-file", *keyFile)); err != nil {
		return err
	}
	key, err := os.ReadFile(*keyFile)
	if err != nil {
		return err
	}
	c.PublicKey = string(key)
	return withService(ctx, a, func(ctx context.Context, s keyward.Services) error {
		p, err := s.IdentityProviders.RegisterIdentityProvider(ctx, *owner, c)
		if err != nil {
			return err
		}
		return output(env, a.asJSON, p, "identity provider "+p.ID+" registered for owner account "+p.OwnerAccountID)
	})
}
