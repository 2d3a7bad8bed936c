package restoresource

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aerospike/backup-go"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/records"
)

// Ask is what the flags restore and restore-at-timestamp share ask, as
// they were given. Every refusal of it is a plan.RefusedError, which
// outcome classes as a usage error: nothing has been read yet.
type Ask struct {
	// Namespaces are named with --namespace; NamespaceMap holds
	// --namespace-map's SRC=DST pairs.
	Namespaces, NamespaceMap []string
	Options                  policy.RestoreOptions
	// Records is what --key, --digest and --keys-file select.
	Records records.Spec
}

// Shared is an Ask read: the namespace map, the restore's configuration
// and the records selected (nil: whole backups).
type Shared struct {
	Map  map[string]string
	Base *backup.ConfigRestore
	Only *records.Selection
}

// Read checks a and reads it, in the order its errors are reported.
func (a Ask) Read() (Shared, error) {
	var s Shared
	var err error
	if s.Map, err = plan.ParseNamespaceMap(a.NamespaceMap); err != nil {
		return s, refused(err)
	}
	if s.Base, err = policy.NewRestore(a.Options); err != nil {
		return s, err
	}
	if !a.Records.Empty() {
		if s.Only, err = records.Select(a.Records); err != nil {
			return s, refused(err)
		}
	}
	if s.Only != nil && a.Options.ValidateOnly {
		return s, refusef("--validate checks whole backups: it takes no --key, --digest or --keys-file")
	}
	return s, nil
}

// RestoreAsk is what restore's flags ask: the shared ones, and either
// --backup KEY or --path (a folder, or "-" for standard input) with the
// --compress and --encrypt of files no metadata.yaml describes.
type RestoreAsk struct {
	Ask
	Backup, Path, Compress, Encrypt string
}

// Request reads a into what the restore planner is asked, and the records
// it selects. A relative --path is made absolute.
func (a RestoreAsk) Request() (plan.RestoreRequest, *records.Selection, error) {
	s, err := a.Read()
	if err != nil {
		return plan.RestoreRequest{}, nil, err
	}
	if s.Only != nil {
		if a.Path == "-" {
			return plan.RestoreRequest{}, nil, refusef("--key, --digest and --keys-file read a stored backup: not --path - (standard input)")
		}
		s.Base = plan.RecordWrite(s.Base)
	}
	req := plan.RestoreRequest{Path: a.Path, Namespaces: a.Namespaces, Map: s.Map,
		Compress: a.Compress, Encrypt: a.Encrypt, Base: s.Base}
	switch {
	case a.Path == "-":
	case a.Path != "":
		if !filepath.IsAbs(a.Path) {
			if req.Path, err = filepath.Abs(a.Path); err != nil {
				return req, nil, refusef("--path %q: %v", a.Path, err)
			}
		}
	default:
		if req.Key, err = catalog.ParseKey(a.Backup); err != nil {
			return req, nil, refusef("--backup %q: %v (take a key from 'aerobackup list')", a.Backup, err)
		}
	}
	return req, s.Only, nil
}

// PointInTimeAsk is what restore-at-timestamp's flags ask: the shared
// ones, --time and --disable-reordering.
type PointInTimeAsk struct {
	Ask
	At                string
	DisableReordering bool
}

// Request reads a into what the point-in-time planner is asked (--time
// read against now), and the records it selects. The caller names the
// routine (Routine, RoutineNamespaces) once it is resolved.
func (a PointInTimeAsk) Request(now time.Time) (plan.PointInTimeRequest, *records.Selection, error) {
	at, err := plan.FlagTime("time", a.At, now)
	if err != nil {
		return plan.PointInTimeRequest{}, nil, refused(err)
	}
	req := plan.PointInTimeRequest{At: at, Namespaces: a.Namespaces, Validate: a.Options.ValidateOnly,
		DisableReordering: a.DisableReordering, Unique: a.Options.Unique, SupersededMiB: a.Options.SupersededMiB}
	if err := req.CheckOrder(); err != nil {
		return plan.PointInTimeRequest{}, nil, refused(err)
	}
	s, err := a.Read()
	if err != nil {
		return plan.PointInTimeRequest{}, nil, err
	}
	req.Map, req.Base, req.Records = s.Map, s.Base, s.Only != nil
	return req, s.Only, nil
}

// checkFolder refuses a --path that is no folder ("-", the stream on
// standard input, is none to check).
func checkFolder(path string) error {
	if path == "-" {
		return nil
	}
	if st, err := os.Stat(path); err != nil || !st.IsDir() {
		return refusef("--path %q: not a folder", path)
	}
	return nil
}

func refused(err error) error { return &plan.RefusedError{Err: err} }

func refusef(format string, args ...any) error { return refused(fmt.Errorf(format, args...)) }
