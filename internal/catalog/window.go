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

// Window is the newest part of a routine's catalog, read newest first
// and only as far back as a run needs (ReadBack). A backup needs the
// newest complete backup (for a resumable run to continue) and, for an
// incremental, each namespace's newest full and what followed it: a few
// runs however long the history kept.
//
// Run folders are named by their start in Unix milliseconds, so the names
// of the runs since a time sort at or after that time's name: the window
// lists those first (one request on S3 and GCS, whose listings start
// where asked), a day back from its clock, and lists further back,
// doubling the span, only when the runs listed are not enough. Folder
// names that are not 13 digits (before September 2001, or after 2286)
// come in only once the span reaches the beginning.
type Window struct {
	store storage.Store
	f     Filter
	now   time.Time
	// since is the oldest start listed; zero once every run is.
	since  time.Time
	listed bool
	// fullsOnly: the window holds full runs only (Need.Fulls), and
	// newerRead the incrementals that need.
	fullsOnly, newerRead bool
	runs                 []Key // listed, oldest first
	unread               int   // runs[:unread] are not read yet
	l                    Listing
}

// windowSpan is the first span listed; windowAll the span past which
// everything is.
const (
	windowSpan = 24 * time.Hour
	windowAll  = 20 * 365 * 24 * time.Hour
)

// Need is how much of a routine's catalog a run reads, newest first.
type Need struct {
	// Enough says when what is read suffices.
	Enough func(Listing) bool
	// Fulls lists and reads full runs alone, then the incrementals started
	// since the newest interrupted resumable full newer than every full
	// read, if there is one: all FindResumable needs for a full backup,
	// which need not list a routine's many incrementals at all.
	Fulls bool
}

// OpenWindow lists the filter's runs of the last day by name, as of now
// (full runs only, for a need of Fulls), and reads none.
func OpenWindow(ctx context.Context, store storage.Store, f Filter, now time.Time, need Need) (*Window, error) {
	w := &Window{store: store, f: f, now: now}
	if need.Fulls && f.Type == AnyType {
		w.f.Type, w.fullsOnly = Full, true
	}
	if err := w.list(ctx, now.Add(-windowSpan)); err != nil {
		return nil, err
	}
	return w, nil
}

// list lists the runs started since since (zero: all), keeping those
// already listed as they are.
func (w *Window) list(ctx context.Context, since time.Time) error {
	from := ""
	if !since.IsZero() {
		from = RunFolderName(since)
	}
	runs, unnamed, err := listRuns(ctx, w.store, w.f, from)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, k := range w.runs {
		known[k.Dir()] = true
	}
	var older []Key
	for _, k := range runs {
		// A run started since the first listing is no part of the window:
		// runs[:unread] must stay the oldest.
		if !known[k.Dir()] && (!w.listed || k.Time.Before(w.since)) {
			older = append(older, k)
		}
	}
	w.runs = append(older, w.runs...)
	w.unread += len(older)
	w.listed = true
	seen := map[string]bool{}
	for _, inc := range w.l.Incomplete {
		seen[inc.Path] = true
	}
	for _, inc := range unnamed {
		if !seen[inc.Path] {
			w.l.Incomplete = append(w.l.Incomplete, inc)
		}
	}
	sortIncomplete(w.l.Incomplete)
	w.since = since
	return nil
}

// Listing is what has been read: the newest runs.
func (w *Window) Listing() Listing { return w.l }

// Unread is how many runs listed have not been read.
func (w *Window) Unread() int { return w.unread }

// Since is the oldest start listed; zero when every run is listed.
func (w *Window) Since() time.Time { return w.since }

// ReadBack reads older runs, a batch at a time, listing further back
// when those listed are read, until need's Enough says the listing read
// so far suffices or every run is read. A window of full runs asked for
// a need of every type starts over with every type.
func (w *Window) ReadBack(ctx context.Context, need Need) error {
	if w.fullsOnly && !need.Fulls {
		f := w.f
		f.Type = AnyType
		fresh, err := OpenWindow(ctx, w.store, f, w.now, need)
		if err != nil {
			return err
		}
		*w = *fresh
	}
	if err := w.readBack(ctx, need.Enough); err != nil {
		return err
	}
	if w.fullsOnly && !w.newerRead {
		return w.readNewerIncrementals(ctx)
	}
	return nil
}

// readNewerIncrementals reads, for each routine with an interrupted
// resumable full newer than its fulls read, the incrementals started
// since it: a complete one leaves the interrupted full behind.
func (w *Window) readNewerIncrementals(ctx context.Context) error {
	routines := map[string]bool{}
	for _, inc := range w.l.Incomplete {
		routines[inc.Routine] = true
	}
	for r := range routines {
		cand, ok := FindResumable(w.l, r, Full)
		if !ok {
			continue
		}
		f := w.f
		f.Routines, f.Type = []string{r}, Incremental
		var since time.Time
		for _, inc := range w.l.Incomplete {
			if inc.Run == cand.Key && (since.IsZero() || inc.Time.Before(since)) {
				since = inc.Time
			}
		}
		runs, _, err := listRuns(ctx, w.store, f, RunFolderName(since))
		if err != nil {
			return err
		}
		got, err := ReadRuns(ctx, w.store, runs, f.Namespace)
		if err != nil {
			return err
		}
		w.l.Backups = append(w.l.Backups, got.Backups...)
		SortBackups(w.l.Backups)
		w.l.Incomplete = append(w.l.Incomplete, got.Incomplete...)
		sortIncomplete(w.l.Incomplete)
	}
	w.newerRead = true
	return nil
}

func (w *Window) readBack(ctx context.Context, enough func(Listing) bool) error {
	for !enough(w.l) {
		if w.unread == 0 {
			if w.since.IsZero() {
				return nil
			}
			span := 2 * w.now.Sub(w.since)
			since := w.now.Add(-span)
			if span > windowAll {
				since = time.Time{}
			}
			if err := w.list(ctx, since); err != nil {
				return err
			}
			continue
		}
		from := max(0, w.unread-windowBatch)
		got, err := ReadRuns(ctx, w.store, w.runs[from:w.unread], w.f.Namespace)
		if err != nil {
			return err
		}
		w.unread = from
		w.l.Backups = append(got.Backups, w.l.Backups...)
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
