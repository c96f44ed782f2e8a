package client

import (
	"context"
	"net/http"

	"github.com/keyward/keyward/internal/keyward"
)

// Contacts lists the account's contacts.
func (a *Account) Contacts(ctx context.Context, q *Query) ([]*keyward.Contact, error) {
	return list[keyward.Contact](ctx, a.c, a.path+"/Contacts", q.values())
}

// Contact reads one contact.
func (a *Account) Contact(ctx context.Context, id string) (*keyward.Contact, error) {
	return entity[keyward.Contact](ctx, a.c, http.MethodGet, a.path+"/Contacts"+seg(id), nil, nil)
}

// CreateContact creates a contact in any of the three forms of keyward.ContactCreate.
func (a *Account) CreateContact(ctx context.Context, c keyward.ContactCreate) (*keyward.Contact, error) {
	return entity[keyward.Contact](ctx, a.c, http.MethodPut, a.path+"/Contacts", nil, c)
}

// UpdateContact changes a contact and returns it.
func (a *Account) UpdateContact(ctx context.Context, id string, u keyward.ContactUpdate) (*keyward.Contact, error) {
	return entity[keyward.Contact](ctx, a.c, http.MethodPatch, a.path+"/Contacts"+seg(id), nil, u)
}

// DeleteContact deletes a contact.
func (a *Account) DeleteContact(ctx context.Context, id string) error {
	return noContent(ctx, a.c, http.MethodDelete, a.path+"/Contacts"+seg(id), nil)
}
