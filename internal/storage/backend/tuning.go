package backend

import (
	"fmt"

	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// Validate refuses a provider's values no SDK accepts; messages name the
// command line's settings (--s3-…, --gcp-…, --azure-…).
func (t Tuning) Validate() error {
	for _, p := range []struct {
		name string
		t    storage.Tuning
	}{{"--s3", t.S3}, {"--gcp", t.GCS}, {"--azure", t.Azure}} {
		if err := p.t.Validate(p.name); err != nil {
			return err
		}
	}
	return nil
}

// Upload is how a backup writes its files, each setting for one kind of
// storage (absctl's --s3-upload-concurrency, --azure-upload-concurrency and
// --local-buffer-size); zero keeps backup-go's default.
type Upload struct {
	S3Concurrency    int // parts of one S3 file uploaded at once
	AzureConcurrency int // blocks of one Azure file uploaded at once
	LocalBufferMiB   int // write buffer of each local file
}

// Validate refuses negative values.
func (u Upload) Validate() error {
	switch {
	case u.S3Concurrency < 0:
		return fmt.Errorf("--s3-upload-concurrency must not be negative, got %d", u.S3Concurrency)
	case u.AzureConcurrency < 0:
		return fmt.Errorf("--azure-upload-concurrency must not be negative, got %d", u.AzureConcurrency)
	case u.LocalBufferMiB < 0:
		return fmt.Errorf("--local-buffer-size must not be negative, got %d", u.LocalBufferMiB)
	}
	return nil
}

// Apply sets wo's concurrency or chunk size from the setting for s's kind
// (s nil: none applies). It returns the settings given for another kind,
// which do not apply.
func (u Upload) Apply(s *config.Storage, wo *storage.WriterOptions) (ignored []string) {
	kind := ""
	if s != nil {
		kind = s.Kind()
	}
	use := func(name string, v int, want string, apply func()) {
		switch {
		case v == 0:
		case kind == want:
			apply()
		default:
			ignored = append(ignored, name)
		}
	}
	use("--s3-upload-concurrency", u.S3Concurrency, config.KindS3, func() { wo.Concurrency = u.S3Concurrency })
	use("--azure-upload-concurrency", u.AzureConcurrency, config.KindAzure, func() { wo.Concurrency = u.AzureConcurrency })
	use("--local-buffer-size", u.LocalBufferMiB, config.KindLocal, func() { wo.ChunkSize = u.LocalBufferMiB << 20 })
	return ignored
}
