package httpapi

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
)

// TestServer_Mobiles covers the mobile API's wire: who may call it, the validation of a
// registration, and the ETag of the keys. Ada's phone "m1" is registered before; its key set is
// empty (no grant names Ada), and its ETag is learnt from one fetch through the service.
func TestServer_Mobiles(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	phone := func(name string) context.Context {
		return keyward.NewContextWithPrincipal(context.Background(), testTokens[name](w))
	}
	key1, key2 := strings.Repeat("1", 32), strings.Repeat("2", 32)
	m1 := apitest.Check(w.svc.RegisterMobile(phone("phone"), keyward.MobileCreate{PublicKey: []byte(key1), Name: "Pixel", Platform: "Android"}))(t)
	w.ids["m1"] = m1.ID
	_, tag, err := w.svc.FetchKeys(phone("phone"), m1.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString
	mobile1 := `{"id":"{m1}","name":"Pixel","platform":"Android","publicKey":"` + b64([]byte(key1)) + `","createdAt":` + testTimeJSON + `}`
	as := func(token string) map[string]string { return map[string]string{"Authorization": "Bearer " + token} }
	match := func(inm string) map[string]string {
		return map[string]string{"Authorization": "Bearer phone", "If-None-Match": inm}
	}
	invalid := func(details string) string { return errBody("", "The request is invalid.", details, "") }
	keysHeader := map[string]string{"ETag": `"` + tag + `"`, "Cache-Control": "private, no-cache"}
	runScenarios(t, w, []scenario{
		{Name: "Me", Method: "GET", Path: "/api/v1/me", Header: as("phone"),
			WantStatus: 200, WantBody: `{"id":"{ada}","email":"ada@example.com","ipId":"tapkey","ipUserId":null,"kind":"person"}`},
		{Name: "ErrMeNeedsScope", Method: "GET", Path: "/api/v1/Me",
			WantStatus: 401, WantBody: errBody("", "The access token lacks a required scope.", `the operation requires the scope "read:user"`, "")},
		{Name: "ErrServiceUser", Method: "GET", Path: "/api/v1/Me/Mobiles", Header: as("service"),
			WantStatus: 403, WantBody: errBody("", "The caller has no permission for this operation.",
				`a token of client "client-1" for user "svc-1" cannot list the caller's mobiles; only `+byPhoneUserText+` can`, "")},
		{Name: "List", Method: "GET", Path: "/api/v1/Me/Mobiles", Header: as("phone"), WantStatus: 200, WantBody: `[` + mobile1 + `]`},
		{Name: "ListOfAnotherUserIsEmpty", Method: "GET", Path: "/api/v1/Me/Mobiles", Header: as("phoneBob"), WantStatus: 200, WantBody: `[]`},
		{Name: "RegisterAgainAnswersTheSame", Method: "PUT", Path: "/api/v1/Me/Mobiles", Header: as("phone"),
			Body: `{"publicKey":"` + b64([]byte(key1)) + `","name":"Other name","platform":"iOS"}`, WantStatus: 200, WantBody: mobile1},
		{Name: "ErrKeyOfAnotherUser", Method: "PUT", Path: "/api/v1/Me/Mobiles", Header: as("phoneBob"),
			Body: `{"publicKey":"` + b64([]byte(key1)) + `","name":"Mine","platform":"iOS"}`, WantStatus: 400,
			WantBody: invalid(`field "publicKey": this public key is registered for another user's mobile; every phone makes a key pair of its own`)},
		{Name: "ErrKeyNotBase64", Method: "PUT", Path: "/api/v1/Me/Mobiles", Header: as("phone"),
			Body: `{"publicKey":"not base64!","name":"Mine","platform":"iOS"}`, WantStatus: 400,
			WantBody: invalid(`field "publicKey" is not standard Base64 with padding (RFC 4648 §4)`)},
		{Name: "ErrKeyNotAString", Method: "PUT", Path: "/api/v1/Me/Mobiles", Header: as("phone"),
			Body: `{"publicKey":7,"name":"Mine","platform":"iOS"}`, WantStatus: 400, WantBody: invalid(`field "publicKey": expected string`)},
		{Name: "ErrNameNotAString", Method: "PUT", Path: "/api/v1/Me/Mobiles", Header: as("phone"),
			Body: `{"publicKey":"AAAA","name":7,"platform":"iOS"}`, WantStatus: 400, WantBody: invalid(`field "name": expected string`)},
		{Name: "ErrKeyTooShort", Method: "PUT", Path: "/api/v1/Me/Mobiles", Header: as("phone"),
			Body: `{"publicKey":"AAAA","name":"Mine","platform":"iOS"}`, WantStatus: 400,
			WantBody: invalid(`field "publicKey" must be an Ed25519 public key of 32 bytes in standard Base64; it has 3 bytes`)},
		{Name: "ErrNoName", Method: "PUT", Path: "/api/v1/Me/Mobiles", Header: as("phone"),
			Body: `{"publicKey":"` + b64([]byte(key2)) + `","platform":"iOS"}`, WantStatus: 400, WantBody: invalid(`field "name" is required`)},
		{Name: "ErrLongName", Method: "PUT", Path: "/api/v1/Me/Mobiles", Header: as("phone"),
			Body: `{"publicKey":"` + b64([]byte(key2)) + `","name":"` + strings.Repeat("é", 101) + `","platform":"iOS"}`, WantStatus: 400,
			WantBody: invalid(`field "name" is longer than 100 characters`)},
		{Name: "ErrPlatform", Method: "PUT", Path: "/api/v1/Me/Mobiles", Header: as("phone"),
			Body: `{"publicKey":"` + b64([]byte(key2)) + `","name":"Mine","platform":"android"}`, WantStatus: 400,
			WantBody: invalid(`field "platform" must be "Android", "iOS" or "Other"`)},
		{Name: "Keys", Method: "GET", Path: "/api/v1/Me/Mobiles/{m1}/Keys", Header: as("phone"),
			WantStatus: 200, WantBody: `{"keys":[]}`, WantHeader: keysHeader},
		{Name: "KeysNotModified", Method: "GET", Path: "/api/v1/Me/Mobiles/{m1}/Keys", Header: match(`"` + tag + `"`), WantStatus: 304, WantHeader: keysHeader},
		{Name: "KeysNotModifiedWeak", Method: "GET", Path: "/api/v1/Me/Mobiles/{m1}/Keys", Header: match(`W/"` + tag + `"`), WantStatus: 304, WantHeader: keysHeader},
		{Name: "KeysNotModifiedInList", Method: "GET", Path: "/api/v1/Me/Mobiles/{m1}/Keys", Header: match(`"old", "` + tag + `"`), WantStatus: 304, WantHeader: keysHeader},
		{Name: "KeysNotModifiedAny", Method: "GET", Path: "/api/v1/Me/Mobiles/{m1}/Keys", Header: match(`*`), WantStatus: 304, WantHeader: keysHeader},
		{Name: "KeysOtherTag", Method: "GET", Path: "/api/v1/Me/Mobiles/{m1}/Keys", Header: match(`"old"`),
			WantStatus: 200, WantBody: `{"keys":[]}`, WantHeader: keysHeader},
		{Name: "ErrKeysOfAnotherUsersMobile", Method: "GET", Path: "/api/v1/Me/Mobiles/{m1}/Keys", Header: as("phoneBob"),
			WantStatus: 404, WantBody: errBody("", "The resource was not found.", `the caller has no mobile "{m1}"`, "")},
		{Name: "ErrKeysNeedsScope", Method: "GET", Path: "/api/v1/Me/Mobiles/{m1}/Keys", Header: as("good"),
			WantStatus: 401, WantBody: errBody("", "The access token lacks a required scope.", `the operation requires the scope "handle:keys"`, "")},
		{Name: "ErrRemoveAnotherUsersMobile", Method: "DELETE", Path: "/api/v1/Me/Mobiles/{m1}", Header: as("phoneBob"),
			WantStatus: 404, WantBody: errBody("", "The resource was not found.", `the caller has no mobile "{m1}"`, "")},
		{Name: "Remove", Method: "DELETE", Path: "/api/v1/Me/Mobiles/{m1}", Header: as("phone"), WantStatus: 204},
		{Name: "ErrKeysOfRemovedMobile", Method: "GET", Path: "/api/v1/Me/Mobiles/{m1}/Keys", Header: as("phone"),
			WantStatus: 404, WantBody: errBody("", "The resource was not found.", `the caller has no mobile "{m1}"`, "")},
		{Name: "KeyOfRemovedMobileRegistersAgain", Method: "PUT", Path: "/api/v1/Me/Mobiles", Header: as("phoneBob"),
			Body: `{"publicKey":"` + b64([]byte(key1)) + `","name":"Mine","platform":"Other"}`, WantStatus: 200,
			WantBody: `{"id":"{new}","name":"Mine","platform":"Other","publicKey":"` + b64([]byte(key1)) + `","createdAt":` + testTimeJSON + `}`},
	})
}

// byPhoneUserText is who may call the mobile API, as the service's refusals name it.
const byPhoneUserText = "a person or an identity-provider user (never a client's service user)"

// TestServer_MobileKeysUnverified: a person whose address is not verified gets no keys.
func TestServer_MobileKeysUnverified(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := keyward.NewContextWithPrincipal(context.Background(), testTokens["phoneUma"](w))
	w.ids["m1"] = apitest.Check(w.svc.RegisterMobile(ctx, keyward.MobileCreate{PublicKey: make([]byte, 32), Name: "Uma's", Platform: "iOS"}))(t).ID
	runScenarios(t, w, []scenario{
		{Name: "ErrEmailNotVerified", Method: "GET", Path: "/api/v1/Me/Mobiles/{m1}/Keys", Header: map[string]string{"Authorization": "Bearer phoneUma"},
			WantStatus: 403, WantBody: errBody("EmailNotVerified", "The user's e-mail address has not been verified.",
				`the address "uma@example.com" of user "{uma}" is not verified; keys are issued only to a verified address`, "Please verify your e-mail address first.")},
	})
}

func TestEntityTags(t *testing.T) {
	for _, tc := range []struct {
		fields []string
		want   []string
	}{
		{nil, nil},
		{[]string{`"a"`}, []string{"a"}},
		{[]string{`W/"a" , "b"`, `"c"`}, []string{"a", "b", "c"}},
		{[]string{`*`}, []string{"*"}},
		{[]string{`a`, ` , `}, []string{"a"}},
	} {
		if got := entityTags(tc.fields); !cmp.Equal(got, tc.want) {
			t.Errorf("entityTags(%q) = %q, want %q", tc.fields, got, tc.want)
		}
	}
}
