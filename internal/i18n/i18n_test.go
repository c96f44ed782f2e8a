package i18n_test

import (
	"fmt"
	"regexp"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/i18n"
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
			if got := c.Lookup(tt.header, "Duplicate"); got != tt.want {
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
			if got := c.Lookup(tt.header, tt.code); got != tt.want {
				t.Errorf("Lookup(%q, %q) = %q, want %q", tt.header, tt.code, got, tt.want)
			}
		})
	}
}

// TestCatalog_NoJargon keeps the iCal format's name out of texts meant for end users.
func TestCatalog_NoJargon(t *testing.T) {
	jargon := regexp.MustCompile(`(?i)\bi?cal\b|\bRFC\b|\bICS\b`)
	c := mustNew(t)
	for _, lang := range c.Languages() {
		for _, code := range c.Codes() {
			if msg := c.Lookup(lang, code); jargon.MatchString(msg) {
				t.Errorf("%s %s: %q uses developer jargon", lang, code, msg)
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
				if c.Lookup(header, "Generic") == "" {
					t.Errorf("Lookup(%q, Generic) is empty", header)
				}
			}
		})
	}
	wg.Wait()
}
