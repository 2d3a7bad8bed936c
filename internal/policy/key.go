package policy

import (
	"context"
	"fmt"
	"os"

	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/secret"
)

// KeyError is an encryption key a run cannot get: the file unreadable,
// the variable unset, the secret not served. Retrying does not help, so
// a backup fails with it before its first scan.
type KeyError struct {
	Source string // e.g. `key-file "/etc/key.pem"`; empty when Err names it
	Err    error
	Hint   string
}

func (e *KeyError) Error() string {
	msg := fmt.Sprint(e.Err)
	if e.Source != "" {
		msg = fmt.Sprintf("encryption %s: %v", e.Source, e.Err)
	}
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

func (e *KeyError) Unwrap() error { return e.Err }

// CheckKey gets the encryption key the configuration names, through
// agent for a key-secret, so that a key missing is one clear error before
// anything is scanned (backup-go would find it only when a namespace's
// backup starts, and the retry policy would start it again). It checks
// that the key is there, not its format, which backup-go reads.
func (b *Backup) CheckKey(ctx context.Context, agent *config.SecretAgent) error {
	enc := b.base.EncryptionPolicy
	if enc == nil {
		return nil
	}
	switch {
	case enc.KeyFile != nil:
		if _, err := os.ReadFile(*enc.KeyFile); err != nil {
			return &KeyError{Source: fmt.Sprintf("key-file %q", *enc.KeyFile), Err: err,
				Hint: "check the path and that this user can read it"}
		}
	case enc.KeyEnv != nil:
		if os.Getenv(*enc.KeyEnv) == "" {
			return &KeyError{Source: "key-env " + *enc.KeyEnv, Err: fmt.Errorf("the environment variable is not set"),
				Hint: "export it in the run's environment (cron and systemd start with a bare one)"}
		}
	case enc.KeySecret != nil:
		// The resolver's error names the field, the reference and the agent.
		if _, err := secret.NewResolver(nil).ResolveWith(ctx, agent, "encryption key-secret", *enc.KeySecret); err != nil {
			return &KeyError{Err: err}
		}
	}
	return nil
}

// RestoreKey is the key source a restore of r's backups reads encrypted
// ones with: the flags' (file, env, secret) when any is given, else the
// key source r's backup policy names, so that a routine's backups restore
// with the routine's key. source says which, for a debug line.
func RestoreKey(r *config.Routine, file, env, secret string) (kfile, kenv, ksecret, source string) {
	switch {
	case file != "":
		return file, "", "", "--encryption-key-file"
	case env != "":
		return "", env, "", "--encryption-key-env"
	case secret != "":
		return "", "", secret, "--encryption-key-secret"
	}
	var enc *config.EncryptionPolicy
	if r != nil && r.Policy() != nil {
		enc = r.Policy().Encryption
	}
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	switch {
	case enc == nil || (enc.KeyFile == nil && enc.KeyEnv == nil && enc.KeySecret == nil):
		return "", "", "", "none (no key flag, and the routine's policy names no key)"
	default:
		return deref(enc.KeyFile), deref(enc.KeyEnv), deref(enc.KeySecret), fmt.Sprintf("routine %q's backup policy", r.Name)
	}
}
