package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/logging"
)

const tlsName = "node1.aerospiketest"

// Connecting through ABS's tls section: the right settings connect (the
// tls-name from the seed or from tls.name); each wrong one fails on one
// line naming the cause and the setting to check.
func TestConnectTLS(t *testing.T) {
	dir := t.TempDir()
	set, err := aerospiketest.WriteCertSet(dir, tlsName, "backup-operator")
	if err != nil {
		t.Fatal(err)
	}
	srv := aerospiketest.NewServer(t, aerospiketest.Options{TLS: &aerospiketest.TLSOptions{Certificate: set.Server.TLS}})
	f := func(name string) string { return filepath.Join(dir, name) }
	settings := func(seedName string, tc TLS) Settings {
		return Settings{Name: "secure", Seeds: []Seed{{Host: "127.0.0.1", Port: srv.TLSPort(), TLSName: seedName}},
			TLS: &tc, ConnTimeout: 2 * time.Second}
	}
	connect := func(s Settings) error {
		c, err := Connect(context.Background(), s, logging.Discard())
		if err == nil {
			if _, ierr := c.Info("build"); ierr != nil {
				err = ierr
			}
			c.Close()
		}
		return err
	}
	for _, tt := range []struct {
		name  string
		serve aerospiketest.TLSOptions
		s     Settings
		want  string // "" connects
	}{
		{"seed tls-name", aerospiketest.TLSOptions{}, settings(tlsName, TLS{CAFile: f("ca.pem")}), ""},
		{"tls.name", aerospiketest.TLSOptions{}, settings("", TLS{CAFile: f("ca.pem"), Name: tlsName}), ""},
		{"TLS 1.2 only", aerospiketest.TLSOptions{MaxVersion: tls.VersionTLS12},
			settings(tlsName, TLS{CAFile: f("ca.pem"), Protocols: "TLSv1.2"}), ""},
		{"ca-path", aerospiketest.TLSOptions{}, settings(tlsName, TLS{CAPath: dir}), ""},
		{"wrong CA", aerospiketest.TLSOptions{}, settings(tlsName, TLS{CAFile: f("other-ca.pem")}),
			`cluster "secure": TLS: the server's certificate is signed by an unknown authority (check tls.ca-file)`},
		{"foreign certificate", aerospiketest.TLSOptions{Certificate: set.Foreign.TLS}, settings(tlsName, TLS{CAFile: f("ca.pem")}),
			`cluster "secure": TLS: the server's certificate is signed by an unknown authority (check tls.ca-file)`},
		{"wrong tls-name", aerospiketest.TLSOptions{}, settings("other.example", TLS{CAFile: f("ca.pem")}),
			`cluster "secure": TLS: the server's certificate is not valid for tls-name "other.example" (it is for ` + tlsName + `) (check seed-nodes.tls-name)`},
		{"no tls-name: the host name", aerospiketest.TLSOptions{}, settings("", TLS{CAFile: f("ca.pem")}),
			`cluster "secure": TLS: the server's certificate is not valid for tls-name "127.0.0.1"`},
		{"expired", aerospiketest.TLSOptions{Certificate: set.Expired.TLS}, settings(tlsName, TLS{CAFile: f("ca.pem")}),
			`cluster "secure": TLS: the server's certificate expired at `},
		{"protocol", aerospiketest.TLSOptions{MinVersion: tls.VersionTLS13}, settings(tlsName, TLS{CAFile: f("ca.pem"), Protocols: "TLSv1.2"}),
			`cluster "secure": TLS: the server speaks none of the protocol versions allowed (check tls.protocols)`},
		{"mutual TLS", aerospiketest.TLSOptions{ClientCAs: set.CA.Pool()},
			settings(tlsName, TLS{CAFile: f("ca.pem"), CertFile: f("client.pem"), KeyFile: f("client.key")}), ""},
		{"mutual TLS without a client certificate", aerospiketest.TLSOptions{ClientCAs: set.CA.Pool()},
			settings(tlsName, TLS{CAFile: f("ca.pem")}),
			`cluster "secure": TLS: the server requires a client certificate (set tls.cert-file and tls.key-file)`},
		{"mutual TLS, TLS 1.2, without a client certificate", aerospiketest.TLSOptions{ClientCAs: set.CA.Pool(), MaxVersion: tls.VersionTLS12},
			settings(tlsName, TLS{CAFile: f("ca.pem")}),
			`cluster "secure": TLS: the server refused the handshake; it may require a client certificate (set tls.cert-file and tls.key-file)`},
		{"clear port", aerospiketest.TLSOptions{}, Settings{Name: "secure", Seeds: []Seed{{Host: "127.0.0.1", Port: srv.Port(), TLSName: tlsName}},
			TLS: &TLS{CAFile: f("ca.pem")}, ConnTimeout: 2 * time.Second},
			`cluster "secure": TLS: the server closed the connection in the handshake (check that the seed port is the server's tls-port)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			serve := tt.serve
			if serve.Certificate.Certificate == nil {
				serve.Certificate = set.Server.TLS
			}
			if err := srv.ServeTLS(serve); err != nil {
				t.Fatal(err)
			}
			err := connect(tt.s)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("connect: %v", err)
			case tt.want == "":
			case err == nil:
				t.Fatal("connected")
			case !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n"):
				t.Errorf("error\n%s\nwant one line starting\n%s", err, tt.want)
			}
		})
	}
}

func TestTLSCauseOfOtherErrors(t *testing.T) {
	for _, err := range []error{errors.New("connection refused"), context.DeadlineExceeded} {
		if got := tlsCause(err, &TLS{}); got != "" {
			t.Errorf("%v: %q, want no TLS cause", err, got)
		}
	}
	// Without TLS settings nothing is a TLS failure.
	if got := tlsCause(io.EOF, nil); got != "" {
		t.Errorf("EOF without TLS: %q", got)
	}
	// A server certificate that is not usable for another reason than age.
	err := x509.CertificateInvalidError{Reason: x509.NotAuthorizedToSign}
	if got := tlsCause(err, &TLS{}); !strings.HasPrefix(got, "TLS: the server's certificate is not acceptable: ") {
		t.Errorf("%v: %q", err, got)
	}
	// TLS 1.2's handshake failure alert, with and without a client certificate.
	alert := errors.New("remote error: tls: handshake failure")
	if got := tlsCause(alert, &TLS{CertFile: "c.pem"}); !strings.Contains(got, "no cipher suite") {
		t.Errorf("with a client certificate: %q", got)
	}
}
