package account_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/account"
	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/service"
	"github.com/keyward/keyward/internal/sqlstore"
	"github.com/keyward/keyward/internal/sqlstore/sqltest"
)

// TestHandle_DomainErrors: a domain error that escapes a page handler is answered with the status
// of its kind and the localized text the API's UserErrorMessage would carry (or the text of its
// kind when it has no ErrorCode), in the request's language; an internal error is the generic
// 500 page. No English message or details of the domain error reach the page.
func TestHandle_DomainErrors(t *testing.T) {
	store := sqltest.Open(t, sqlstore.SQLite)
	pages, err := account.New(context.Background(), account.Config{Issuer: "http://keyward.test", Logger: slog.New(slog.DiscardHandler),
		Accounts: service.New(store, service.Config{})}, store)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, lang string
		err        error
		status     int
		text, code string
	}{
		{"NotFound/en", "en", keyward.ErrNotFound.WithDetails("client %q does not exist", "ghost"), 404,
			"What you are looking for does not exist or no longer exists.", ""},
		{"NotFound/de", "de-DE", keyward.ErrNotFound.WithDetails("client %q does not exist", "ghost"), 404,
			"Das Gesuchte existiert nicht oder nicht mehr.", ""},
		{"InvalidWithCode/en", "en", keyward.ErrEmailAddressInUse.WithDetails("the address %q belongs to another user", "a@example.com"), 400,
			"This email address is already in use by another user.", "Error: EmailAddressInUse"},
		{"InvalidWithCode/fr", "fr", keyward.ErrEmailAddressInUse.WithDetails("the address %q belongs to another user", "a@example.com"), 400,
			"Cette adresse e-mail est déjà utilisée par un autre utilisateur.", "Erreur\u00a0: EmailAddressInUse"},
		{"Invalid/en", "en", keyward.Invalidf("field %q is wrong", "x"), 400,
			"This request cannot be processed. Please check your entries and try again.", ""},
		{"Invalid/de", "de", keyward.Invalidf("field %q is wrong", "x"), 400,
			"Diese Anfrage kann nicht verarbeitet werden. Bitte prüfen Sie Ihre Eingaben und versuchen Sie es erneut.", ""},
		{"Forbidden/en", "en", keyward.ErrLastOwner, 403, "You do not have permission to do this.", ""},
		{"Internal/en", "en", keyward.ErrInternal.WithCause(errors.New("disk full")), 500, "Something went wrong on our side. Please try again later.", ""},
		{"NotDomain/de", "de", errors.New("sqlstore: database is closed"), 500, "Bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es später erneut.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := pages.Handle(func(http.ResponseWriter, *http.Request) error { return fmt.Errorf("account: find client: %w", tt.err) })
			req := httptest.NewRequest(http.MethodGet, "/account", nil)
			req.Header.Set("Accept-Language", tt.lang)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			p := &apitest.Page{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
			got := []any{p.Status, p.Header.Get("Content-Type"), p.Text("message"), p.Text("code")}
			if diff := cmp.Diff([]any{tt.status, "text/html; charset=utf-8", tt.text, tt.code}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			for _, internal := range []string{"ghost", "belongs to another user", "is wrong", "disk full", "database", "The resource was not found", "account:"} {
				if strings.Contains(p.Body, internal) {
					t.Errorf("the page shows %q:\n%s", internal, p.Body)
				}
			}
		})
	}
}
