package routine

import (
	"log/slog"
	"time"

	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/backend"
)

// Tuning is how a run tunes the Aerospike client's info commands, the
// cloud SDKs and, on backup, the uploads (absctl's tuning settings), as
// plain values; zero keeps a default.
type Tuning struct {
	InfoTimeout, InfoInterval time.Duration
	InfoMultiplier            float64
	InfoMaxRetries            uint
	Storage                   backend.Tuning
	Upload                    backend.Upload
}

// Check refuses values the client or an SDK would misuse, before anything
// is contacted, and returns the info policy of the run's connections.
func (t Tuning) Check() (*cluster.Info, error) {
	info, err := cluster.NewInfo(t.InfoTimeout, t.InfoInterval, t.InfoMultiplier, t.InfoMaxRetries)
	if err != nil {
		return nil, err
	}
	if err := t.Storage.Validate(); err != nil {
		return nil, err
	}
	if err := t.Upload.Validate(); err != nil {
		return nil, err
	}
	return info, nil
}

// WriterOptions are the options of backup files written to s, with the
// upload concurrency or local buffer of s's kind; a flag for another kind
// is ignored with a warning.
func (t Tuning) WriterOptions(s *config.Storage, log *slog.Logger) storage.WriterOptions {
	wo := backend.WriterOptions(s)
	kind := ""
	if s != nil {
		kind = s.Kind()
	}
	for _, flag := range t.Upload.Apply(s, &wo) {
		log.Warn("flag ignored: it is for another kind of storage", "flag", flag, "storage", kind)
	}
	return wo
}
