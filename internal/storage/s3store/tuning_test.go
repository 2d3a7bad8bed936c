package s3store

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/storagetest"
)

// The tuning reaches the SDK client: a server that always answers 503
// sees exactly the attempts asked for, and a slow one is cut off after the
// request timeout. No emulator needed.
func TestTuningRetriesAndTimeout(t *testing.T) {
	tests := []struct {
		name     string
		tuning   storage.Tuning
		delay    time.Duration
		requests int
		within   time.Duration
	}{
		{name: "SDK default", requests: 3, within: 30 * time.Second},
		{name: "--s3-retry-max-attempts 1", tuning: storage.Tuning{MaxAttempts: 1}, requests: 1, within: 5 * time.Second},
		{name: "--s3-retry-max-attempts 5 --s3-retry-max-backoff 1ms",
			tuning: storage.Tuning{MaxAttempts: 5, MaxBackoff: time.Millisecond}, requests: 5, within: 5 * time.Second},
		{name: "--s3-request-timeout 200ms", tuning: storage.Tuning{MaxAttempts: 1, RequestTimeout: 200 * time.Millisecond},
			delay: 10 * time.Second, requests: 1, within: 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := storagetest.NewFailingServer(t, http.StatusServiceUnavailable, tt.delay)
			start := time.Now()
			_, err := New(context.Background(), Options{Bucket: "b", Region: "us-east-1", EndpointOverride: srv.URL,
				AccessKeyID: "k", SecretAccessKey: "s", Tuning: tt.tuning})
			if err == nil {
				t.Fatal("New succeeded against a failing server")
			}
			if got := srv.Requests(); got != tt.requests {
				t.Errorf("%d requests, want %d (%v)", got, tt.requests, err)
			}
			if d := time.Since(start); d > tt.within {
				t.Errorf("took %s, want under %s", d, tt.within)
			}
		})
	}
}

func TestRetryerOnlyWhenTuned(t *testing.T) {
	if retryer(storage.Tuning{RequestTimeout: time.Second}) != nil {
		t.Error("a tuning without retry settings must keep the SDK's retryer")
	}
	r := retryer(storage.Tuning{MaxAttempts: 7, MaxBackoff: 2 * time.Second})
	if r == nil || r().MaxAttempts() != 7 {
		t.Errorf("retryer: want 7 attempts")
	}
}
