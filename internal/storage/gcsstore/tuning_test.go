package gcsstore

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/storagetest"
)

// The tuning reaches the GCS client: attempts and backoff against a server
// that always answers 503, and the request timeout against a slow one.
func TestTuningRetriesAndTimeout(t *testing.T) {
	fast := time.Millisecond
	tests := []struct {
		name     string
		tuning   storage.Tuning
		delay    time.Duration
		requests int
	}{
		{name: "default attempts, quick backoff", tuning: storage.Tuning{InitialBackoff: fast, MaxBackoff: fast}, requests: maxAttempts},
		{name: "--gcp-retry-max-attempts 2", tuning: storage.Tuning{MaxAttempts: 2, InitialBackoff: fast, BackoffMultiplier: 1.5}, requests: 2},
		{name: "--gcp-request-timeout 200ms --gcp-max-conns-per-host 2",
			tuning: storage.Tuning{MaxAttempts: 1, RequestTimeout: 200 * time.Millisecond, MaxConnsPerHost: 2},
			delay:  10 * time.Second, requests: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := storagetest.NewFailingServer(t, http.StatusServiceUnavailable, tt.delay)
			start := time.Now()
			_, err := New(context.Background(), Options{BucketName: "b", Endpoint: srv.URL + "/storage/v1/", Tuning: tt.tuning})
			if err == nil {
				t.Fatal("New succeeded against a failing server")
			}
			if got := srv.Requests(); got != tt.requests {
				t.Errorf("%d requests, want %d (%v)", got, tt.requests, err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

// With a client of our own (timeout or connection cap), the key file still
// authenticates: a missing one is still reported as such.
func TestTunedClientKeepsCredentials(t *testing.T) {
	_, err := New(context.Background(), Options{BucketName: "b", KeyFilePath: filepath.Join(t.TempDir(), "missing.json"),
		Tuning: storage.Tuning{RequestTimeout: time.Minute}})
	if err == nil || !strings.HasPrefix(err.Error(), `gcs "b": cannot load credentials`) {
		t.Errorf("missing key file with a tuned client: %v", err)
	}
}
