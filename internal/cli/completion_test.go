package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeCompletionConfig(t *testing.T) (cfgPath, storeDir string) {
	t.Helper()
	dir := t.TempDir()
	storeDir = filepath.Join(dir, "backups")
	cfg := `aerospike-clusters:
  prod:
    seed-nodes:
      - host-name: db1
        port: 3000
  staging:
    seed-nodes:
      - host-name: db2
        port: 3100
storage:
  local:
    local-storage:
      path: ` + storeDir + `
  cloud:
    s3-storage:
      bucket: bkt
      path: aerospike
      s3-region: eu-west-1
backup-routines:
  nightly:
    interval-cron: "@daily"
    source-cluster: prod
    storage: local
    namespaces: [test]
  hourly:
    interval-cron: "@hourly"
    source-cluster: staging
    storage: local
    namespaces: [test]
`
	cfgPath = filepath.Join(dir, "aerobackup.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath, storeDir
}

// complete runs cobra's hidden __complete command and returns the offered
// values (descriptions cut) and the directive line.
func complete(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	code, out, errOut := run(t, nil, append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %q: exit %d\n%s", args, code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var vals []string
	for _, l := range lines[:len(lines)-1] {
		vals = append(vals, strings.SplitN(l, "\t", 2)[0])
	}
	return vals, lines[len(lines)-1]
}

func TestCompletionFromConfig(t *testing.T) {
	cfg, store := writeCompletionConfig(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-c", cfg, "backup", "--routine", ""}, "hourly nightly"},
		{[]string{"-c", cfg, "list", "-r", "n"}, "nightly"},
		{[]string{"-c", cfg, "restore", "--destination", ""}, "prod staging"},
		{[]string{"-c", cfg, "restore", "--storage", ""}, store + " s3://bkt/aerospike"},
		{[]string{"-c", cfg, "schedule", "export", "--routine", ""}, "hourly nightly"},
		{[]string{"-c", cfg, "schedule", "export", "--format", ""}, "systemd crontab kubernetes"},
		{[]string{"backup", "--compress", ""}, "NONE ZSTD"},
		{[]string{"backup", "--encrypt", ""}, "NONE AES128 AES256"},
		{[]string{"list", "--type", ""}, "full incremental"},
		{[]string{"--log-format", ""}, "auto text json"},
	}
	for _, tt := range tests {
		got, _ := complete(t, tt.args...)
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%q: %q, want %q", tt.args, strings.Join(got, " "), tt.want)
		}
	}
}

func TestCompletionBackupKeys(t *testing.T) {
	cfg, store := writeCompletionConfig(t)
	for _, run := range []struct{ key, created string }{
		{"nightly/backup/1763683200000", "2025-11-21T00:00:00Z"},
		{"nightly/backup/1763769600000", "2025-11-22T00:00:00Z"},
		{"hourly/backup/1763690400000", "2025-11-21T02:00:00Z"},
	} {
		dir := filepath.Join(store, run.key, "data", "test")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		md := "created: " + run.created + "\nfinished: " + run.created + "\nfrom: 0001-01-01T00:00:00Z\nnamespace: test\n" +
			"record-count: 42\nbyte-count: 100\nfile-count: 1\nsecondary-index-count: 0\nudf-count: 0\ncompression: NONE\nencryption: NONE\n"
		if err := os.WriteFile(filepath.Join(dir, "metadata.yaml"), []byte(md), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A run folder without metadata.yaml is not a backup and is not offered.
	if err := os.MkdirAll(filepath.Join(store, "nightly/backup/1763856000000/data/test"), 0o755); err != nil {
		t.Fatal(err)
	}

	got, _ := complete(t, "-c", cfg, "restore", "--routine", "nightly", "--backup", "")
	if want := "nightly/backup/1763769600000 nightly/backup/1763683200000"; strings.Join(got, " ") != want {
		t.Errorf("nightly keys: %q, want %q (newest first)", strings.Join(got, " "), want)
	}
	got, _ = complete(t, "-c", cfg, "restore", "--backup", "h")
	if want := "hourly/backup/1763690400000"; strings.Join(got, " ") != want {
		t.Errorf("keys with prefix h: %q, want %q", strings.Join(got, " "), want)
	}
	for _, cmd := range []string{"pin", "unpin"} {
		got, _ = complete(t, "-c", cfg, cmd, "h")
		if want := "hourly/backup/1763690400000"; strings.Join(got, " ") != want {
			t.Errorf("%s KEY with prefix h: %q, want %q", cmd, strings.Join(got, " "), want)
		}
	}
}

func TestCompletionWithoutConfigOffersNothing(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("AEROBACKUP_CONFIG", "")
	got, directive := complete(t, "backup", "--routine", "")
	if len(got) != 0 || directive != ":4" {
		t.Errorf("got %q %s, want nothing and :4 (no file completion)", got, directive)
	}
}
