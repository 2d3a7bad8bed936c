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
