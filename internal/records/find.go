package records

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// Version is one backup's copy of a selected record.
type Version struct {
	Backup    string       `json:"backup"`
	Time      time.Time    `json:"time"`
	Type      catalog.Type `json:"type"`
	Namespace string       `json:"namespace"`
	// Gone, when a later full backup of the namespace lacks the record
	// and no backup in between holds it: the record was deleted, or had
	// expired, before that full.
	Gone *Gone `json:"gone,omitempty"`
	// Record is the copy: generation, void time, bins.
	Record *models.Record `json:"-"`
}

// Gone is the first full backup after a version that lacks the record.
type Gone struct {
	Reason string    `json:"reason"` // "deleted" or "expired"
	Backup string    `json:"backup"`
	Time   time.Time `json:"time"`
}

// Found is every copy of one selected record, newest first.
type Found struct {
	Want     Want
	Versions []Version
}

// FindResult is what Find found and what it read to find it.
type FindResult struct {
	Records         []Found
	BackupsSearched int
	FilesRead       int
	FilesHeld       int
	BytesRead       int64
}

// Missing are the selected records no backup in the range holds.
func (r *FindResult) Missing() []Want {
	var out []Want
	for _, f := range r.Records {
		if len(f.Versions) == 0 {
			out = append(out, f.Want)
		}
	}
	return out
}

// MissingError says which selected records none of the backups of
// routine searched holds; nil when every one was found.
func (r *FindResult) MissingError(routine string) error {
	missing := r.Missing()
	if len(missing) == 0 {
		return nil
	}
	names := make([]string, 0, len(missing))
	for _, w := range missing {
		names = append(names, w.Label)
	}
	return fmt.Errorf("not found: %s is in none of the %d backups of routine %q searched", strings.Join(names, ", "), r.BackupsSearched, routine)
}

// FindOptions bound a search.
type FindOptions struct {
	// Namespaces to search (none: every namespace of the backups).
	Namespaces []string
	// From and To bound the backups' times (zero: unbounded).
	From, To time.Time
	// Parallel is how many backups are read at once (default 4).
	Parallel int
}

// Find searches backups for the selected records: every backup taken in
// [From, To] for their copies, and every full backup after it, so that
// each copy can say whether a later full lacks the record. Each backup
// reads only the files that can hold the records' partitions.
func Find(ctx context.Context, store storage.Store, rd *Reader, backups []catalog.Backup, sel *Selection, o FindOptions) (*FindResult, error) {
	inRange := func(b catalog.Backup) bool {
		return (o.From.IsZero() || !b.Time.Before(o.From)) && (o.To.IsZero() || !b.Time.After(o.To))
	}
	var search []catalog.Backup
	for _, b := range backups {
		if inRange(b) || (b.Type == catalog.Full && !o.To.IsZero() && b.Time.After(o.To)) {
			search = append(search, b)
		}
	}
	type hit struct {
		want int
		v    Version
	}
	parallel := o.Parallel
	if parallel <= 0 {
		parallel = 4
	}
	var (
		mu     sync.Mutex
		hits   []hit
		held   int
		seenNS = map[string]bool{} // namespace backups searched: "<key>/<ns>"
		first  error
		wg     sync.WaitGroup
		parts  = sel.Partitions()
		sem    = make(chan struct{}, parallel)
	)
	for _, b := range search {
		for _, nb := range b.Namespaces {
			if len(o.Namespaces) > 0 && !slices.Contains(o.Namespaces, nb.Namespace) {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				f, err := Open(ctx, store, nb.Dir)
				if err == nil {
					err = readFor(ctx, rd, f, parts, sel, func(i int, r *models.Record) {
						mu.Lock()
						hits = append(hits, hit{i, Version{Backup: b.Key, Time: b.Time, Type: b.Type, Namespace: nb.Namespace, Record: r}})
						mu.Unlock()
					})
				}
				mu.Lock()
				defer mu.Unlock()
				if err != nil && first == nil {
					first = fmt.Errorf("%s: %w", b.Key, err)
				}
				if f != nil {
					held += f.DataFiles()
				}
				seenNS[b.Key+"/"+nb.Namespace] = true
			}()
		}
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	res := &FindResult{BackupsSearched: len(search), FilesRead: rd.FilesRead(), FilesHeld: held, BytesRead: rd.BytesRead()}
	for i, w := range sel.Wants {
		var all []Version
		for _, h := range hits {
			if h.want == i {
				all = append(all, h.v)
			}
		}
		res.Records = append(res.Records, Found{Want: w, Versions: versions(all, search, seenNS, inRange)})
	}
	return res, nil
}

// readFor reads the files of f that can hold parts, calling fn with each
// selected record.
func readFor(ctx context.Context, rd *Reader, f *Folder, parts []int, sel *Selection, fn func(int, *models.Record)) error {
	for _, file := range f.For(parts) {
		err := rd.Read(ctx, f, file, func(t *models.Token) error {
			if t.Type == models.TokenTypeRecord {
				if i, ok := sel.Match(t.Record); ok {
					fn(i, t.Record)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// versions orders one record's copies newest first, keeps those in range,
// and marks each that a later full of its namespace lacks, with no copy
// in between.
func versions(all []Version, searched []catalog.Backup, searchedNS map[string]bool, inRange func(catalog.Backup) bool) []Version {
	slices.SortFunc(all, func(a, b Version) int { return b.Time.Compare(a.Time) })
	var out []Version
	for i, v := range all {
		var next *Version // the next newer copy in the same namespace
		for j := i - 1; j >= 0; j-- {
			if all[j].Namespace == v.Namespace {
				next = &all[j]
				break
			}
		}
		v.Gone = goneBy(v, next, all, searched, searchedNS)
		if inRange(catalog.Backup{Time: v.Time}) {
			out = append(out, v)
		}
	}
	return out
}

func goneBy(v Version, next *Version, all []Version, searched []catalog.Backup, searchedNS map[string]bool) *Gone {
	for _, b := range searched { // sorted by time
		if b.Type != catalog.Full || !b.Time.After(v.Time) || !searchedNS[b.Key+"/"+v.Namespace] {
			continue
		}
		if next != nil && !b.Time.Before(next.Time) {
			return nil
		}
		if slices.ContainsFunc(all, func(o Version) bool { return o.Backup == b.Key && o.Namespace == v.Namespace }) {
			return nil
		}
		g := &Gone{Reason: "deleted", Backup: b.Key, Time: b.Time}
		if vt := VoidTime(v.Record); !vt.IsZero() && !vt.After(b.Time) {
			g.Reason = "expired"
		}
		return g
	}
	return nil
}

// citrusleafEpoch is Aerospike's epoch for void times.
var citrusleafEpoch = time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)

// VoidTime is when the record expires; zero when it never does.
func VoidTime(r *models.Record) time.Time {
	if r == nil || r.VoidTime <= 0 {
		return time.Time{}
	}
	return citrusleafEpoch.Add(time.Duration(r.VoidTime) * time.Second)
}
