package records

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aerospike/backup-go"
)

// Key is where an encrypted backup's key comes from: at most one of File,
// Env and Secret, as on the restore command line.
type Key struct {
	File, Env, Secret string
	Agent             *backup.SecretAgentConfig
}

// ErrKeyNeeded is an encrypted backup read with no key given.
var ErrKeyNeeded = errors.New("the backup is encrypted: give its key (--encryption-key-file, --encryption-key-env or --encryption-key-secret)")

// given reports whether any source is set.
func (k Key) given() bool { return k.File != "" || k.Env != "" || k.Secret != "" }

// AES returns the AES key for mode (AES128 or AES256) that backup-go
// derives from the RSA private key: the SHA-256 of the key in PKCS #1
// form, its first 16 bytes for AES128.
func (k Key) AES(ctx context.Context, mode string) ([]byte, error) {
	mode = strings.ToUpper(mode)
	if mode != "AES128" && mode != "AES256" {
		return nil, fmt.Errorf("encryption %q: not AES128 or AES256", mode)
	}
	pemData, err := k.pem(ctx)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(pemData)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block (the key must be an RSA private key in PEM form)", k.source())
	}
	rk, err := rsaKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", k.source(), err)
	}
	sum := sha256.Sum256(x509.MarshalPKCS1PrivateKey(rk))
	if mode == "AES128" {
		return sum[:16], nil
	}
	return sum[:], nil
}

func (k Key) source() string {
	switch {
	case k.File != "":
		return fmt.Sprintf("encryption key file %q", k.File)
	case k.Env != "":
		return "encryption key variable " + k.Env
	default:
		return "encryption key secret " + k.Secret
	}
}

// pem is the key's PEM text: a file holds it as is; a variable or a
// secret may also hold it base64-encoded, or the DER body alone
// (base64, once or twice), as backup-go accepts them.
func (k Key) pem(ctx context.Context) ([]byte, error) {
	switch {
	case k.File != "":
		b, err := os.ReadFile(k.File)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k.source(), err)
		}
		return b, nil
	case k.Env != "":
		v := os.Getenv(k.Env)
		if strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("%s: not set", k.source())
		}
		return pemOf(v)
	case k.Secret != "":
		if k.Agent == nil {
			return nil, fmt.Errorf("%s: no secret agent configured", k.source())
		}
		v, err := backup.ParseSecret(ctx, k.Agent, k.Secret)
		if err != nil {
			return nil, fmt.Errorf("%s: %w (check that the agent is running and serves this resource and key)", k.source(), err)
		}
		return pemOf(v)
	}
	return nil, ErrKeyNeeded
}

// pemOf turns a key given as text into PEM.
func pemOf(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "-----BEGIN") {
		return []byte(normalizePEM(s)), nil
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("the key is neither PEM nor base64: %w", err)
	}
	if strings.Contains(string(raw), "-----BEGIN") {
		return raw, nil
	}
	if inner, err := base64.StdEncoding.DecodeString(string(raw)); err == nil {
		raw = inner
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: raw}), nil
}

// normalizePEM puts the BEGIN and END markers of a key pasted on one line
// on lines of their own.
func normalizePEM(s string) string {
	if i := strings.Index(s, "-----BEGIN"); i >= 0 {
		if j := strings.Index(s[i+10:], "-----"); j >= 0 {
			end := i + 10 + j + 5
			if end < len(s) && s[end] != '\n' {
				s = s[:end] + "\n" + s[end:]
			}
		}
	}
	if i := strings.LastIndex(s, "-----END"); i > 0 && s[i-1] != '\n' {
		s = s[:i] + "\n" + s[i:]
	}
	return s
}

func rsaKey(der []byte) (*rsa.PrivateKey, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("the key is a %T, not an RSA private key", k)
		}
		return rk, nil
	}
	k, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("not an RSA private key in PKCS #8 or PKCS #1 form: %w", err)
	}
	return k, nil
}
