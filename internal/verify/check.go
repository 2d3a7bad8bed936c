package verify

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// Freshness is the verdict of Check.
type Freshness struct {
	OK      bool   `json:"ok"`
	Routine string `json:"routine"`
	// Reason is one line: why not OK, or a summary when OK.
	Reason string `json:"reason"`
	// Newest is the latest successful backup (any type).
	Newest  string        `json:"newest,omitempty"`
	Created time.Time     `json:"created,omitzero"`
	Age     time.Duration `json:"-"`
	AgeSecs float64       `json:"age-seconds"`
	// Full is the full backup the chains start from; Incrementals how
	// many incrementals follow it (the longest namespace chain).
	Full         string `json:"full,omitempty"`
	Incrementals int    `json:"incrementals"`
	// Records of the full backup, over its namespaces.
	Records uint64 `json:"records"`
	// Copies are the storages check --also-in looked in.
	Copies []CopyStatus `json:"copies,omitempty"`
}

// Check judges a routine's catalog at now: the newest successful backup
// must be younger than maxAge, every namespace of the latest full must
// restore to now (a full plus incrementals without gaps), and, when
// minRecords > 0, that full must hold at least minRecords records. It is
// pure: backups come from catalog.List, the clock from the caller.
func Check(routine string, backups []catalog.Backup, now time.Time, maxAge time.Duration, minRecords uint64) Freshness {
	f := Freshness{Routine: routine}
	fail := func(format string, args ...any) Freshness {
		f.OK = false
		f.Reason = fmt.Sprintf("routine %q: ", routine) + fmt.Sprintf(format, args...)
		return f
	}
	var newest *catalog.Backup
	var newestCreated time.Time
	var full *catalog.Backup
	var fullCreated time.Time
	for i := range backups {
		b := &backups[i]
		for _, n := range b.Namespaces {
			c := n.Metadata.Created
			if c.After(now) {
				continue // from the future as far as this clock knows
			}
			if newest == nil || c.After(newestCreated) {
				newest, newestCreated = b, c
			}
			if b.Type == catalog.Full && (full == nil || c.After(fullCreated)) {
				full, fullCreated = b, c
			}
		}
	}
	if newest == nil {
		return fail("no successful backup")
	}
	f.Newest, f.Created = newest.Key, newestCreated
	f.Age = now.Sub(newestCreated)
	f.AgeSecs = f.Age.Seconds()
	if f.Age >= maxAge {
		return fail("newest backup %s is %s old, not younger than --max-age %s", newest.Key, roundAge(f.Age), maxAge)
	}
	if full == nil {
		return fail("no full backup: the newest backups cannot be restored")
	}
	f.Full = full.Key
	f.Records, _ = full.Totals()
	var nss []string
	for _, n := range full.Namespaces {
		nss = append(nss, n.Namespace)
	}
	slices.Sort(nss)
	for _, ns := range nss {
		plan, err := catalog.PointInTime(backups, ns, now)
		if err != nil {
			return fail("namespace %q: %v", ns, err)
		}
		if len(plan.Warnings) > 0 {
			return fail("namespace %q does not restore to now: %s", ns, plan.Warnings[0])
		}
		f.Incrementals = max(f.Incrementals, len(plan.Links)-1)
	}
	if minRecords > 0 && f.Records < minRecords {
		return fail("full backup %s holds %d records, fewer than --min-records %d", full.Key, f.Records, minRecords)
	}
	f.OK = true
	f.Reason = fmt.Sprintf("routine %q: newest backup %s is %s old (max %s); restorable to now from %s + %d incremental(s); %d records",
		routine, newest.Key, roundAge(f.Age), maxAge, full.Key, f.Incrementals, f.Records)
	return f
}

func roundAge(d time.Duration) time.Duration {
	if d >= time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

// CheckStore reads routine's catalog in store, metadata.yaml files only,
// keeps the namespaces nss (none: all) and checks it at now as Check does.
func CheckStore(ctx context.Context, store storage.Store, routine string, nss []string,
	now time.Time, maxAge time.Duration, minRecords uint64) (Freshness, error) {
	return CheckStoreAlsoIn(ctx, store, routine, nss, now, maxAge, minRecords, nil)
}
