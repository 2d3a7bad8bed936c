package catalog

import (
	"context"
	"fmt"
	"path"
	"time"

	"github.com/aerobackup/aerobackup/internal/checksum"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// A resumable run (backup --resumable) keeps what it wrote when it is
// interrupted or fails, so that a later run can continue it in the same
// folder. Until every namespace is done it carries no metadata.yaml at
// all: it never lists as a backup, is never restored and never serves as
// an incremental base. Its own files, which ABS ignores:
//
//	<run>/aerobackup-resume.yaml                  the run's ResumeMarker
//	<run>/data/<ns>/aerobackup.state              backup-go's state (scan position)
//	<run>/data/<ns>/aerobackup.state.base         the state a continuation started from
//	<run>/data/<ns>/aerobackup-partial.yaml       the data files kept so far (Partial)
//	<run>/data/<ns>/metadata.yaml.pending         a finished namespace's metadata
//
// When the last namespace finishes, each metadata.yaml.pending becomes
// metadata.yaml and the marker is deleted.
const (
	ResumeFile          = "aerobackup-resume.yaml"
	StateFile           = "aerobackup.state"
	StateBaseFile       = "aerobackup.state.base"
	PartialFile         = "aerobackup-partial.yaml"
	PendingMetadataFile = "metadata.yaml.pending"
)

// ResumeStatus says what the run was doing when the marker was written.
type ResumeStatus string

const (
	// ResumeRunning: a run is writing (or was killed without a chance to
	// say so).
	ResumeRunning ResumeStatus = "running"
	// ResumeInterrupted: the run stopped (signal or failure) and said so.
	ResumeInterrupted ResumeStatus = "interrupted"
)

// ResumableReason is the Incomplete.Reason of a resumable run's folders.
const ResumableReason = "interrupted; resumable with backup --resume"

// ResumeMarker is a resumable run's aerobackup-resume.yaml: what a
// continuation must reproduce so that both attempts make one backup.
type ResumeMarker struct {
	Routine    string            `yaml:"routine"`
	Type       Type              `yaml:"type"`
	Created    time.Time         `yaml:"created"`
	Until      time.Time         `yaml:"until,omitempty"`
	Namespaces []ResumeNamespace `yaml:"namespaces"`
	// Compression and Encryption as metadata.yaml records them: every
	// attempt must write alike.
	Compression string `yaml:"compression"`
	Encryption  string `yaml:"encryption"`
	// Checksum is the algorithm of the run's manifest checksums, which a
	// continuation keeps so that one backup records one algorithm. Empty
	// in markers of versions that knew only SHA-256 (see ChecksumAlgorithm).
	Checksum string `yaml:"checksum,omitempty"`
	// Selection summarises the scan selection (sets, bins, filters); a
	// continuation with another selection would mix two backups.
	Selection string       `yaml:"selection,omitempty"`
	Status    ResumeStatus `yaml:"status"`
	Reason    string       `yaml:"reason,omitempty"`
	// Attempts counts the runs that wrote into the folder.
	Attempts int       `yaml:"attempts"`
	Host     string    `yaml:"host,omitempty"`
	PID      int       `yaml:"pid,omitempty"`
	Updated  time.Time `yaml:"updated"`
}

// ChecksumAlgorithm is the checksum algorithm the run was started with:
// SHA-256 for a marker that names none, as its writer recorded nothing
// else; an algorithm this version does not know is an error.
func (m *ResumeMarker) ChecksumAlgorithm() (checksum.Algorithm, error) {
	if m.Checksum == "" {
		return checksum.SHA256, nil
	}
	a, ok := checksum.Parse(m.Checksum)
	if !ok {
		return "", fmt.Errorf("the interrupted run records checksum %q; this version knows %s", m.Checksum, checksum.Choices())
	}
	return a, nil
}

// ResumeNamespace is one namespace of a resumable run.
type ResumeNamespace struct {
	Name string    `yaml:"name"`
	From time.Time `yaml:"from,omitempty"`
}

// NamespaceNames lists the marker's namespaces.
func (m *ResumeMarker) NamespaceNames() []string {
	out := make([]string, 0, len(m.Namespaces))
	for _, n := range m.Namespaces {
		out = append(out, n.Name)
	}
	return out
}

// ResumePath is the marker of a run folder.
func ResumePath(runDir string) string { return path.Join(runDir, ResumeFile) }

// WriteResumeMarker stores runDir's marker.
func WriteResumeMarker(ctx context.Context, store storage.Store, runDir string, m *ResumeMarker) error {
	return writeYAML(ctx, store, ResumePath(runDir), m)
}

// ReadResumeMarker reads runDir's marker; storage.ErrNotFound (wrapped)
// when the run is not resumable.
func ReadResumeMarker(ctx context.Context, store storage.Store, runDir string) (*ResumeMarker, error) {
	return readYAML[ResumeMarker](ctx, store, ResumePath(runDir))
}

// Partial is a resumable namespace folder's aerobackup-partial.yaml: the
// data files closed so far, rewritten as each one closes, so that after
// an interruption (even a kill) the files it lists are known whole.
type Partial struct {
	// Attempts counts the scans started into the folder; each one names
	// its files apart from the others'.
	Attempts int        `yaml:"attempts"`
	Files    []KeptFile `yaml:"files,omitempty"`
}

// KeptFile is one kept data file. Records is known once Counted: the
// records of a file written before an interruption are counted by reading
// it back when the run is continued.
type KeptFile struct {
	ManifestEntry `yaml:",inline"`
	Records       uint64 `yaml:"records,omitempty"`
	Counted       bool   `yaml:"counted,omitempty"`
}

// PartialPath is the Partial file of a namespace folder.
func PartialPath(nsDir string) string { return path.Join(nsDir, PartialFile) }

// WritePartial stores nsDir's Partial.
func WritePartial(ctx context.Context, store storage.Store, nsDir string, p *Partial) error {
	return writeYAML(ctx, store, PartialPath(nsDir), p)
}

// ReadPartial reads nsDir's Partial; storage.ErrNotFound (wrapped) when
// no scan has started there.
func ReadPartial(ctx context.Context, store storage.Store, nsDir string) (*Partial, error) {
	return readYAML[Partial](ctx, store, PartialPath(nsDir))
}

// PendingMetadataPath is where a resumable run keeps a finished
// namespace's metadata until the whole run is done.
func PendingMetadataPath(nsDir string) string { return path.Join(nsDir, PendingMetadataFile) }

// Resumable is a run that a backup can continue.
type Resumable struct {
	Key    string // run folder
	Marker *ResumeMarker
}

// FindResumable returns the run of routine and type typ that a backup
// would continue: the newest resumable run, provided it is newer than
// every complete backup of the routine (an older one is a leftover that
// retention prune removes). A run cut short while publishing lists as a
// backup of some namespaces; it stays resumable. ok is false when there
// is none.
func FindResumable(l Listing, routine string, typ Type) (Resumable, bool) {
	var best Resumable
	var bestTime time.Time
	for _, inc := range l.Incomplete {
		if inc.Routine != routine || inc.Type != typ || inc.Resume == nil {
			continue
		}
		if best.Marker != nil && !inc.Time.After(bestTime) {
			continue
		}
		newer := false
		for _, b := range l.Backups {
			if b.Routine == routine && b.Key != inc.Run && !b.Time.Before(inc.Time) {
				newer = true
				break
			}
		}
		if !newer {
			best, bestTime = Resumable{Key: inc.Run, Marker: inc.Resume}, inc.Time
		}
	}
	return best, best.Marker != nil
}
