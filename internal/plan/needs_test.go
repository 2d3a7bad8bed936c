package plan

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
)

// randomCatalog is a routine's history of n runs a second apart: fulls and
// incrementals of namespaces a and b (some of one namespace only), and
// interrupted resumable runs of either type.
func randomCatalog(rng *rand.Rand, n int) catalog.Listing {
	var l catalog.Listing
	nss := [][]string{{"a", "b"}, {"a", "b"}, {"a"}, {"b"}}
	last := int64(0)
	for i := range n {
		at := int64(1000 * (i + 1))
		ns := nss[rng.IntN(len(nss))]
		switch k := rng.IntN(10); {
		case k < 2:
			l.Backups = append(l.Backups, full(at, ns...))
		case k < 8 && last != 0:
			l.Backups = append(l.Backups, incr(at, last, ns...))
		case k < 9:
			l.Incomplete = append(l.Incomplete, interrupted(catalog.Full, at, catalog.ResumeInterrupted, ns...))
		default:
			l.Incomplete = append(l.Incomplete, interrupted(catalog.Incremental, at, catalog.ResumeRunning, ns...))
		}
		last = at
	}
	return l
}

// newestRuns is the part of l at or after the run at index i of n: what a
// window that read the newest n-i runs holds.
func newestRuns(l catalog.Listing, i int) catalog.Listing {
	cut := ms(int64(1000 * (i + 1)))
	var out catalog.Listing
	for _, b := range l.Backups {
		if !b.Time.Before(cut) {
			out.Backups = append(out.Backups, b)
		}
	}
	for _, inc := range l.Incomplete {
		if !inc.Time.Before(cut) {
			out.Incomplete = append(out.Incomplete, inc)
		}
	}
	return out
}

// onlyType keeps l's runs of type typ.
func onlyType(l catalog.Listing, typ catalog.Type) catalog.Listing {
	var out catalog.Listing
	for _, b := range l.Backups {
		if b.Type == typ {
			out.Backups = append(out.Backups, b)
		}
	}
	for _, inc := range l.Incomplete {
		if inc.Type == typ {
			out.Incomplete = append(out.Incomplete, inc)
		}
	}
	return out
}

// withNewerIncrementals is what a window of full runs reads next: every
// incremental of all started since the interrupted resumable full that
// part would continue, if any.
func withNewerIncrementals(all, part catalog.Listing) catalog.Listing {
	cand, ok := catalog.FindResumable(part, "r", catalog.Full)
	if !ok {
		return part
	}
	var since time.Time
	for _, inc := range part.Incomplete {
		if inc.Run == cand.Key {
			since = inc.Time
		}
	}
	incr := onlyType(all, catalog.Incremental)
	for _, b := range incr.Backups {
		if !b.Time.Before(since) {
			part.Backups = append(part.Backups, b)
		}
	}
	for _, inc := range incr.Incomplete {
		if !inc.Time.Before(since) {
			part.Incomplete = append(part.Incomplete, inc)
		}
	}
	catalog.SortBackups(part.Backups)
	return part
}

type decision struct {
	Resume ResumeDecision
	Plan   BackupPlan
	Err    string
}

func decide(r BackupRequest, l catalog.Listing, namespaces []string) decision {
	var d decision
	resume, err := Resume(r, l)
	if err == nil {
		d.Resume = resume
		d.Plan, err = Backup(r, l, resume, namespaces, ms(1_000_000))
	}
	if err != nil {
		d.Err = err.Error()
	}
	return d
}

// TestCatalogNeeds checks the claim a backup's catalog window rests on:
// over every newest part of the catalog that CatalogNeeds calls enough,
// and so over the window a session reads, Resume and Backup decide exactly
// as they do over the whole catalog, for every kind of run and random
// histories.
func TestCatalogNeeds(t *testing.T) {
	cumulative := &config.BackupPolicy{IncrMode: ptr(config.IncrModeCumulative)}
	reqs := map[string]BackupRequest{
		"full":                    {Routine: "r", Settings: settings},
		"full --no-resume":        {Routine: "r", Settings: settings, NoResume: true},
		"incremental":             {Routine: "r", Settings: settings, Incremental: true},
		"incremental cumulative":  {Routine: "r", Settings: settings, Incremental: true, Policy: cumulative},
		"incremental --auto-full": {Routine: "r", Settings: settings, Incremental: true, AutoFull: true},
		"incremental slice": {Routine: "r", Settings: settings, Incremental: true,
			Slice: &backupslice.Spec{Index: 1, Count: 2}, RunFolder: "20500"},
	}
	nsSets := [][]string{{"a"}, {"b"}, {"a", "b"}}
	rng := rand.New(rand.NewPCG(1, 2))
	checked, short := 0, 0
	for trial := range 300 {
		n := 1 + rng.IntN(40)
		l := randomCatalog(rng, n)
		for name, r := range reqs {
			for _, nss := range nsSets {
				want := decide(r, l, nss)
				need := CatalogNeeds(r, nss)
				for i := range n {
					part := newestRuns(l, i)
					if need.Fulls {
						part = onlyType(part, catalog.Full)
					}
					if !need.Enough(part) {
						continue
					}
					if need.Fulls {
						part = withNewerIncrementals(l, part)
					}
					if i > 0 {
						short++
					}
					checked++
					if got := decide(r, part, nss); !reflect.DeepEqual(got, want) {
						t.Fatalf("trial %d, %s of %v: over the newest %d of %d runs:\n got %+v\nwant %+v\n catalog %s",
							trial, name, nss, n-i, n, got, want, describeListing(l))
					}
				}
			}
		}
	}
	if short == 0 {
		t.Fatalf("no window shorter than the catalog was ever enough (%d checked)", checked)
	}
	t.Logf("%d windows checked, %d shorter than the whole catalog", checked, short)
}

// TestCatalogNeedsWithoutNamespaces: before the cluster names the
// namespaces, every namespace read so far needs a full.
func TestCatalogNeedsWithoutNamespaces(t *testing.T) {
	enough := CatalogNeeds(BackupRequest{Incremental: true}, nil).Enough
	for _, tc := range []struct {
		l    catalog.Listing
		want bool
	}{
		{listing(nil), false},
		{listing([]catalog.Backup{incr(2000, 1000, "a")}), false},
		{listing([]catalog.Backup{full(1000, "a"), incr(2000, 1000, "a")}), true},
		{listing([]catalog.Backup{full(1000, "a"), incr(2000, 1000, "a", "b")}), false},
	} {
		if got := enough(tc.l); got != tc.want {
			t.Errorf("%s: enough = %v, want %v", describeListing(tc.l), got, tc.want)
		}
	}
	if n := CatalogNeeds(BackupRequest{}, nil); !n.Fulls || !n.Enough(listing([]catalog.Backup{full(2000, "a")})) {
		t.Error("a full backup needs only the full runs back to the newest complete one")
	}
}

func describeListing(l catalog.Listing) string {
	s := ""
	for _, b := range l.Backups {
		var nss []string
		for _, n := range b.Namespaces {
			nss = append(nss, n.Namespace)
		}
		s += fmt.Sprintf(" %s%v", b.Key, nss)
	}
	for _, inc := range l.Incomplete {
		s += " !" + inc.Path
	}
	return s
}
