package routine

import (
	"strings"
	"testing"
	"time"

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
