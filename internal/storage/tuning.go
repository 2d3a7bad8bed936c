package storage

import (
	"fmt"
	"net/http"
	"time"

	"github.com/aerospike/backup-go/io/storage/options"
	"github.com/aerospike/backup-go/models"
)

// Tuning adjusts a cloud store's SDK client the way absctl's --s3-*,
// --gcp-* and --azure-* retry, timeout and connection flags do. Zero values
// keep the store's defaults; each store documents which fields it reads.
type Tuning struct {
	// MaxAttempts bounds the SDK's retries of one request: attempts in
	// all (S3, GCS), or retries after the first attempt (Azure, as absctl
	// maps --azure-retry-max-attempts).
	MaxAttempts int
	// InitialBackoff is the first pause before a retry (GCS; Azure's
	// retry delay).
	InitialBackoff time.Duration
	// MaxBackoff caps the pause between retries.
	MaxBackoff time.Duration
	// BackoffMultiplier grows the pause after each retry (GCS).
	BackoffMultiplier float64
	// RequestTimeout bounds one HTTP request, the body's transfer
	// included (0: no limit).
	RequestTimeout time.Duration
	// MaxConnsPerHost caps the connections to the service (GCS, Azure;
	// S3 has its max-async-connections setting).
	MaxConnsPerHost int
	// ReadRetry is backup-go's retry of a failed read of a backup file in
	// a restore: it resumes from the last byte read (nil: backup-go's
	// default, three retries from one second, doubling).
	ReadRetry *models.RetryPolicy
}

// Validate refuses values no SDK accepts; name prefixes the messages
// (e.g. "--s3").
func (t Tuning) Validate(name string) error {
	switch {
	case t.MaxAttempts < 0:
		return fmt.Errorf("%s-retry-max-attempts must not be negative, got %d", name, t.MaxAttempts)
	case t.InitialBackoff < 0, t.MaxBackoff < 0, t.RequestTimeout < 0:
		return fmt.Errorf("%s retry pauses and request timeout must not be negative", name)
	case t.BackoffMultiplier != 0 && t.BackoffMultiplier < 1:
		return fmt.Errorf("%s-retry-backoff-multiplier must be at least 1, got %g", name, t.BackoffMultiplier)
	case t.MaxConnsPerHost < 0:
		return fmt.Errorf("%s-max-conns-per-host must not be negative, got %d", name, t.MaxConnsPerHost)
	}
	// backup-go's own message says "greater than 0" for a multiplier
	// below 1: name the flags instead.
	switch r := t.ReadRetry; {
	case r == nil:
	case r.BaseTimeout < 0:
		return fmt.Errorf("%s-retry-read-backoff must not be negative, got %s", name, r.BaseTimeout)
	case r.Multiplier < 1:
		return fmt.Errorf("%s-retry-read-multiplier must be at least 1, got %g", name, r.Multiplier)
	}
	return nil
}

// ReaderOpts returns the backup-go reader options the tuning adds.
func (t Tuning) ReaderOpts() []options.Opt {
	if t.ReadRetry == nil {
		return nil
	}
	return []options.Opt{options.WithRetryPolicy(t.ReadRetry)}
}

// HTTPClient returns an HTTP client with the tuning's request timeout and
// connection cap over a copy of Go's default transport, or nil when the
// tuning sets neither (the SDK then keeps its own client).
func (t Tuning) HTTPClient() *http.Client {
	if t.RequestTimeout == 0 && t.MaxConnsPerHost == 0 {
		return nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxConnsPerHost = t.MaxConnsPerHost
	return &http.Client{Transport: tr, Timeout: t.RequestTimeout}
}
