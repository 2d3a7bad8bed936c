package storage

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aerospike/backup-go/io/storage/options"
	"github.com/aerospike/backup-go/models"
)

func TestTuning(t *testing.T) {
	if (Tuning{}).HTTPClient() != nil || (Tuning{}).ReaderOpts() != nil {
		t.Error("an empty tuning must keep the SDKs' own client and backup-go's read retries")
	}
	hc := Tuning{RequestTimeout: 3 * time.Second, MaxConnsPerHost: 7}.HTTPClient()
	if hc == nil || hc.Timeout != 3*time.Second || hc.Transport.(*http.Transport).MaxConnsPerHost != 7 {
		t.Errorf("http client: %+v", hc)
	}
	rp := models.NewRetryPolicy(2*time.Second, 3, 4)
	var o options.Options
	for _, opt := range (Tuning{ReadRetry: rp}).ReaderOpts() {
		opt(&o)
	}
	if o.RetryPolicy != rp {
		t.Errorf("reader retry policy: %+v", o.RetryPolicy)
	}
	for _, c := range []struct {
		t    Tuning
		want string
	}{
		{Tuning{MaxAttempts: -1}, "--x-retry-max-attempts must not be negative"},
		{Tuning{RequestTimeout: -time.Second}, "must not be negative"},
		{Tuning{BackoffMultiplier: 0.5}, "--x-retry-backoff-multiplier must be at least 1"},
		{Tuning{MaxConnsPerHost: -2}, "--x-max-conns-per-host must not be negative"},
		{Tuning{ReadRetry: models.NewRetryPolicy(time.Second, 0.5, 3)}, "--x-retry-read-multiplier must be at least 1, got 0.5"},
		{Tuning{ReadRetry: models.NewRetryPolicy(-time.Second, 1, 3)}, "--x-retry-read-backoff must not be negative"},
	} {
		if err := c.t.Validate("--x"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%+v) = %v, want %q", c.t, err, c.want)
		}
	}
	if err := (Tuning{MaxAttempts: 1, BackoffMultiplier: 1, ReadRetry: models.NewRetryPolicy(0, 1, 0)}).Validate("--x"); err != nil {
		t.Errorf("valid tuning refused: %v", err)
	}
}
