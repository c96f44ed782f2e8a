// Package mail sends Keyward's e-mails: the verification link of a sign-up, composed in the
// language of the request from the i18n catalogs, delivered through an SMTP relay (--smtp-url),
// or, without one, written to the log and the server's console.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/keyward/keyward/internal/i18n"
)

// Mailer sends the e-mails of the sign-up flow (verification links).
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// NewMailer returns the mailer for --smtp-url: an SMTPMailer for smtp:// or smtps:// URLs,
// and a LogMailer writing to log when smtpURL is empty, so that a server without a mail relay
// still works (the operator reads the link from the log or with
// `keyward admin user verification-link`).
//
// The URL is smtp://[user:password@]host[:port]?from=address (port 25 by default; STARTTLS is
// used whenever the server offers it) or smtps://... for TLS from the first byte (port 465 by
// default). The from parameter is required.
func NewMailer(smtpURL string, log *slog.Logger) (Mailer, error) {
	if smtpURL == "" {
		return LogMailer{Logger: log}, nil
	}
	u, err := url.Parse(smtpURL)
	if err != nil {
		return nil, fmt.Errorf("mail: --smtp-url is not a URL: %w", err)
	}
	m := &SMTPMailer{ImplicitTLS: u.Scheme == "smtps", Host: u.Hostname(), Port: u.Port(), From: u.Query().Get("from")}
	switch {
	case u.Scheme != "smtp" && u.Scheme != "smtps":
		return nil, fmt.Errorf("mail: --smtp-url scheme %q is not smtp or smtps", u.Scheme)
	case m.Host == "":
		return nil, errors.New("mail: --smtp-url has no host")
	case m.From == "":
		return nil, errors.New("mail: --smtp-url needs the sender as ?from=address")
	}
	if _, err := netmail.ParseAddress(m.From); err != nil {
		return nil, fmt.Errorf("mail: --smtp-url from=%q is not an e-mail address: %w", m.From, err)
	}
	switch {
	case m.Port != "":
	case m.ImplicitTLS:
		m.Port = "465"
	default:
		m.Port = "25"
	}
	if u.User != nil {
		m.Username = u.User.Username()
		m.Password, _ = u.User.Password()
	}
	return m, nil
}

// LogMailer writes each message to the log at INFO instead of sending it: the fallback of a
// server without --smtp-url. In a JSON log the message is one escaped string, so Console, when
// set, gets it once more as plain lines that a person can read and copy a link from.
type LogMailer struct {
	Logger  *slog.Logger
	Console io.Writer // the server's console (standard error); nil for none
}

// Send logs the message and prints it on the console.
func (m LogMailer) Send(ctx context.Context, to, subject, body string) error {
	m.Logger.InfoContext(ctx, "mail: no SMTP server is configured; this e-mail was not sent", "to", to, "subject", subject, "body", body)
	if m.Console == nil {
		return nil
	}
	text := fmt.Sprintf("---- e-mail to %s, not sent: no mail relay is configured (--smtp-url) ----\nSubject: %s\n\n%s\n---- end of e-mail ----\n",
		to, subject, strings.TrimRight(body, "\n"))
	_, err := io.WriteString(m.Console, text) // one write, so that log lines do not interleave
	return err
}

// Delivers reports whether m hands mail to a relay. A LogMailer only writes it to the server's
// log and console, so a page must not tell the user that a message is in their inbox.
func Delivers(m Mailer) bool {
	switch m.(type) {
	case LogMailer, *LogMailer:
		return false
	}
	return true
}

// SendVerification mails to the link that verifies the address, written in lang (a tag of the
// i18n catalogs), the language of the request that asked for it.
func SendVerification(ctx context.Context, m Mailer, lang, to, link string) error {
	catalog, err := i18n.New()
	if err != nil {
		return fmt.Errorf("mail: load texts: %w", err)
	}
	subject, _ := catalog.Text(lang, "mail.verifySubject")
	body, _ := catalog.Text(lang, "mail.verifyBody", to, link)
	return m.Send(ctx, to, subject, body)
}

// smtpTimeout bounds one delivery when the context has no deadline.
const smtpTimeout = 30 * time.Second

// SMTPMailer delivers through an SMTP relay with net/smtp.
type SMTPMailer struct {
	Host, Port         string
	ImplicitTLS        bool // smtps: TLS from the first byte; otherwise STARTTLS when offered
	Username, Password string
	From               string
	// TLSConfig overrides the TLS settings (tests trust their own certificate with it).
	TLSConfig *tls.Config
}

// Send delivers one plain-text message.
func (m *SMTPMailer) Send(ctx context.Context, to, subject, body string) error {
	if _, err := netmail.ParseAddress(to); err != nil || strings.ContainsAny(to, "\r\n<>") {
		return fmt.Errorf("mail: smtp: %q is not a plain e-mail address", to)
	}
	msg, err := m.message(to, subject, body)
	if err != nil {
		return err
	}
	c, err := m.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := m.deliver(c, to, msg); err != nil {
		return fmt.Errorf("mail: smtp %s: %w", net.JoinHostPort(m.Host, m.Port), err)
	}
	return nil
}

// dial connects, within the context's deadline, and wraps the connection in TLS for smtps.
func (m *SMTPMailer) dial(ctx context.Context) (*smtp.Client, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, smtpTimeout)
		defer cancel()
	}
	addr := net.JoinHostPort(m.Host, m.Port)
	var conn net.Conn
	var err error
	if m.ImplicitTLS {
		d := &tls.Dialer{Config: m.tlsConfig()}
		conn, err = d.DialContext(ctx, "tcp", addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("mail: smtp: connect %s: %w", addr, err)
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, m.Host)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("mail: smtp: greeting from %s: %w", addr, err)
	}
	return c, nil
}

func (m *SMTPMailer) tlsConfig() *tls.Config {
	if m.TLSConfig != nil {
		return m.TLSConfig
	}
	return &tls.Config{ServerName: m.Host, MinVersion: tls.VersionTLS12}
}

// deliver runs the SMTP dialogue. net/smtp's PLAIN auth refuses to send the password over an
// unencrypted connection to anything but localhost, so credentials never travel in clear.
func (m *SMTPMailer) deliver(c *smtp.Client, to string, msg []byte) error {
	if ok, _ := c.Extension("STARTTLS"); ok && !m.ImplicitTLS {
		if err := c.StartTLS(m.tlsConfig()); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if m.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, m.Host)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	from, err := netmail.ParseAddress(m.From)
	if err != nil {
		return fmt.Errorf("sender %q: %w", m.From, err)
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("rcpt to: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return c.Quit()
}

// message builds an RFC 5322 message: UTF-8 text in quoted-printable, the subject as an RFC 2047
// encoded word, so that any text travels through 7-bit relays and no header can be injected.
func (m *SMTPMailer) message(to, subject, body string) ([]byte, error) {
	if strings.ContainsAny(subject, "\r\n") {
		return nil, errors.New("mail: smtp: the subject contains a line break")
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	domain := strings.TrimSuffix(m.From[strings.LastIndexByte(m.From, '@')+1:], ">")
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n",
		m.From, to, mime.QEncoding.Encode("utf-8", subject), time.Now().Format(time.RFC1123Z), hex.EncodeToString(id), domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n"))); err != nil {
		return nil, fmt.Errorf("mail: smtp: encode body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("mail: smtp: encode body: %w", err)
	}
	return b.Bytes(), nil
}
