package client

import (
	"context"
	"errors"

	"github.com/keyward/keyward/internal/keyward"
)

// Stubs with the signatures of contract-9 until the mobile API client is merged.

var errPending = errors.New("client: not merged yet")

func (c *Client) Me(ctx context.Context) (*keyward.Me, error) { return nil, errPending }

func (c *Client) RegisterMobile(ctx context.Context, m keyward.MobileCreate) (*keyward.Mobile, error) {
	return nil, errPending
}

func (c *Client) FindMobiles(ctx context.Context) ([]*keyward.Mobile, error) { return nil, errPending }

func (c *Client) RemoveMobile(ctx context.Context, id string) error { return errPending }

func (c *Client) FetchKeys(ctx context.Context, mobileID, etag string) (keys *keyward.MobileKeys, newETag string, notModified bool, err error) {
	return nil, "", false, errPending
}
