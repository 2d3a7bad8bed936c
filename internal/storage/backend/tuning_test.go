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
