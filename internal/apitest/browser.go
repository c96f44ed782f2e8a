package apitest

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Browser drives the authorization server's pages as a person's browser would: it keeps
// cookies, does not follow redirects (a test looks at each one), and sends Lang as
// Accept-Language when it is set.
type Browser struct {
	Base   string // the server's base URL; targets starting with "/" are relative to it
	Lang   string
	Client *http.Client
}

// NewBrowser returns a browser with an empty cookie jar for the server at base.
func NewBrowser(t testing.TB, base string) *Browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Browser{Base: base, Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Page is one answer of the server.
type Page struct {
	Status int
	Header http.Header
	Body   string
}

// Do sends a request, with form as an application/x-www-form-urlencoded body when it is not nil.
func (b *Browser) Do(t testing.TB, method, target string, form url.Values) *Page {
	t.Helper()
	if strings.HasPrefix(target, "/") {
		target = b.Base + target
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.Lang != "" {
		req.Header.Set("Accept-Language", b.Lang)
	}
	res, err := b.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Page{Status: res.StatusCode, Header: res.Header, Body: string(raw)}
}

// Location is the page's Location header, "" when it has none.
func (p *Page) Location() string { return p.Header.Get("Location") }

// Redirect returns the parsed Location header and fails the test when there is none.
func (p *Page) Redirect(t testing.TB) *url.URL {
	t.Helper()
	u, err := url.Parse(p.Location())
	if err != nil || p.Location() == "" {
		t.Fatalf("status %d, Location %q: %v\n%s", p.Status, p.Location(), err, p.Body)
	}
	return u
}

var hiddenInputRE = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)

// Form returns the hidden fields of the form with the id, failing the test when the page has
// no such form: what a browser would send when the person fills in nothing else.
func (p *Page) Form(t testing.TB, id string) url.Values {
	t.Helper()
	start := strings.Index(p.Body, `id="`+id+`"`)
	if start < 0 {
		t.Fatalf("no form %q on the page (status %d, Location %q):\n%s", id, p.Status, p.Location(), p.Body)
	}
	end := strings.Index(p.Body[start:], "</form>")
	v := url.Values{}
	for _, m := range hiddenInputRE.FindAllStringSubmatch(p.Body[start:start+end], -1) {
		v.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return v
}

// Text returns the unescaped text of the element with the id, "" when there is none.
func (p *Page) Text(id string) string {
	return p.Find(`id="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`)
}

// Find returns the unescaped first submatch of pattern in the body, "" when it does not match.
func (p *Page) Find(pattern string) string {
	m := regexp.MustCompile(pattern).FindStringSubmatch(p.Body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}
