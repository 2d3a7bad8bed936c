package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func mustLoad(t *testing.T, name string) *Config {
	t.Helper()
	cfg, err := Load(filepath.Join("../../testdata/config", name))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestDecodedValues(t *testing.T) {
	cfg := mustLoad(t, "encryption-compression-retention.yml")
	p := cfg.BackupPolicies["everything"]
	if p.Name != "everything" || *p.Parallel != 4 || p.ParallelWriteOrDefault() != 2 {
		t.Errorf("parallel: %+v", p)
	}
	if got := p.FileLimitBytes(); got != 1024*1024*1024 {
		t.Errorf("FileLimitBytes = %d, want 1 GiB", got)
	}
	if got := p.BandwidthBytes(); got != 50*1024*1024 {
		t.Errorf("BandwidthBytes = %d, want 50 MiB/s", got)
	}
	if p.SocketTimeoutDuration() != 10*time.Minute || p.TotalTimeoutDuration() != 0 {
		t.Errorf("timeouts %v %v", p.SocketTimeoutDuration(), p.TotalTimeoutDuration())
	}
	base, mult, max := p.RetryPolicy.Values()
	if base != time.Second || mult != 2.5 || max != 3 {
		t.Errorf("retry %v %v %v", base, mult, max)
	}
	if *p.Retention.Full != 7 || *p.Retention.Incremental != 3 {
		t.Errorf("retention %+v", p.Retention)
	}
	if p.Encryption.ModeOrNone() != EncryptAES128 || *p.Encryption.KeyFile != "/etc/aerospike-backup/key.pem" {
		t.Errorf("encryption %+v", p.Encryption)
	}
	if p.Compression.ModeOrNone() != CompressZSTD || p.Compression.LevelOrDefault() != 3 {
		t.Errorf("compression %+v", p.Compression)
	}
	if !p.IsSealed() || !p.IsCompact() || p.SkipRecords() || p.IncrementalMode() != IncrModeCumulative {
		t.Errorf("switches %+v", p)
	}
	// Explicit false is kept distinct from absent.
	if p.NoRecords == nil || *p.NoRecords {
		t.Errorf("no-records should be an explicit false")
	}

	r, err := cfg.Routine("full-featured")
	if err != nil {
		t.Fatal(err)
	}
	if r.Policy() != p || r.Cluster() != cfg.AerospikeClusters["cluster"] || r.Storage().RootPath() != "/backups" {
		t.Errorf("routine references not resolved")
	}
	if got := r.Partitions(); len(got) != 3 || got[0] != (PartitionRange{Begin: 0, Count: 1024}) || got[1].Begin != 2048 {
		t.Errorf("partitions %+v", got)
	}
	if strings.Join(r.Namespaces, ",") != "test,bar" || r.IsDisabled() || r.Disabled == nil {
		t.Errorf("routine %+v", r)
	}
	if ids := cfg.BackupRoutines["by-rack"].RackIDs(); len(ids) != 2 || ids[1] != 2 {
		t.Errorf("rack ids %v", ids)
	}
}

func TestDefaults(t *testing.T) {
	cfg := mustLoad(t, "minimal-local.yml")
	r, err := cfg.Routine("")
	if err != nil {
		t.Fatal(err)
	}
	p := r.Policy() // no backup-policy: ABS uses an all-default policy
	if p.ParallelOrDefault() != 8 || p.ParallelWriteOrDefault() != 8 {
		t.Errorf("parallel defaults %d %d", p.ParallelOrDefault(), p.ParallelWriteOrDefault())
	}
	if p.FileLimitBytes() != 250*1024*1024 || p.BandwidthBytes() != 0 || p.SocketTimeoutDuration() != time.Minute {
		t.Errorf("size/time defaults wrong")
	}
	if p.Encryption.ModeOrNone() != EncryptNone || p.Compression.ModeOrNone() != CompressNone {
		t.Errorf("modes default to NONE")
	}
	base, mult, max := p.RetryPolicy.Values()
	if base != time.Minute || mult != 1 || max != 5 {
		t.Errorf("retry defaults %v %v %v", base, mult, max)
	}
	c := r.Cluster()
	if c.ConnTimeoutDuration() != 30*time.Second || c.Credentials.Mode() != "INTERNAL" {
		t.Errorf("cluster defaults")
	}
	if p.IncrementalMode() != IncrModeDifferential || r.SecretAgent() != nil || r.Partitions() != nil {
		t.Errorf("routine defaults")
	}
	if cfg.HasService() {
		t.Error("no service section expected")
	}
}

func TestServiceAcceptedAndIgnored(t *testing.T) {
	cfg := mustLoad(t, "abs-repository.yml")
	if !cfg.HasService() {
		t.Fatal("service section not recorded")
	}
	// Unknown keys inside service are fine: ABS owns that section.
	_, err := Parse("x.yml", []byte("service:\n  anything: {goes: [here]}\n"))
	if err != nil {
		t.Fatal(err)
	}
}

func TestSecretAgentsAndLinks(t *testing.T) {
	cfg := mustLoad(t, "secret-agents.yml")
	main := cfg.AerospikeClusters["main"]
	if a := cfg.CredentialsAgent(main); a == nil || a.Name != "vault-agent" || a.TimeoutDuration() != 2*time.Second {
		t.Errorf("credentials agent %+v", a)
	}
	inline := cfg.CredentialsAgent(cfg.AerospikeClusters["inline-agent"])
	if inline == nil || inline.Address != "127.0.0.1" || *inline.Port != 3006 || inline.TimeoutDuration() != time.Second {
		t.Errorf("inline agent %+v", inline)
	}
	if a := cfg.StorageAgent(cfg.Storage["gcs"]); a == nil || a.Connection() != ConnectionUnix {
		t.Errorf("storage agent %+v", a)
	}
	r, _ := cfg.Routine("main-to-s3")
	if r.SecretAgent() != cfg.SecretAgents["vault-agent"] {
		t.Error("routine agent not resolved")
	}
	// The packaged example writes connection-type in capitals; ABS accepts it.
	def := mustLoad(t, "abs-package-default.yml")
	if def.SecretAgents["secret-agent"].Connection() != ConnectionTCP {
		t.Error("TCP not canonicalised")
	}
	if *def.Storage["s3"].S3.MinPartSize != 50_000_000 {
		t.Error("YAML underscore integer not decoded")
	}
}

func TestRoutineSelection(t *testing.T) {
	multi := mustLoad(t, "azure.yml")
	tests := []struct {
		cfg     *Config
		name    string
		want    string
		wantErr string
	}{
		{mustLoad(t, "minimal-local.yml"), "", "daily", ""},
		{mustLoad(t, "minimal-local.yml"), "daily", "daily", ""},
		{multi, "to-azure", "to-azure", ""},
		{multi, "", "", "defines 2 routines, pick one with --routine: to-azure, to-azure-ad"},
		{multi, "nope", "", `routine "nope" is not in ../../testdata/config/azure.yml (known: to-azure, to-azure-ad)`},
		{&Config{}, "", "", "defines no backup-routines"},
	}
	for _, tt := range tests {
		r, err := tt.cfg.Routine(tt.name)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, new(*LookupError)) {
				t.Errorf("Routine(%q) err = %v, want a LookupError containing %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || r.Name != tt.want {
			t.Errorf("Routine(%q) = %v, %v; want %s", tt.name, r, err, tt.want)
		}
	}
	if got := strings.Join(multi.RoutineNames(), ","); got != "to-azure,to-azure-ad" {
		t.Errorf("RoutineNames = %s", got)
	}
	if _, err := multi.Cluster("other"); err == nil || !strings.Contains(err.Error(), "known: cluster") {
		t.Errorf("Cluster err = %v", err)
	}
	// Each lookup names what it looked for, so callers need not parse text.
	for _, tt := range []struct {
		err        error
		what, name string
	}{
		{second(multi.Cluster("other")), "cluster", "other"},
		{second(multi.StorageByName("s")), "storage", "s"},
		{second(multi.Agent("a")), "secret agent", "a"},
		{second(multi.Routine("nope")), "routine", "nope"},
		{second(multi.Routine("")), "routine", ""},
	} {
		var le *LookupError
		if !errors.As(tt.err, &le) || le.What != tt.what || le.Name != tt.name {
			t.Errorf("%v: want a LookupError for %s %q, got %#v", tt.err, tt.what, tt.name, tt.err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestAnchorsAndMerge(t *testing.T) {
	src := `aerospike-clusters:
  c1: &cluster
    seed-nodes:
      - host-name: localhost
        port: 3000
  c2: *cluster
storage:
  s1:
    local-storage:
      path: /b
backup-policies:
  base: &base
    parallel: 2
    file-limit: 10
  derived:
    <<: *base
    parallel: 4
backup-routines:
  r1:
    interval-cron: "@daily"
    source-cluster: c2
    storage: s1
    backup-policy: derived
    namespaces: []
`
	cfg, err := Parse("a.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.BackupPolicies["derived"]
	if *d.Parallel != 4 || *d.FileLimit != 10 {
		t.Errorf("merge: %+v", d)
	}
	if cfg.AerospikeClusters["c2"].SeedNodes[0].Port != 3000 {
		t.Error("alias not followed")
	}
}

func TestParseEmptyAndErrorsFormat(t *testing.T) {
	for _, src := range []string{"", "# just a comment\n", "---\n"} {
		cfg, err := Parse("e.yml", []byte(src))
		if err != nil || len(cfg.BackupRoutines) != 0 {
			t.Errorf("Parse(%q) = %v, %v", src, cfg, err)
		}
	}
	// Several validation problems are all reported, sorted by line.
	src := "backup-policies:\n  p:\n    parallel: 0\n    bandwidth: 0\n"
	_, err := Parse("m.yml", []byte(src))
	es := AsErrors(err)
	if len(es) != 2 || es[0].Line != 3 || es[1].Line != 4 {
		t.Fatalf("errors = %v", err)
	}
	want := "m.yml:3: backup-policies.p.parallel: must be between 1 and 1024, got 0\nm.yml:4: backup-policies.p.bandwidth: must be at least 1, got 0"
	if err.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", err, want)
	}
}

func TestLocate(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv(EnvConfig, "")
	if _, err := Locate(""); !errors.Is(err, ErrNoConfig) {
		t.Fatalf("no file: err = %v, want ErrNoConfig", err)
	}
	if _, err := Locate("missing.yml"); err == nil || errors.Is(err, ErrNoConfig) || !errors.As(err, new(*FileError)) {
		t.Fatalf("missing flag file: err = %v", err)
	}
	os.WriteFile(DefaultFile, []byte("{}\n"), 0o600)
	os.WriteFile("env.yml", []byte("{}\n"), 0o600)
	os.WriteFile("flag.yml", []byte("{}\n"), 0o600)
	if p, err := Locate(""); err != nil || p != DefaultFile {
		t.Fatalf("default: %q %v", p, err)
	}
	t.Setenv(EnvConfig, "env.yml")
	if p, err := Locate(""); err != nil || p != "env.yml" {
		t.Fatalf("env: %q %v", p, err)
	}
	if p, err := Locate("flag.yml"); err != nil || p != "flag.yml" {
		t.Fatalf("flag over env: %q %v", p, err)
	}
	t.Setenv(EnvConfig, "gone.yml")
	if _, err := Locate(""); err == nil || !strings.Contains(err.Error(), "$AEROBACKUP_CONFIG") {
		t.Fatalf("missing env file: %v", err)
	}
}

// FuzzParse: Parse never panics, and every failure is an Errors.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/config/*.yml")
	bad, _ := filepath.Glob("../../testdata/config/bad/*.yml")
	for _, p := range append(files, bad...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("storage:\n  x:\n    <<: [*y]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		type result struct {
			cfg *Config
			err error
		}
		done := make(chan result, 1)
		go func() { c, e := Parse("f.yml", data); done <- result{c, e} }()
		var cfg *Config
		var err error
		select {
		case r := <-done:
			cfg, err = r.cfg, r.err
		case <-time.After(3 * time.Second):
			t.Fatalf("Parse did not finish in 3s on %q", data)
		}
		if err != nil {
			if AsErrors(err) == nil {
				t.Fatalf("not a config.Errors: %v", err)
			}
			return
		}
		for _, name := range cfg.RoutineNames() {
			r := cfg.BackupRoutines[name]
			if r.Cluster() == nil || r.Storage() == nil {
				t.Fatalf("accepted routine %s with dangling references", name)
			}
		}
	})
}

func TestMergeBombStops(t *testing.T) {
	src := "backup-policies:\n  p: &p\n    <<: [*p, *p, *p, *p, *p, *p, *p, *p]\n"
	done := make(chan error, 1)
	go func() { _, err := Parse("m.yml", []byte(src)); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "m.yml:3: backup-policies.p: merge keys nest too deeply") {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Parse does not terminate on self-referencing merge keys")
	}
}
