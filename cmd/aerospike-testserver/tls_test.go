package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
)

// -tls-addr with -tls-certs serves TLS with the certificates it wrote:
// a client trusting ca.pem and naming -tls-name works, and with
// -tls-client-ca only a client with a certificate gets in.
func TestRunServesTLS(t *testing.T) {
	dir := t.TempDir()
	certs := filepath.Join(dir, "certs")
	ready := filepath.Join(dir, "ready")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-ready-file", ready, "-tls-addr", "127.0.0.1:0",
			"-tls-certs", certs, "-tls-name", "node.test", "-tls-client-ca", filepath.Join(certs, "ca.pem"), "-tls-max", "1.2"}, &logs)
	}()
	re := regexp.MustCompile(`tls-addr=127\.0\.0\.1:(\d+)`)
	var port int
	for deadline := time.Now().Add(10 * time.Second); port == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(logs.String()); m != nil {
			port, _ = strconv.Atoi(m[1])
		}
	}
	if port == 0 {
		t.Fatalf("no tls-addr logged:\n%s", logs.String())
	}
	pem, err := os.ReadFile(filepath.Join(certs, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	client, err := tls.LoadX509KeyPair(filepath.Join(certs, "client.pem"), filepath.Join(certs, "client.key"))
	if err != nil {
		t.Fatal(err)
	}
	connect := func(cfg *tls.Config) error {
		cp := as.NewClientPolicy()
		cp.Timeout, cp.TlsConfig = 2*time.Second, cfg
		h := as.NewHost("127.0.0.1", port)
		h.TLSName = "node.test"
		c, err := as.NewClientWithPolicyAndHost(cp, h)
		if err == nil {
			c.Close()
		}
		return err
	}
	if err := connect(&tls.Config{RootCAs: pool, Certificates: []tls.Certificate{client}}); err != nil {
		t.Errorf("client with certificate: %v", err)
	}
	if err := connect(&tls.Config{RootCAs: pool}); err == nil {
		t.Error("a client without a certificate connected")
	}
	if err := connect(&tls.Config{RootCAs: pool, Certificates: []tls.Certificate{client}, MinVersion: tls.VersionTLS13}); err == nil {
		t.Error("TLS 1.3 accepted under -tls-max 1.2")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
}

func TestTLSFlagErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-tls-certs", "x"}, "need -tls-addr"},
		{[]string{"-tls-addr", "127.0.0.1:0"}, "-tls-addr needs -tls-certs DIR or -tls-cert and -tls-key"},
		{[]string{"-tls-addr", "127.0.0.1:0", "-tls-certs", "x", "-tls-min", "1.1"}, `-tls-min "1.1": want 1.2 or 1.3`},
		{[]string{"-tls-addr", "127.0.0.1:0", "-tls-cert", "/nonexistent.pem", "-tls-key", "/nonexistent.key"}, "-tls-cert/-tls-key: "},
	} {
		err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, tt.args...), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want %q", tt.args, err, tt.want)
		}
	}
}
