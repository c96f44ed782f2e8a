package httpapi

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/keyward"
)

// testBoundLock is a bound lock whose description the fakes use to echo what they received.
func testBoundLock(o, id, title, description string) *keyward.BoundLock {
	return &keyward.BoundLock{ID: id, OwnerAccountID: o, PhysicalLockID: "BAASNL/7", Title: title, Description: description,
		LockTypeID: "TK.Td30", BindDate: testTime, Active: true, TargetType: "Lock"}
}

// boundLockJSON is testBoundLock on the wire, written out by hand.
func boundLockJSON(o, id, title, description string) string {
	return `{"id":"` + id + `","ownerAccountId":"` + o + `","physicalLockId":"BAASNL/7","title":"` + title +
		`","description":"` + description + `","lockTypeId":"TK.Td30","lockType":null,"bindDate":` + testTimeJSON +
		`,"unbindDate":null,"active":true,"rclSerialNo":0,"rclDate":null,"lastSeenRclSerialNo":null,` +
		`"lastSeenRclUpdateDate":null,"targetType":"Lock","supportedFeatures":null,"membershipStatistics":null,"healthStatuses":null}`
}

func TestServer_BoundLocks(t *testing.T) {
	svc := &fakeService{
		FindBoundLocksFunc: func(_ context.Context, o string, q *keyward.Query) ([]*keyward.BoundLock, error) {
			return []*keyward.BoundLock{testBoundLock(o, "l1", "Front door", strings.Join(q.Expand, ","))}, nil
		},
		BindLockFunc: func(_ context.Context, o string, r keyward.BindLockRequest) (*keyward.BoundLock, error) {
			l := testBoundLock(o, "l2", *r.Title, "code "+r.BindingCode)
			l.PhysicalLockID = r.PhysicalLockID
			return l, nil
		},
		FindBoundLockFunc: func(_ context.Context, o, id string, expand []string) (*keyward.BoundLock, error) {
			return testBoundLock(o, id, "Front door", strings.Join(expand, ",")), nil
		},
		UpdateBoundLockFunc: func(_ context.Context, o, id string, u keyward.BoundLockUpdate) (*keyward.BoundLock, error) {
			if u.Title != nil || u.Description == nil {
				return nil, errors.New("want only a description")
			}
			return testBoundLock(o, id, "Front door", *u.Description), nil
		},
		UnbindLockFunc: func(_ context.Context, o, id string) error {
			if o != "o1" || id != "BwC-AKzc_wEH" {
				return errors.New("wrong ids")
			}
			return nil
		},
	}
	bound := strings.Replace(boundLockJSON("o1", "l2", "Back door", "code 1234"), "BAASNL/7", "AAChsgq2", 1)
	runScenarios(t, []scenario{
		{Name: "List", Method: "GET", Path: "/api/v1/Owners/o1/BoundLocks", Service: svc,
			WantStatus: 200, WantBody: `[` + boundLockJSON("o1", "l1", "Front door", "") + `]`},
		{Name: "ListExpandAndSelect", Method: "GET", Path: "/api/v1/Owners/o1/boundlocks?expand=supportedFeatures&$select=id,description", Service: svc,
			WantStatus: 200, WantBody: `[{"id":"l1","description":"supportedFeatures"}]`},
		{Name: "Bind", Method: "PUT", Path: "/api/v1/Owners/o1/BoundLocks", Service: svc,
			Body:       `{"physicalLockId":"AAChsgq2","bindingCode":"1234","title":"Back door","description":"ignored by the fake"}`,
			WantStatus: 200, WantBody: bound},
		{Name: "Get", Method: "GET", Path: "/api/v1/Owners/o1/BoundLocks/BwC-AKzc_wEH", Service: svc,
			WantStatus: 200, WantBody: boundLockJSON("o1", "BwC-AKzc_wEH", "Front door", "")},
		{Name: "GetExpand", Method: "GET", Path: "/api/v1/Owners/o1/BoundLocks/l1?expand=supportedFeatures,healthStatuses", Service: svc,
			WantStatus: 200, WantBody: boundLockJSON("o1", "l1", "Front door", "supportedFeatures,healthStatuses")},
		{Name: "GetDollarExpandIgnoresOtherOptions", Method: "GET", Path: "/api/v1/Owners/o1/BoundLocks/l1?$filter=((&$top=x&$Expand=membershipStatistics", Service: svc,
			WantStatus: 200, WantBody: boundLockJSON("o1", "l1", "Front door", "membershipStatistics")},
		{Name: "Patch", Method: "PATCH", Path: "/api/v1/Owners/o1/BoundLocks/l1", Body: `{"description":"Main entrance"}`, Service: svc,
			WantStatus: 200, WantBody: boundLockJSON("o1", "l1", "Front door", "Main entrance")},
		{Name: "Unbind", Method: "DELETE", Path: "/api/v1/Owners/o1/BoundLocks/BwC-AKzc_wEH/", Service: svc,
			WantStatus: 204},
		{Name: "ErrBindAlreadyBound", Method: "PUT", Path: "/api/v1/Owners/o1/BoundLocks", Body: `{"physicalLockId":"AAChsgq2","bindingCode":"1"}`,
			Service: &fakeService{BindLockFunc: func(context.Context, string, keyward.BindLockRequest) (*keyward.BoundLock, error) {
				return nil, keyward.ErrLockAlreadyBound
			}},
			WantStatus: 403, WantBody: errBody("", "The lock is already bound to an owner account.", "", "")},
	})
}
