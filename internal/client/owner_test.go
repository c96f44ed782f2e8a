package client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/client"
	"github.com/keyward/keyward/internal/keyward"
)

func TestClient_Owners(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		want := &keyward.Owner{ID: e.acct.ID, Name: "Ada's Office", Active: true}
		owners, err := e.api.Owners(ctx, nil)
		check(t, "Owners", owners, []*keyward.Owner{want}, err)
		o, err := e.acct.Owner(ctx)
		check(t, "Owner", o, want, err)
		want.Name = "HQ"
		o, err = e.acct.UpdateOwner(ctx, keyward.OwnerUpdate{Name: apitest.Ptr("HQ")})
		check(t, "UpdateOwner", o, want, err)
		owners, err = e.api.Owners(ctx, &client.Query{Select: []string{"name"}})
		check(t, "Owners with $select", owners, []*keyward.Owner{{Name: "HQ"}}, err)
		_, err = e.api.CreateOwner(ctx, keyward.OwnerCreate{Name: "Mine"})
		checkError(t, "CreateOwner with a client's token", err, &client.Error{Status: 403, ErrorMessage: "Owner accounts can only be created by users.",
			ErrorDetails: "a client-credentials token acts for a service user, which cannot own an owner account"})
	})
}

// TestClient_Errors: every answer but the documented one is an *client.Error with the status and
// the seed's body, whatever the status.
func TestClient_Errors(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		_, err := client.New(e.base, nil).Owners(ctx, nil)
		checkError(t, "no token", err, &client.Error{Status: 401, ErrorMessage: "No access token was sent.",
			ErrorDetails: "the request has no Authorization header"})
		_, err = e.acct.Contact(ctx, "nope")
		checkError(t, "unknown contact", err, notFound(`contact "nope" does not exist`))
		_, err = e.api.Account("nope").BoundLocks(ctx, nil)
		checkError(t, "unknown account", err, &client.Error{Status: 403, ErrorMessage: "The caller has no permission for this operation.",
			ErrorDetails: `the caller has no permission on owner account "nope"`})
		_, err = e.acct.Contacts(ctx, &client.Query{Filter: "colour eq 'red'"})
		checkError(t, "unknown property", err, &client.Error{Status: 400, ErrorMessage: "The request is invalid.",
			ErrorDetails: `$filter: unknown property "colour" at position 1`})
		if _, err = e.acct.CreateContact(ctx, keyward.ContactCreate{Identifier: apitest.Ptr("guest@example.com")}); err != nil {
			t.Fatal(err)
		}
		_, err = e.acct.CreateContact(ctx, keyward.ContactCreate{Identifier: apitest.Ptr("GUEST@example.com")})
		checkError(t, "duplicate contact", err, &client.Error{Status: 400, ErrorCode: "Duplicate", ErrorMessage: "A contact with this identifier already exists.",
			ErrorDetails:     `a contact for ipId "tapkey" and identifier "GUEST@example.com" already exists in this owner account`,
			UserErrorMessage: "A contact with this email address or user ID already exists."})
		_, err = client.New(e.base+"/elsewhere", nil).Owners(ctx, nil)
		checkError(t, "an answer that is not the seed's body", err, &client.Error{Status: 404,
			ErrorMessage: `{"error":"invalid_request","error_description":"there is no OAuth endpoint at /elsewhere/api/v1/Owners"}`})
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := e.api.Owners(cancelled, nil); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled call: err = %v, want context.Canceled", err)
		}
		_, err = e.acct.CreateContact(ctx, keyward.ContactCreate{Identifier: apitest.Ptr("GUEST@example.com")})
		if want := `client: status 400 Duplicate: A contact with this identifier already exists: a contact for ipId "tapkey" and identifier "GUEST@example.com" already exists in this owner account`; err.Error() != want {
			t.Fatalf("Error() = %q, want %q", err.Error(), want)
		}
	})
}
