package azurestore

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/storagetest"
)

// The tuning reaches the Azure client: --azure-retry-max-attempts counts
// retries after the first try (absctl's mapping), and the request timeout
// cuts a slow answer short.
func TestTuningRetriesAndTimeout(t *testing.T) {
	fast := time.Millisecond
	tests := []struct {
		name     string
		tuning   storage.Tuning
		delay    time.Duration
		requests int
	}{
		{name: "default retries, quick delays", tuning: storage.Tuning{InitialBackoff: fast, MaxBackoff: fast}, requests: 4},
		{name: "--azure-retry-max-attempts 1", tuning: storage.Tuning{MaxAttempts: 1, InitialBackoff: fast}, requests: 2},
		{name: "--azure-request-timeout 200ms --azure-max-conns-per-host 2",
			tuning: storage.Tuning{MaxAttempts: 1, InitialBackoff: fast, RequestTimeout: 200 * time.Millisecond, MaxConnsPerHost: 2},
			delay:  10 * time.Second, requests: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := storagetest.NewFailingServer(t, http.StatusServiceUnavailable, tt.delay)
			start := time.Now()
			_, err := New(context.Background(), Options{Endpoint: srv.URL + "/devstoreaccount1", ContainerName: "c", Tuning: tt.tuning})
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

func TestClientOptions(t *testing.T) {
	o := clientOptions(storage.Tuning{})
	if o.Retry.MaxRetries != 3 || o.Retry.RetryDelay != 500*time.Millisecond || o.Retry.MaxRetryDelay != 4*time.Second || o.Transport != nil {
		t.Errorf("defaults: %+v", o)
	}
	o = clientOptions(storage.Tuning{MaxAttempts: 9, InitialBackoff: time.Second, MaxBackoff: time.Minute, RequestTimeout: time.Hour})
	if o.Retry.MaxRetries != 9 || o.Retry.RetryDelay != time.Second || o.Retry.MaxRetryDelay != time.Minute {
		t.Errorf("retry: %+v", o.Retry)
	}
	if hc, ok := o.Transport.(*http.Client); !ok || hc.Timeout != time.Hour {
		t.Errorf("transport: %#v", o.Transport)
	}
}
