package routine

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/backend"
)

func TestTuningCheck(t *testing.T) {
	ok := Tuning{InfoTimeout: 2 * time.Second, InfoInterval: time.Second, InfoMultiplier: 1, InfoMaxRetries: 3}
	info, err := ok.Check()
	if err != nil || info == nil || info.Timeout != 2*time.Second || info.Retry.MaxRetries != 3 {
		t.Fatalf("Check() = %+v, %v", info, err)
	}
	for _, c := range []struct {
		name   string
		change func(*Tuning)
		want   string
	}{
		{"info multiplier", func(t *Tuning) { t.InfoMultiplier = 0.5 }, "--info-retry-multiplier"},
		{"storage", func(t *Tuning) { t.Storage.GCS = storage.Tuning{BackoffMultiplier: 0.5} }, "--gcp"},
		{"upload", func(t *Tuning) { t.Upload = backend.Upload{LocalBufferMiB: -1} }, "--local-buffer-size must not be negative"},
	} {
		bad := ok
		c.change(&bad)
		if _, err := bad.Check(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want it to name %q", c.name, err, c.want)
		}
	}
}

func TestTuningWriterOptions(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	tune := Tuning{Upload: backend.Upload{S3Concurrency: 4, AzureConcurrency: 6, LocalBufferMiB: 8}}
	for _, c := range []struct {
		storage *config.Storage
		want    storage.WriterOptions
	}{
		{&config.Storage{S3: &config.S3Storage{}}, storage.WriterOptions{Concurrency: 4}},
		{&config.Storage{Azure: &config.AzureStorage{}}, storage.WriterOptions{Concurrency: 6}},
		{&config.Storage{Local: &config.LocalStorage{}}, storage.WriterOptions{ChunkSize: 8 << 20}},
		{&config.Storage{GCP: &config.GCPStorage{}}, storage.WriterOptions{}},
	} {
		wo := tune.WriterOptions(c.storage, log)
		if wo != c.want {
			t.Errorf("%s: %+v, want %+v", c.storage.Kind(), wo, c.want)
		}
	}
	if !strings.Contains(logs.String(), "flag=--s3-upload-concurrency storage=gcp-storage") {
		t.Errorf("a flag for another storage must be reported:\n%s", logs.String())
	}
}
