package httpapi

import (
	"strings"
	"testing"
)

// boundLockJSON is a bound lock of the world on the wire, written out by hand; set gives
// expanded properties their JSON ("supportedFeatures", `{...}`, ...), the others are null.
func boundLockJSON(id, phys, title, description string, set ...string) string {
	s := `{"id":"` + id + `","ownerAccountId":"{o1}","physicalLockId":"` + phys + `","title":"` + title +
		`","description":"` + description + `","lockTypeId":"TK.Td30",` +
		`"lockType":{"id":"TK.Td30","manufacturerId":1,"modelName":"Td30","supportedTechnologies":["nfc","ble"]},` +
		`"bindDate":` + testTimeJSON + `,"unbindDate":null,"active":true,"rclSerialNo":0,"rclDate":null,"lastSeenRclSerialNo":null,` +
		`"lastSeenRclUpdateDate":null,"targetType":"Lock","supportedFeatures":null,"membershipStatistics":null,"healthStatuses":null}`
	for i := 0; i+1 < len(set); i += 2 {
		s = strings.Replace(s, `"`+set[i]+`":null`, `"`+set[i]+`":`+set[i+1], 1)
	}
	return s
}

// supported is the expansion of supportedFeatures for a lock or group with time restrictions.
const supported = `{"timeRestrictionIcalSupport":"Supported"}`

func TestServer_BoundLocks(t *testing.T) {
	t.Parallel()
	front := boundLockJSON("{lock1}", "{phys1}", "Front door", "")
	back := boundLockJSON("{lock2}", "{phys2}", "Back door", "")
	runScenarios(t, newWorld(t), []scenario{
		{Name: "List", Method: "GET", Path: "/api/v1/Owners/{o1}/BoundLocks",
			WantStatus: 200, WantBody: `[` + front + `,` + back + `]`},
		{Name: "ListExpand", Method: "GET", Path: "/api/v1/Owners/{o1}/boundlocks?expand=supportedFeatures",
			WantStatus: 200, WantBody: `[` + boundLockJSON("{lock1}", "{phys1}", "Front door", "", "supportedFeatures", supported) + `,` +
				boundLockJSON("{lock2}", "{phys2}", "Back door", "", "supportedFeatures", supported) + `]`},
		{Name: "ListExpandAndSelect", Method: "GET", Path: "/api/v1/Owners/{o1}/boundlocks?expand=supportedFeatures&$select=id,title",
			WantStatus: 200, WantBody: `[{"id":"{lock1}","title":"Front door"},{"id":"{lock2}","title":"Back door"}]`},
		{Name: "Get", Method: "GET", Path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}",
			WantStatus: 200, WantBody: front},
		{Name: "GetExpand", Method: "GET", Path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}?expand=supportedFeatures,healthStatuses",
			WantStatus: 200, WantBody: boundLockJSON("{lock1}", "{phys1}", "Front door", "", "supportedFeatures", supported, "healthStatuses", `[]`)},
		{Name: "GetDollarExpandIgnoresOtherOptions", Method: "GET", Path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}?$filter=((&$top=x&$Expand=membershipStatistics",
			WantStatus: 200, WantBody: boundLockJSON("{lock1}", "{phys1}", "Front door", "", "membershipStatistics", `{"ByState":[{"State":"JoinPending","Count":1}]}`)},
		{Name: "Patch", Method: "PATCH", Path: "/api/v1/Owners/{o1}/BoundLocks/{lock1}", Body: `{"description":"Main entrance"}`,
			WantStatus: 200, WantBody: boundLockJSON("{lock1}", "{phys1}", "Front door", "Main entrance")},
		{Name: "Bind", Method: "PUT", Path: "/api/v1/Owners/{o1}/BoundLocks",
			Body:       `{"physicalLockId":"{phys3}","bindingCode":"{code3}","title":"Side door","description":"Garden"}`,
			WantStatus: 200, WantBody: boundLockJSON("{new}", "{phys3}", "Side door", "Garden")},
		{Name: "ErrBindAlreadyBound", Method: "PUT", Path: "/api/v1/Owners/{o1}/BoundLocks", Body: `{"physicalLockId":"{phys1}","bindingCode":"{code1}"}`,
			WantStatus: 403, WantBody: errBody("", "The lock is already bound to an owner account.", `physical lock "{phys1}" is bound to an owner account already`, "")},
		{Name: "Unbind", Method: "DELETE", Path: "/api/v1/Owners/{o1}/BoundLocks/{lock2}/",
			WantStatus: 204},
	})
}
