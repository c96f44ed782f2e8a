package i18n_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/i18n"
	"github.com/keyward/keyward/internal/keyward"
)

func mustNew(t *testing.T) *i18n.Catalog {
	t.Helper()
	c, err := i18n.New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// TestCatalog_Codes pins the key set to the seed's ErrorCodes, plus the variants of Duplicate
// that tell a user which kind of duplicate it was: a key is neither dropped nor invented
// without this list changing too.
func TestCatalog_Codes(t *testing.T) {
	want := []string{
		"CardCapacityExceeded",
		"Duplicate",
		"Duplicate.Contact",
		"Duplicate.IPUser",
		"EmailAddressInUse",
		"EmailChangeNotSupported",
		"EmailNotVerified",
		"Generic",
		"InsufficientAccountLevel",
		"InsufficientSmartphoneUserContingent",
		"ProtocolVersionTooOld",
		"TimeRestrictionIcalIllegalTimezone",
		"TimeRestrictionIcalMalformed",
		"TimeRestrictionIcalNotSupportedByLock",
		"TimeRestrictionIcalTooComplex",
		"TimeRestrictionIcalTooLarge",
	}
	if diff := cmp.Diff(want, mustNew(t).Codes()); diff != "" {
		t.Errorf("Codes() mismatch (-want +got):\n%s", diff)
	}
}

func TestCatalog_Languages(t *testing.T) {
	want := []string{"en", "de", "es", "fr", "it", "nl"}
	if diff := cmp.Diff(want, mustNew(t).Languages()); diff != "" {
		t.Errorf("Languages() mismatch (-want +got):\n%s", diff)
	}
}

// TestCatalog_Lookup checks the language choice through the Duplicate text of each language.
func TestCatalog_Lookup(t *testing.T) {
	const (
		en = "This person or card already has an active access permission for this lock."
		de = "Für dieses Schloss und diese Person bzw. Karte gibt es bereits eine aktive Berechtigung."
		fr = "Une autorisation d'accès active existe déjà pour cette serrure et cette personne ou carte."
		it = "Esiste già un'autorizzazione di accesso attiva per questa serratura e questa persona o tessera."
		es = "Ya existe un permiso de acceso activo para esta cerradura y esta persona o tarjeta."
		nl = "Voor dit slot en deze persoon of kaart bestaat al een actief toegangsrecht."
	)
	tests := []struct {
		name, header, want string
	}{
		{"Empty", "", en},
		{"English", "en", en},
		{"German", "de", de},
		{"French", "fr", fr},
		{"Italian", "it", it},
		{"Spanish", "es", es},
		{"Dutch", "nl", nl},
		{"BrowserGerman", "de-DE,de;q=0.9,en;q=0.8", de},
		{"QualityOrder", "fr;q=0.5, nl;q=0.9", nl},
		{"Unsupported", "ja", en},
		{"UnsupportedThenSupported", "ja, it;q=0.3", it},
		{"Garbage", "!!garbage!!", en},
		{"BadWeight", "de;q=abc", en},
		{"ZeroExcludes", "de;q=0, fr", fr},
		{"OnlyZero", "de;q=0", en},
		{"Austria", "de-AT", de},
		{"SwissFrench", "fr-CH", fr},
		{"SwissItalian", "it-CH", it},
		{"Belgium", "nl-BE", nl},
		{"LatinAmerica", "es-419", es},
		{"BritishBeforeGerman", "en-GB, de", en},
		{"RegionalFirst", "de-AT, fr;q=0.5", de},
		{"Wildcard", "*", en},
		{"WildcardAfterZero", "de;q=0, *", en},
		{"UpperCase", "DE", de},
		{"Spaces", " es ; q=0.4 , it ; q=0.2 ", es},
	}
	c := mustNew(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := lookup(c, tt.header, "Duplicate"); got != tt.want {
				t.Errorf("Lookup(%q, Duplicate) = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
}

func TestCatalog_LookupCode(t *testing.T) {
	tests := []struct {
		name, header, code, want string
	}{
		{"EmptyCode", "de", "", ""},
		{"UnknownCode", "de", "NoSuchCode", ""},
		{"UnknownCodeEnglish", "", "NoSuchCode", ""},
		{"CaseSensitive", "en", "duplicate", ""},
		{"EnglishCode", "en", "EmailChangeNotSupported", "A user's email address cannot be changed."},
		{"GermanCode", "de", "EmailAddressInUse", "Diese E-Mail-Adresse wird bereits von einem anderen Benutzer verwendet."},
	}
	c := mustNew(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lookup(c, tt.header, tt.code); got != tt.want {
				t.Errorf("Lookup(%q, %q) = %q, want %q", tt.header, tt.code, got, tt.want)
			}
		})
	}
}

// TestCatalog_Match checks the tag a page shows as its lang attribute; the choice itself is
// covered by TestCatalog_Lookup.
func TestCatalog_Match(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", "en"},
		{"de-DE,de;q=0.9,en;q=0.8", "de"},
		{"fr-CH", "fr"},
		{"es-419", "es"},
		{"ja", "en"},
		{"!!garbage!!", "en"},
	}
	c := mustNew(t)
	for _, tt := range tests {
		if got := c.Match(tt.header); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestCatalog_Text(t *testing.T) {
	tests := []struct {
		name, lang, key string
		args            []any
		want            string
		wantOK          bool
	}{
		{"PageText", "de", "page.login.title", nil, "Anmelden", true},
		{"ScopeText", "fr", "scope.read:grants", nil, "Consulter les autorisations d'accès", true},
		{"ErrorCode", "it", "EmailChangeNotSupported", nil, "Non è possibile modificare l'indirizzo e-mail di un utente.", true},
		{"Formatted", "nl", "page.resend.doneText", []any{"ada@example.com"}, "We hebben een nieuwe verificatielink naar ada@example.com gestuurd.", true},
		{"FormattedEnglish", "en", "page.consent.intro", []any{"Web <Portal>"}, "Web <Portal> wants to access your Keyward account.", true},
		{"UnsupportedLanguage", "ja", "page.login.title", nil, "Sign in", true},
		{"EmptyLanguage", "", "page.login.title", nil, "Sign in", true},
		{"UnknownKey", "de", "page.no.such.text", nil, "", false},
		{"UnknownKeyWithArgs", "de", "page.no.such.text", []any{"x"}, "", false},
	}
	c := mustNew(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := c.Text(tt.lang, tt.key, tt.args...)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Text(%q, %q, %v) = %q, %v; want %q, %v", tt.lang, tt.key, tt.args, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// TestCatalog_Keys checks that the interface texts' namespaces and the ErrorCodes split the
// keys between them, so that a page text can never be taken for an ErrorCode.
func TestCatalog_Keys(t *testing.T) {
	c := mustNew(t)
	if got := c.Keys("page.login."); !slices.Contains(got, "page.login.title") || slices.ContainsFunc(got, func(k string) bool { return !strings.HasPrefix(k, "page.login.") }) {
		t.Errorf("Keys(page.login.) = %v", got)
	}
	var split []string
	for _, ns := range []string{"page.", "mail.", "scope.", "portal."} {
		keys := c.Keys(ns)
		if len(keys) == 0 {
			t.Errorf("no keys in the namespace %s", ns)
		}
		split = append(split, keys...)
	}
	split = append(split, c.Codes()...)
	slices.Sort(split)
	if diff := cmp.Diff(c.Keys(""), split); diff != "" {
		t.Errorf("Keys() is not the namespaces plus Codes() (-all +split):\n%s", diff)
	}
}

// TestCatalog_NoJargon keeps the iCal format's name out of texts meant for end users.
func TestCatalog_NoJargon(t *testing.T) {
	jargon := regexp.MustCompile(`(?i)\bi?cal\b|\bRFC\b|\bICS\b`)
	c := mustNew(t)
	for _, lang := range c.Languages() {
		for _, key := range c.Keys("") {
			if msg, _ := c.Text(lang, key); jargon.MatchString(msg) {
				t.Errorf("%s %s: %q uses developer jargon", lang, key, msg)
			}
		}
	}
}

// TestCatalog_Concurrent lets the race detector check that lookups share no mutable state.
func TestCatalog_Concurrent(t *testing.T) {
	c := mustNew(t)
	langs := c.Languages()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				header := fmt.Sprintf("%s;q=0.5, ja", langs[(i+j)%len(langs)])
				if lookup(c, header, "Generic") == "" {
					t.Errorf("Lookup(%q, Generic) is empty", header)
				}
			}
		})
	}
	wg.Wait()
}

// TestNew_OncePerProcess: every caller shares the catalogs read at the first call.
func TestNew_OncePerProcess(t *testing.T) {
	if a, b := mustNew(t), mustNew(t); a != b {
		t.Error("New read the catalogs again")
	}
}

// TestCatalog_UserMessage: a domain error's message comes from its UserMessageKey, else its
// Code, in the language asked for; an error without a code has none.
func TestCatalog_UserMessage(t *testing.T) {
	c := mustNew(t)
	got := []string{c.UserMessage("de", keyward.ErrEmailAddressInUse), c.UserMessage("en", keyward.ErrDuplicateContact),
		c.UserMessage("en", keyward.ErrNotFound.WithDetails("x")), c.UserMessage("en", nil)}
	want := []string{lookup(c, "de", "EmailAddressInUse"), lookup(c, "en", "Duplicate.Contact"), "", ""}
	if diff := cmp.Diff(want, got); diff != "" || got[0] == "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// lookup is the message for code in the language that best matches an Accept-Language header,
// the way the error writer and the pages pick it.
func lookup(c *i18n.Catalog, acceptLanguage, code string) string {
	msg, _ := c.Text(c.Match(acceptLanguage), code)
	return msg
}
