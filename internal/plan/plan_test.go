package plan

import (
	"errors"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
)

// The listings here are built by hand: the planners read nothing else.

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

// run is a complete backup of routine r at millis at, of namespaces ns;
// from zero makes a full.
func run(typ catalog.Type, at int64, from int64, ns ...string) catalog.Backup {
	key := catalog.RunDir("r", typ, ms(at))
	b := catalog.Backup{Routine: "r", Type: typ, Time: ms(at), Key: key}
	for _, n := range ns {
		md := catalog.Metadata{Created: ms(at), Finished: ms(at + 10), Namespace: n}
		if from != 0 {
			md.From = ms(from)
		}
		b.Namespaces = append(b.Namespaces, catalog.NamespaceBackup{Namespace: n, Dir: catalog.NamespaceDir(key, n), Metadata: md})
	}
	return b
}

func full(at int64, ns ...string) catalog.Backup { return run(catalog.Full, at, 0, ns...) }
func incr(at, from int64, ns ...string) catalog.Backup {
	return run(catalog.Incremental, at, from, ns...)
}

// interrupted is an interrupted resumable run of routine r.
func interrupted(typ catalog.Type, at int64, status catalog.ResumeStatus, ns ...string) catalog.Incomplete {
	key := catalog.RunDir("r", typ, ms(at))
	m := &catalog.ResumeMarker{Routine: "r", Type: typ, Created: ms(at), Compression: "ZSTD", Encryption: "NONE",
		Selection: "sel-1", Status: status, Attempts: 1}
	for _, n := range ns {
		m.Namespaces = append(m.Namespaces, catalog.ResumeNamespace{Name: n})
	}
	return catalog.Incomplete{Routine: "r", Type: typ, Time: ms(at), Path: key, Run: key,
		Reason: catalog.ResumableReason, Resume: m}
}

func listing(bs []catalog.Backup, inc ...catalog.Incomplete) catalog.Listing {
	return catalog.Listing{Backups: bs, Incomplete: inc}
}

// exitOf names an error's class for the tables: "", "usage" or "skip"
// (outcome classes the refusal as usage, nothing to do as a skip).
func exitOf(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.As(err, new(*NothingToDoError)):
		return "skip"
	case errors.As(err, new(*RefusedError)):
		return "usage"
	}
	return "error"
}

func ptr[T any](v T) *T { return &v }
