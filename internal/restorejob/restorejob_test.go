package restorejob

import (
	"context"
	"strings"
	"testing"

	"github.com/aerospike/backup-go"

	"github.com/aerobackup/aerobackup/internal/logging"
)

// A step's own configuration: mapped only when the namespace changes and
// something is written, decoded as its files were written, and the step's
// base configuration never changed.
func TestStepConfig(t *testing.T) {
	base := backup.NewDefaultRestoreConfig()
	validate := backup.NewDefaultRestoreConfig()
	validate.ValidateOnly = true
	tests := []struct {
		name                  string
		step                  Step
		key                   string
		mapped                bool
		compressed, encrypted bool
		err                   string
	}{
		{name: "same namespace", step: Step{Source: "test", Compression: "NONE", Encryption: "none"}},
		{name: "no destination means the source", step: Step{Source: "test"}},
		{name: "mapped", step: Step{Source: "test", Destination: "bar"}, mapped: true},
		{name: "a validation maps nothing", step: Step{Source: "test", Destination: "bar", Config: validate}},
		{name: "compressed", step: Step{Source: "test", Compression: "zstd"}, compressed: true},
		{name: "encrypted with its key", step: Step{Source: "test", Encryption: "aes256"}, key: "/k.pem", encrypted: true},
		{name: "encrypted without a key", step: Step{Source: "test", Encryption: "AES256"},
			err: "the backup is encrypted (AES256): give the key with --encryption-key-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.step.Config == nil {
				tt.step.Config = base
			}
			j := &Job{KeyFile: tt.key}
			cfg, err := j.stepConfig(tt.step, tt.step.destination())
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Namespace != nil; got != tt.mapped {
				t.Errorf("mapped = %v, want %v", got, tt.mapped)
			} else if got && (*cfg.Namespace.Source != "test" || *cfg.Namespace.Destination != "bar") {
				t.Errorf("mapping %s -> %s", *cfg.Namespace.Source, *cfg.Namespace.Destination)
			}
			if got := cfg.CompressionPolicy != nil; got != tt.compressed || tt.step.Compressed() != tt.compressed {
				t.Errorf("compression policy %+v, Compressed() %v, want %v", cfg.CompressionPolicy, tt.step.Compressed(), tt.compressed)
			} else if got && cfg.CompressionPolicy.Mode != "ZSTD" {
				t.Errorf("compression mode %q", cfg.CompressionPolicy.Mode)
			}
			if got := cfg.EncryptionPolicy != nil; got != tt.encrypted || tt.step.Encrypted() != tt.encrypted {
				t.Errorf("encryption policy %+v, Encrypted() %v, want %v", cfg.EncryptionPolicy, tt.step.Encrypted(), tt.encrypted)
			} else if got && (cfg.EncryptionPolicy.Mode != "AES256" || *cfg.EncryptionPolicy.KeyFile != tt.key) {
				t.Errorf("encryption policy %s key %s", cfg.EncryptionPolicy.Mode, *cfg.EncryptionPolicy.KeyFile)
			}
			if !cfg.MetricsEnabled {
				t.Error("the step's statistics are not enabled")
			}
			if tt.step.Config.Namespace != nil || tt.step.Config.CompressionPolicy != nil || tt.step.Config.EncryptionPolicy != nil {
				t.Error("the base configuration was changed")
			}
		})
	}
}

// A writing step without a cluster fails naming the step, before any file
// is read.
func TestStepWithoutCluster(t *testing.T) {
	j := &Job{Log: logging.Discard()}
	res, err := j.restoreStep(context.Background(), Step{Label: "r/backup/1", Source: "test", Destination: "bar",
		Config: backup.NewDefaultRestoreConfig()}, nil)
	if err == nil || err.Error() != "r/backup/1: no destination cluster" {
		t.Fatalf("err = %v", err)
	}
	if res.Error != err.Error() || res.Destination != "bar" || res.Source != "test" {
		t.Errorf("result %+v", res)
	}
}

// A job's writes in flight: each step's batch writers (or, without batch
// writes, its parallel writers), summed over chains that run together.
func TestConcurrency(t *testing.T) {
	cfg := func(batches, parallel int, noBatch bool) *backup.ConfigRestore {
		c := backup.NewDefaultRestoreConfig()
		c.MaxAsyncBatches, c.Parallel, c.DisableBatchWrites = batches, parallel, noBatch
		return c
	}
	two := []Chain{
		{Steps: []Step{{Config: cfg(16, 4, false)}, {Config: cfg(8, 4, false)}}},
		{Steps: []Step{{Config: cfg(32, 6, true)}}},
	}
	for _, tt := range []struct {
		name     string
		chains   []Chain
		parallel bool
		want     int
	}{
		{"one step", []Chain{{Steps: []Step{{Config: cfg(16, 4, false)}}}}, false, 16},
		{"without batch writes", []Chain{{Steps: []Step{{Config: cfg(16, 4, true)}}}}, false, 4},
		{"chains together", two, true, 16 + 6},
		{"chains in turn", two, false, 16},
		{"no steps", nil, true, 0},
	} {
		j := &Job{Chains: tt.chains, Parallel: tt.parallel}
		if got := j.Concurrency(); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}
