package routine

import (
	"time"

	"github.com/aerobackup/aerobackup/internal/cluster"
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
