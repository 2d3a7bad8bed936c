package cluster

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// tlsCause names why a connection with the TLS settings t failed and which
// setting to check, or returns "" when err is no TLS failure (or t is nil).
// The client wraps crypto/tls's errors in its own, so they are found
// through the chain; alerts the server sent arrive as text ("remote error:
// tls: ...").
func tlsCause(err error, t *TLS) string {
	if t == nil {
		return ""
	}
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var header tls.RecordHeaderError
	switch {
	case errors.As(err, &unknown):
		return "TLS: the server's certificate is signed by an unknown authority (check tls.ca-file)"
	case errors.As(err, &host):
		return fmt.Sprintf("TLS: the server's certificate is not valid for tls-name %q%s (check seed-nodes.tls-name)",
			host.Host, certNames(host.Certificate))
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return fmt.Sprintf("TLS: the server's certificate %s (renew it, or check this machine's clock)", validity(invalid.Cert))
	case errors.As(err, &invalid):
		return fmt.Sprintf("TLS: the server's certificate is not acceptable: %s (check the server's certificate and tls.ca-file)",
			invalid.Error())
	case errors.As(err, &header):
		return "TLS: the server did not answer in TLS (check that the seed port is the server's tls-port)"
	}
	msg := err.Error()
	for _, c := range []struct{ alert, say string }{
		{"protocol version not supported", "TLS: the server speaks none of the protocol versions allowed (check tls.protocols)"},
		{"certificate required", "TLS: the server requires a client certificate (set tls.cert-file and tls.key-file)"},
		{"unknown certificate authority", "TLS: the server does not trust the client certificate (check tls.cert-file)"},
		{"bad certificate", "TLS: the server refused the client certificate (check tls.cert-file and tls.key-file)"},
		{"certificate expired", "TLS: the server refused the client certificate as expired (renew tls.cert-file)"},
	} {
		if strings.Contains(msg, "tls: "+c.alert) {
			return c.say
		}
	}
	if strings.Contains(msg, "tls: handshake failure") {
		// TLS 1.2's answer both to a missing client certificate and to
		// no common cipher suite.
		if t.CertFile == "" {
			return "TLS: the server refused the handshake; it may require a client certificate (set tls.cert-file and tls.key-file)"
		}
		return "TLS: the server refused the handshake: no cipher suite both sides allow (check tls.cipher-suite and tls.protocols)"
	}
	if errors.Is(err, io.EOF) {
		// A clear port closes the connection on a ClientHello.
		return "TLS: the server closed the connection in the handshake (check that the seed port is the server's tls-port)"
	}
	var verify *tls.CertificateVerificationError
	if errors.As(err, &verify) {
		return "TLS: " + verify.Err.Error() + " (check tls.ca-file and seed-nodes.tls-name)"
	}
	return ""
}

// certNames lists the names a certificate is valid for, for the message.
func certNames(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		return ""
	}
	return " (it is for " + strings.Join(names, ", ") + ")"
}

// validity says when an expired (or not yet valid) certificate was valid.
func validity(c *x509.Certificate) string {
	if c == nil {
		return "has expired"
	}
	if time.Now().Before(c.NotBefore) {
		return "is not valid before " + c.NotBefore.UTC().Format(time.RFC3339)
	}
	return "expired at " + c.NotAfter.UTC().Format(time.RFC3339)
}
