package httpapi

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
)

// testLockGroup is a lock group whose description the fakes use to echo what they received.
func testLockGroup(o, id, title, description string) *keyward.LockGroup {
	return &keyward.LockGroup{ID: id, OwnerAccountID: o, Title: title, Description: description, Active: true, TargetType: "Group"}
}

// lockGroupJSON is testLockGroup on the wire, written out by hand.
func lockGroupJSON(o, id, title, description string) string {
	return `{"id":"` + id + `","ownerAccountId":"` + o + `","title":"` + title + `","description":"` + description +
		`","active":true,"rclSerialNo":null,"rclDate":null,"targetType":"Group","physicalLockId":null,` +
		`"supportedFeatures":null,"statistics":null}`
}

func TestServer_LockGroups(t *testing.T) {
	svc := &fakeService{
		FindLockGroupsFunc: func(_ context.Context, o string, q *keyward.Query) ([]*keyward.LockGroup, error) {
			return []*keyward.LockGroup{testLockGroup(o, "g1", "Floor 1", strings.Join(q.Expand, ","))}, nil
		},
		CreateLockGroupFunc: func(_ context.Context, o string, c keyward.LockGroupCreate) (*keyward.LockGroup, error) {
			return testLockGroup(o, "g2", c.Title, *c.Description), nil
		},
		FindLockGroupFunc: func(_ context.Context, o, id string, expand []string) (*keyward.LockGroup, error) {
			return testLockGroup(o, id, "Floor 1", strings.Join(expand, ",")), nil
		},
		UpdateLockGroupFunc: func(_ context.Context, o, id string, u keyward.LockGroupUpdate) (*keyward.LockGroup, error) {
			if u.Description != nil || u.Title == nil {
				return nil, errors.New("want only a title")
			}
			return testLockGroup(o, id, *u.Title, ""), nil
		},
		DeleteLockGroupFunc: func(_ context.Context, o, id string) error {
			if o != "o1" || id != "G1" {
				return errors.New("wrong ids")
			}
			return nil
		},
		FindLockGroupMembersFunc: func(_ context.Context, o, id string, q *keyward.Query) ([]*keyward.BoundLock, error) {
			if id == "empty" {
				return []*keyward.BoundLock{}, nil
			}
			return []*keyward.BoundLock{testBoundLock(o, "l1", "Front door", id), testBoundLock(o, "l2", "Back door", id)}, nil
		},
		AddLockGroupMemberFunc: func(_ context.Context, o, id string, r keyward.LockGroupMemberRequest) (*keyward.LockGroup, error) {
			return testLockGroup(o, id, "Floor 1", "added "+r.BoundLockID), nil
		},
		RemoveLockGroupMemberFunc: func(_ context.Context, o, id, lockID string) error {
			if o != "o1" || id != "g1" || lockID != "L1" {
				return errors.New("wrong ids")
			}
			return nil
		},
	}
	runScenarios(t, []scenario{
		{Name: "List", Method: "GET", Path: "/api/v1/Owners/o1/LockGroups?$expand=statistics", Service: svc,
			WantStatus: 200, WantBody: `[` + lockGroupJSON("o1", "g1", "Floor 1", "statistics") + `]`},
		{Name: "Create", Method: "PUT", Path: "/api/v1/Owners/o1/lockgroups", Body: `{"title":"Floor 2","description":"East wing"}`, Service: svc,
			WantStatus: 200, WantBody: lockGroupJSON("o1", "g2", "Floor 2", "East wing")},
		{Name: "GetExpand", Method: "GET", Path: "/api/v1/Owners/o1/LockGroups/G1?expand=supportedFeatures,statistics", Service: svc,
			WantStatus: 200, WantBody: lockGroupJSON("o1", "G1", "Floor 1", "supportedFeatures,statistics")},
		{Name: "Patch", Method: "PATCH", Path: "/api/v1/Owners/o1/LockGroups/G1", Body: `{"title":"Ground floor"}`, Service: svc,
			WantStatus: 200, WantBody: lockGroupJSON("o1", "G1", "Ground floor", "")},
		{Name: "Delete", Method: "DELETE", Path: "/api/v1/Owners/o1/LockGroups/G1", Service: svc,
			WantStatus: 204},
		{Name: "Members", Method: "GET", Path: "/api/v1/Owners/o1/LockGroups/g1/BoundLocks?$select=id,description", Service: svc,
			WantStatus: 200, WantBody: `[{"id":"l1","description":"g1"},{"id":"l2","description":"g1"}]`},
		{Name: "MembersEmptyIsArray", Method: "GET", Path: "/api/v1/Owners/o1/LockGroups/empty/BoundLocks", Service: svc,
			WantStatus: 200, WantBody: `[]`},
		{Name: "AddMemberReturnsGroup", Method: "PUT", Path: "/api/v1/owners/o1/lockgroups/g1/boundlocks", Body: `{"boundLockId":"L1"}`, Service: svc,
			WantStatus: 200, WantBody: lockGroupJSON("o1", "g1", "Floor 1", "added L1")},
		{Name: "RemoveMember", Method: "DELETE", Path: "/api/v1/Owners/o1/LockGroups/g1/BoundLocks/L1", Service: svc,
			WantStatus: 204},
		{Name: "ErrCreateNotInPlan", Method: "PUT", Path: "/api/v1/Owners/o1/LockGroups", Body: `{"title":"x"}`,
			Header: map[string]string{"Accept-Language": "de"},
			Service: &fakeService{CreateLockGroupFunc: func(context.Context, string, keyward.LockGroupCreate) (*keyward.LockGroup, error) {
				return nil, keyward.ErrInsufficientAccountLevel
			}},
			WantStatus: 402, WantBody: errBody("InsufficientAccountLevel", "The owner account's plan does not include this feature.", "", "Ihr Tarif enthält diese Funktion nicht.")},
	})
}
