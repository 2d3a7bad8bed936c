package policy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aerobackup/aerobackup/internal/config"
)

func TestCheckKey(t *testing.T) {
	r := routine(t, base+`backup-routines:
  r: {interval-cron: "@daily", source-cluster: c, storage: s, namespaces: [test]}
`)
	present := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(present, []byte("a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AEROBACKUP_TEST_KEY_SET", "a key")
	port := 1
	unreachable := &config.SecretAgent{Name: "agent", ConnectionType: "tcp", Address: "127.0.0.1", Port: &port}
	aes := ptr("AES256")
	tests := []struct {
		name  string
		o     BackupOverrides
		agent *config.SecretAgent
		err   string // "" when the key is there
	}{
		{name: "no encryption"},
		{name: "a key file that is there", o: BackupOverrides{Encryption: aes, KeyFile: &present}},
		{name: "a key file that is not", o: BackupOverrides{Encryption: aes, KeyFile: ptr("/nonexistent/k.pem")},
			err: `encryption key-file "/nonexistent/k.pem": open /nonexistent/k.pem: no such file or directory (check the path`},
		{name: "a variable set", o: BackupOverrides{Encryption: aes, KeyEnv: ptr("AEROBACKUP_TEST_KEY_SET")}},
		{name: "a variable unset", o: BackupOverrides{Encryption: aes, KeyEnv: ptr("AEROBACKUP_TEST_KEY_UNSET")},
			err: "encryption key-env AEROBACKUP_TEST_KEY_UNSET: the environment variable is not set (export it"},
		{name: "an agent that does not answer", o: BackupOverrides{Encryption: aes, KeySecret: ptr("secrets:enc:key")}, agent: unreachable,
			err: `encryption key-secret: resolve secrets:enc:key with secret agent "agent" (tcp 127.0.0.1:1): `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewBackup(r, tt.o, tt.agent)
			if err != nil {
				t.Fatal(err)
			}
			err = b.CheckKey(context.Background(), tt.agent)
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("CheckKey: %v", err)
			case tt.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.err)):
				t.Errorf("CheckKey = %v, want it to start %q", err, tt.err)
			case tt.err != "":
				var ke *KeyError
				if !asKeyError(err, &ke) {
					t.Errorf("CheckKey's error is no *KeyError: %T", err)
				}
			}
		})
	}
}

func asKeyError(err error, target **KeyError) bool {
	ke, ok := err.(*KeyError)
	*target = ke
	return ok
}

func TestRestoreKey(t *testing.T) {
	enc := routine(t, base+`backup-policies:
  p: {encryption: {mode: AES256, key-env: "ROUTINE_KEY"}}
backup-routines:
  r: {interval-cron: "@daily", source-cluster: c, storage: s, backup-policy: p, namespaces: [test]}
`)
	plain := routine(t, base+`backup-routines:
  r: {interval-cron: "@daily", source-cluster: c, storage: s, namespaces: [test]}
`)
	tests := []struct {
		name                     string
		r                        *config.Routine
		file, env, secret        string
		wantF, wantE, wantS, src string
	}{
		{name: "the routine's key", r: enc, wantE: "ROUTINE_KEY", src: `routine "r"'s backup policy`},
		{name: "a flag wins", r: enc, file: "/k.pem", wantF: "/k.pem", src: "--encryption-key-file"},
		{name: "the env flag wins", r: enc, env: "K", wantE: "K", src: "--encryption-key-env"},
		{name: "no key anywhere", r: plain, src: "none (no key flag, and the routine's policy names no key)"},
		{name: "no routine", src: "none (no key flag, and the routine's policy names no key)"},
	}
	for _, tt := range tests {
		f, e, s, src := RestoreKey(tt.r, tt.file, tt.env, tt.secret)
		if f != tt.wantF || e != tt.wantE || s != tt.wantS || src != tt.src {
			t.Errorf("%s: got %q %q %q (%s), want %q %q %q (%s)", tt.name, f, e, s, src, tt.wantF, tt.wantE, tt.wantS, tt.src)
		}
	}
}
