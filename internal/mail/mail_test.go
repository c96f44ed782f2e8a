package mail_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keyward/keyward/internal/apitest"
	"github.com/keyward/keyward/internal/mail"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// smtpPeer is a minimal SMTP server on loopback that accepts one message and records the
// dialogue. With tlsConfig it offers STARTTLS, or speaks TLS from the start when implicit.
type smtpPeer struct {
	ln       net.Listener
	tls      *tls.Config
	implicit bool
	mu       sync.Mutex
	commands []string
	data     string
	done     chan struct{}
}

func startSMTPPeer(t *testing.T, tlsConfig *tls.Config, implicit bool) *smtpPeer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &smtpPeer{ln: ln, tls: tlsConfig, implicit: implicit, done: make(chan struct{})}
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	return p
}

func (p *smtpPeer) port() string { return strings.TrimPrefix(p.ln.Addr().String(), "127.0.0.1:") }

func (p *smtpPeer) serve() {
	defer close(p.done)
	conn, err := p.ln.Accept()
	if err != nil {
		return
	}
	defer conn.Close()
	if p.implicit {
		conn = tls.Server(conn, p.tls)
	}
	r, w := bufio.NewReader(conn), conn
	io.WriteString(w, "220 peer ESMTP\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.TrimRight(line, "\r\n")
		p.mu.Lock()
		p.commands = append(p.commands, cmd)
		p.mu.Unlock()
		verb := strings.ToUpper(strings.Fields(cmd + " x")[0])
		switch {
		case verb == "EHLO":
			ext := "250-peer\r\n250-AUTH PLAIN\r\n"
			if p.tls != nil && !p.implicit {
				if _, isTLS := conn.(*tls.Conn); !isTLS {
					ext += "250-STARTTLS\r\n"
				}
			}
			io.WriteString(w, ext+"250 8BITMIME\r\n")
		case verb == "STARTTLS":
			io.WriteString(w, "220 go ahead\r\n")
			tc := tls.Server(conn, p.tls)
			conn, r, w = tc, bufio.NewReader(tc), tc
		case verb == "AUTH":
			io.WriteString(w, "235 2.7.0 accepted\r\n")
		case verb == "MAIL" || verb == "RCPT":
			io.WriteString(w, "250 ok\r\n")
		case verb == "DATA":
			io.WriteString(w, "354 end with .\r\n")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(l)
			}
			p.mu.Lock()
			p.data = data.String()
			p.mu.Unlock()
			io.WriteString(w, "250 queued\r\n")
		case verb == "QUIT":
			io.WriteString(w, "221 bye\r\n")
			return
		default:
			io.WriteString(w, "502 unknown\r\n")
		}
	}
}

// testTLS borrows httptest's certificate for 127.0.0.1: the server's config and a client
// config that trusts it.
func testTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	ts := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(ts.Close)
	client = ts.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	client.ServerName = "127.0.0.1"
	return ts.TLS, client
}

func TestSMTPMailer(t *testing.T) {
	serverTLS, clientTLS := testTLS(t)
	tests := []struct {
		name         string
		scheme       string
		tls          *tls.Config
		implicit     bool
		wantSTARTTLS bool
	}{
		{"Plain", "smtp", nil, false, false},
		{"STARTTLS", "smtp", serverTLS, false, true},
		{"SMTPS", "smtps", serverTLS, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			peer := startSMTPPeer(t, tt.tls, tt.implicit)
			mailer, err := mail.NewMailer(tt.scheme+"://mailer:pa%20ss@127.0.0.1:"+peer.port()+"?from=Keyward%20%3Cnoreply@keyward.test%3E", discardLogger())
			if err != nil {
				t.Fatal(err)
			}
			mailer.(*mail.SMTPMailer).TLSConfig = clientTLS
			body := "Hello,\n\nopen https://keyward.test/account/verify?token=a.b.c&x=1 — thanks\n"
			if err := mailer.Send(context.Background(), "carol@example.com", "Verify – ü", body); err != nil {
				t.Fatal(err)
			}
			<-peer.done
			peer.mu.Lock()
			defer peer.mu.Unlock()
			auth := base64.StdEncoding.EncodeToString([]byte("\x00mailer\x00pa ss"))
			var got []string
			for _, c := range peer.commands {
				if !strings.HasPrefix(c, "EHLO") && c != "STARTTLS" {
					got = append(got, c)
				}
			}
			want := []string{"AUTH PLAIN " + auth, "MAIL FROM:<noreply@keyward.test> BODY=8BITMIME", "RCPT TO:<carol@example.com>", "DATA", "QUIT"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("dialogue (-want +got):\n%s", diff)
			}
			if got := slices.Contains(peer.commands, "STARTTLS"); got != tt.wantSTARTTLS {
				t.Errorf("STARTTLS used: %v, want %v", got, tt.wantSTARTTLS)
			}
			header, encoded, _ := strings.Cut(peer.data, "\r\n\r\n")
			for _, h := range []string{"From: Keyward <noreply@keyward.test>", "To: carol@example.com", "Subject: =?utf-8?q?Verify_=E2=80=93_=C3=BC?=",
				"MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"} {
				if !strings.Contains(header+"\r\n", h+"\r\n") {
					t.Errorf("header lacks %q:\n%s", h, header)
				}
			}
			decoded, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(encoded)))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := string(decoded), strings.ReplaceAll(body, "\n", "\r\n"); got != want {
				t.Errorf("body %q\nwant %q", got, want)
			}
		})
	}
}

func TestSMTPMailerRefusesInjection(t *testing.T) {
	m := &mail.SMTPMailer{Host: "127.0.0.1", Port: "1", From: "noreply@keyward.test"}
	for name, args := range map[string][2]string{
		"RecipientHeader": {"a@example.com\r\nBcc: victim@example.com", "s"},
		"RecipientAngle":  {"<a@example.com>", "s"},
		"SubjectHeader":   {"a@example.com", "s\r\nBcc: victim@example.com"},
	} {
		t.Run(name, func(t *testing.T) {
			if err := m.Send(context.Background(), args[0], args[1], "body"); err == nil || strings.Contains(err.Error(), "connect") {
				t.Errorf("error %v, want a refusal before connecting", err)
			}
		})
	}
}

func TestNewMailer(t *testing.T) {
	for _, tt := range []struct{ url, wantErr string }{
		{"ftp://mail.example?from=a@example.com", `mail: --smtp-url scheme "ftp" is not smtp or smtps`},
		{"smtp://?from=a@example.com", "mail: --smtp-url has no host"},
		{"smtp://mail.example", "mail: --smtp-url needs the sender as ?from=address"},
		{"smtp://mail.example?from=nobody", `mail: --smtp-url from="nobody" is not an e-mail address: mail: missing '@' or angle-addr`},
	} {
		t.Run(tt.url, func(t *testing.T) {
			if _, err := mail.NewMailer(tt.url, discardLogger()); err == nil || err.Error() != tt.wantErr {
				t.Errorf("error %v, want %s", err, tt.wantErr)
			}
		})
	}
	for url, want := range map[string]mail.SMTPMailer{
		"smtp://mail.example?from=a@example.com":            {Host: "mail.example", Port: "25", From: "a@example.com"},
		"smtps://u:p@mail.example?from=a@example.com":       {Host: "mail.example", Port: "465", ImplicitTLS: true, Username: "u", Password: "p", From: "a@example.com"},
		"smtp://u@mail.example:587?from=a%40example.com&x=": {Host: "mail.example", Port: "587", Username: "u", From: "a@example.com"},
	} {
		t.Run(url, func(t *testing.T) {
			m, err := mail.NewMailer(url, discardLogger())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&want, m); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("EmptyLogs", func(t *testing.T) {
		var buf bytes.Buffer
		m, err := mail.NewMailer("", slog.New(slog.NewTextHandler(&buf, nil)))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Send(context.Background(), "carol@example.com", "Verify", "open https://x/verify?token=t"); err != nil {
			t.Fatal(err)
		}
		want := `level=INFO msg="mail: no SMTP server is configured; this e-mail was not sent" to=carol@example.com subject=Verify body="open https://x/verify?token=t"`
		if got := strings.TrimSpace(buf.String()); !strings.HasSuffix(got, want) {
			t.Errorf("log %q\nwant suffix %q", got, want)
		}
	})
}

func TestLogMailer_Console(t *testing.T) {
	var log bytes.Buffer
	console := &apitest.Output{}
	m := mail.LogMailer{Logger: slog.New(slog.NewJSONHandler(&log, nil)), Console: console}
	if err := m.Send(context.Background(), "carol@example.com", "Verify", "Hello,\n\nopen\n\nhttps://x/verify?token=a&b=c\n"); err != nil {
		t.Fatal(err)
	}
	want := "---- e-mail to carol@example.com, not sent: no mail relay is configured (--smtp-url) ----\n" +
		"Subject: Verify\n\nHello,\n\nopen\n\nhttps://x/verify?token=a&b=c\n---- end of e-mail ----\n"
	if got := console.String(); got != want {
		t.Errorf("console\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(log.String(), `"body":"Hello,\n\nopen\n\nhttps://x/verify?token=a&b=c\n"`) {
		t.Errorf("the structured log lost the message: %s", log.String())
	}
}
