package catalog

import (
	"context"
	"slices"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// windowBatch is how many runs Window reads at a time, newest first: one
// round of the read pool, so a routine whose newest full is a day of
// hourly incrementals back is read in two rounds.
const windowBatch = 2 * listConcurrency

// Window is the newest part of a routine's catalog: every run is known by
// its folder name, but metadata is read newest first and only as far back
// as a run needs (ReadBack). A backup needs the newest complete backup
// (for a resumable run to continue) and, for an incremental, each
// namespace's newest full and what followed it; that is a few runs however
// long the history kept.
type Window struct {
	store  storage.Store
	onlyNS string
	runs   []Key // oldest first
	unread int   // runs[:unread] are not read yet
	l      Listing
}

// OpenWindow lists the filter's runs by name and reads none.
func OpenWindow(ctx context.Context, store storage.Store, f Filter) (*Window, error) {
	runs, unnamed, err := ListRuns(ctx, store, f)
	if err != nil {
		return nil, err
	}
	return &Window{store: store, onlyNS: f.Namespace, runs: runs, unread: len(runs),
		l: Listing{Incomplete: unnamed}}, nil
}

// Listing is what has been read: the runs after the window's start.
func (w *Window) Listing() Listing { return w.l }

// Unread is how many older runs have not been read.
func (w *Window) Unread() int { return w.unread }

// Start is the time of the oldest run read; zero when none is read, or
// when every run is (the window is the whole catalog).
func (w *Window) Start() time.Time {
	if w.unread == 0 || w.unread == len(w.runs) {
		return time.Time{}
	}
	return w.runs[w.unread].Time
}

// ReadBack reads older runs, a batch at a time, until enough says the
// listing read so far suffices or every run is read.
func (w *Window) ReadBack(ctx context.Context, enough func(Listing) bool) error {
	for w.unread > 0 && !enough(w.l) {
		from := max(0, w.unread-windowBatch)
		got, err := ReadRuns(ctx, w.store, w.runs[from:w.unread], w.onlyNS)
		if err != nil {
			return err
		}
		w.unread = from
		w.l.Backups = append(got.Backups, w.l.Backups...) // got's runs are all older
		SortBackups(w.l.Backups)
		w.l.Incomplete = append(w.l.Incomplete, got.Incomplete...)
		sortIncomplete(w.l.Incomplete)
	}
	return nil
}

// HasBackup is enough for a full backup: a complete backup of any type,
// newer than which a resumable run is continued (FindResumable).
func HasBackup(l Listing) bool { return len(l.Backups) > 0 }

// HasBases is enough for an incremental of the namespaces nss: each has a
// full to build on among the backups started before before (zero: any),
// and with it every backup after it. Without namespaces (the routine
// names none, the cluster will), every namespace seen so far needs one,
// and at least one full must be read.
func HasBases(nss []string, before time.Time) func(Listing) bool {
	return func(l Listing) bool {
		bs := l.Backups
		if !before.IsZero() {
			bs = slices.DeleteFunc(slices.Clone(bs), func(b Backup) bool { return !b.Time.Before(before) })
		}
		want := nss
		if len(want) == 0 {
			seen := map[string]bool{}
			for _, b := range bs {
				for _, n := range b.Namespaces {
					if !seen[n.Namespace] {
						seen[n.Namespace] = true
						want = append(want, n.Namespace)
					}
				}
			}
			if !slices.ContainsFunc(bs, func(b Backup) bool { return b.Type == Full }) {
				return false
			}
		}
		for _, ns := range want {
			if _, ok := CumulativeBase(bs, ns); !ok {
				return false
			}
		}
		return true
	}
}
