package client

import (
	"context"
	"net/http"

	"github.com/keyward/keyward/internal/keyward"
)

// The mobile API: a phone acting for its user, with the user's token (a person's, or an
// identity-provider user's from token exchange).

// Me describes the user the token acts for.
func (c *Client) Me(ctx context.Context) (*keyward.Me, error) {
	return entity[keyward.Me](ctx, c, http.MethodGet, "/Me", nil, nil)
}

// RegisterMobile registers a phone by its Ed25519 public key; the same key again answers the
// mobile registered with it.
func (c *Client) RegisterMobile(ctx context.Context, m keyward.MobileCreate) (*keyward.Mobile, error) {
	return entity[keyward.Mobile](ctx, c, http.MethodPut, "/Me/Mobiles", nil, m)
}

// FindMobiles lists the user's mobiles, oldest first.
func (c *Client) FindMobiles(ctx context.Context) ([]*keyward.Mobile, error) {
	return list[keyward.Mobile](ctx, c, "/Me/Mobiles", nil)
}

// RemoveMobile removes one of the user's mobiles; it gets no keys from then on.
func (c *Client) RemoveMobile(ctx context.Context, id string) error {
	return noContent(ctx, c, http.MethodDelete, "/Me/Mobiles"+seg(id), nil)
}

// FetchKeys fetches a mobile's keys. With etag (the ETag of an earlier answer, as the server sent
// it) it sends If-None-Match, and a 304 reports notModified with keys nil: the keys held are
// current. newETag is the ETag of the keys the phone holds after the call.
func (c *Client) FetchKeys(ctx context.Context, mobileID, etag string) (keys *keyward.MobileKeys, newETag string, notModified bool, err error) {
	r := request{method: http.MethodGet, path: "/Me/Mobiles" + seg(mobileID) + "/Keys", want: http.StatusOK}
	if etag != "" {
		r.header = http.Header{"If-None-Match": {etag}}
	}
	res, body, err := c.send(ctx, r)
	switch {
	case err != nil:
		return nil, "", false, err
	case res.StatusCode == http.StatusNotModified:
		return nil, res.Header.Get("ETag"), true, nil
	case res.StatusCode != http.StatusOK:
		return nil, "", false, newError(res.StatusCode, body)
	}
	keys = new(keyward.MobileKeys)
	if err := decodeAnswer(r, body, keys); err != nil {
		return nil, "", false, err
	}
	return keys, res.Header.Get("ETag"), false, nil
}
