package backend

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/storagetest"
)

// Each provider gets its own tuning, and only its own.
func TestOpenTunedPicksTheProvider(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "x")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "y")
	fast := time.Millisecond
	tune := Tuning{
		S3:    storage.Tuning{MaxAttempts: 2, MaxBackoff: fast},
		GCS:   storage.Tuning{MaxAttempts: 3, InitialBackoff: fast},
		Azure: storage.Tuning{MaxAttempts: 4, InitialBackoff: fast},
	}
	for name, c := range map[string]struct {
		storage  func(url string) *config.Storage
		requests int
	}{
		"s3": {func(u string) *config.Storage {
			return &config.Storage{S3: &config.S3Storage{Bucket: "b", S3Region: "us-east-1", S3EndpointOverride: ptr(u)}}
		}, 2},
		"gcs": {func(u string) *config.Storage {
			return &config.Storage{GCP: &config.GCPStorage{BucketName: "b", Endpoint: ptr(u + "/storage/v1/")}}
		}, 3},
		"azure": {func(u string) *config.Storage {
			return &config.Storage{Azure: &config.AzureStorage{Endpoint: u + "/acct", ContainerName: "c", AccountName: ptr("acct"), AccountKey: ptr("a2V5")}}
		}, 5}, // four retries after the first try
	} {
		t.Run(name, func(t *testing.T) {
			srv := storagetest.NewFailingServer(t, http.StatusServiceUnavailable, 0)
			s := c.storage(srv.URL)
			s.Name = name
			if _, err := OpenTuned(context.Background(), s, nil, nil, tune); err == nil {
				t.Fatal("OpenTuned succeeded against a failing server")
			}
			if got := srv.Requests(); got != c.requests {
				t.Errorf("%d requests, want %d", got, c.requests)
			}
		})
	}
}

func TestTuningValidate(t *testing.T) {
	if err := (Tuning{}).Validate(); err != nil {
		t.Errorf("zero tuning: %v", err)
	}
	for _, c := range []struct {
		tune Tuning
		want string
	}{
		{Tuning{S3: storage.Tuning{MaxAttempts: -1}}, "--s3-retry-max-attempts must not be negative, got -1"},
		{Tuning{GCS: storage.Tuning{BackoffMultiplier: 0.5}}, "--gcp-retry-backoff-multiplier must be at least 1, got 0.5"},
		{Tuning{Azure: storage.Tuning{MaxConnsPerHost: -2}}, "--azure-max-conns-per-host must not be negative, got -2"},
	} {
		if err := c.tune.Validate(); err == nil || err.Error() != c.want {
			t.Errorf("%+v: %v, want %q", c.tune, err, c.want)
		}
	}
}

func TestUpload(t *testing.T) {
	for _, c := range []struct {
		u    Upload
		want string
	}{
		{Upload{S3Concurrency: -1}, "--s3-upload-concurrency must not be negative, got -1"},
		{Upload{AzureConcurrency: -2}, "--azure-upload-concurrency must not be negative, got -2"},
		{Upload{LocalBufferMiB: -3}, "--local-buffer-size must not be negative, got -3"},
	} {
		if err := c.u.Validate(); err == nil || err.Error() != c.want {
			t.Errorf("%+v: %v, want %q", c.u, err, c.want)
		}
	}
	u := Upload{S3Concurrency: 4, AzureConcurrency: 6, LocalBufferMiB: 8}
	for _, c := range []struct {
		storage *config.Storage
		want    storage.WriterOptions
		ignored int
	}{
		{&config.Storage{S3: &config.S3Storage{}}, storage.WriterOptions{Concurrency: 4}, 2},
		{&config.Storage{Azure: &config.AzureStorage{}}, storage.WriterOptions{Concurrency: 6}, 2},
		{&config.Storage{Local: &config.LocalStorage{}}, storage.WriterOptions{ChunkSize: 8 << 20}, 2},
		{&config.Storage{GCP: &config.GCPStorage{}}, storage.WriterOptions{}, 3},
		{nil, storage.WriterOptions{}, 3},
	} {
		var wo storage.WriterOptions
		if ignored := u.Apply(c.storage, &wo); wo != c.want || len(ignored) != c.ignored {
			t.Errorf("%+v: %+v ignoring %v, want %+v ignoring %d", c.storage, wo, ignored, c.want, c.ignored)
		}
	}
	var wo storage.WriterOptions
	if ignored := (Upload{LocalBufferMiB: 1}).Apply(&config.Storage{S3: &config.S3Storage{}}, &wo); len(ignored) != 1 || ignored[0] != "--local-buffer-size" {
		t.Errorf("ignored %v", ignored)
	}
}
