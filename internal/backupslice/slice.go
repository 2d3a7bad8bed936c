// Package backupslice owns the arithmetic of sliced backups: several aerobackup
// processes, each backing up the I-th of N equal shares of a namespace's
// partitions into one shared run folder. It parses "I/N" and Kubernetes'
// JOB_COMPLETION_INDEX, splits a partition selection into N contiguous
// shares, names each slice's files, and derives the shared run folder from
// a run ID or a scheduled time. It must not touch storage or the cluster:
// the catalog reads and merges slices, backupjob writes them.
package backupslice

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/timeflag"
)

// MaxSlices bounds N: more slices than partitions would leave some empty.
const MaxSlices = config.Partitions

// Spec is one slice of a run: Index in 0..Count-1, numbered from 0 like
// Kubernetes' JOB_COMPLETION_INDEX.
type Spec struct {
	Index int
	Count int
}

// String is "I/N".
func (s Spec) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Validate checks 0 <= Index < Count <= MaxSlices.
func (s Spec) Validate() error {
	switch {
	case s.Count < 1 || s.Count > MaxSlices:
		return fmt.Errorf("slice count %d: want 1..%d", s.Count, MaxSlices)
	case s.Index < 0 || s.Index >= s.Count:
		return fmt.Errorf("slice index %d: want 0..%d (slices are numbered from 0, like JOB_COMPLETION_INDEX)", s.Index, s.Count-1)
	}
	return nil
}

// Parse reads "I/N".
func Parse(v string) (Spec, error) {
	i, n, ok := strings.Cut(v, "/")
	if !ok {
		return Spec{}, fmt.Errorf("slice %q: want I/N, e.g. 0/4", v)
	}
	idx, err1 := strconv.Atoi(i)
	cnt, err2 := strconv.Atoi(n)
	if err1 != nil || err2 != nil {
		return Spec{}, fmt.Errorf("slice %q: want I/N with whole numbers, e.g. 0/4", v)
	}
	s := Spec{Index: idx, Count: cnt}
	if err := s.Validate(); err != nil {
		return Spec{}, fmt.Errorf("slice %q: %w", v, err)
	}
	return s, nil
}

// IndexEnv is the variable Kubernetes sets in each pod of an Indexed Job.
const IndexEnv = "JOB_COMPLETION_INDEX"

// FromEnv builds the slice of count from the JOB_COMPLETION_INDEX value.
func FromEnv(count int, value string, present bool) (Spec, error) {
	if !present || value == "" {
		return Spec{}, fmt.Errorf("--slices %d takes the slice index from %s, which is not set (run in a Kubernetes Indexed Job, or use --slice I/N)", count, IndexEnv)
	}
	idx, err := strconv.Atoi(value)
	if err != nil {
		return Spec{}, fmt.Errorf("%s=%q: not a whole number", IndexEnv, value)
	}
	s := Spec{Index: idx, Count: count}
	if err := s.Validate(); err != nil {
		return Spec{}, fmt.Errorf("%s=%s with --slices %d: %w", IndexEnv, value, count, err)
	}
	return s, nil
}

// FilePrefix is the prefix backup-go gives this slice's data files, so
// that slices sharing a namespace folder never collide:
// "slice-2-of-4_" gives "slice-2-of-4_test_1.asb".
func (s Spec) FilePrefix() string { return fmt.Sprintf("slice-%d-of-%d_", s.Index, s.Count) }

// RecordName is the name of the slice's completion record in the
// namespace folder's slices/ sub-folder.
func (s Spec) RecordName() string { return fmt.Sprintf("slice-%d-of-%d.yaml", s.Index, s.Count) }

// ParseRecordName is the inverse of RecordName.
func ParseRecordName(name string) (Spec, bool) {
	rest, ok := strings.CutPrefix(name, "slice-")
	if !ok {
		return Spec{}, false
	}
	rest, ok = strings.CutSuffix(rest, ".yaml")
	if !ok {
		return Spec{}, false
	}
	i, n, ok := strings.Cut(rest, "-of-")
	if !ok {
		return Spec{}, false
	}
	s, err := Parse(i + "/" + n)
	if err != nil {
		return Spec{}, false
	}
	return s, true
}

// CarriesMetadata reports whether this slice backs up the namespace's
// secondary indexes and UDFs (and the cluster configuration): the first
// slice only, so a run holds them once.
func (s Spec) CarriesMetadata() bool { return s.Index == 0 }

// Partitions returns the slice's share of sel (nil: all 4096 partitions):
// the partition IDs in the order written, cut into Count contiguous runs
// whose sizes differ by at most one. Digest entries (a part of one
// partition) cannot be shared out and are refused.
func (s Spec) Partitions(sel []config.PartitionRange) ([]config.PartitionRange, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if len(sel) == 0 {
		sel = []config.PartitionRange{{Begin: 0, Count: config.Partitions}}
	}
	var ids []int
	for _, p := range sel {
		if p.Digest != "" {
			return nil, fmt.Errorf("partition-list entry %s is a record digest; slices share out whole partitions only", p.Digest)
		}
		for id := p.Begin; id < p.End(); id++ {
			ids = append(ids, id)
		}
	}
	if s.Count > len(ids) {
		return nil, fmt.Errorf("%d slices of %d partitions: some slices would be empty (use at most %d)", s.Count, len(ids), len(ids))
	}
	lo, hi := s.Index*len(ids)/s.Count, (s.Index+1)*len(ids)/s.Count
	var out []config.PartitionRange
	for _, id := range ids[lo:hi] {
		if n := len(out); n > 0 && out[n-1].End() == id {
			out[n-1].Count++
			continue
		}
		out = append(out, config.PartitionRange{Begin: id, Count: 1})
	}
	return out, nil
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// ScheduledTime reads the time a scheduled run was due: RFC 3339 or Unix
// milliseconds, or the name of a Job created by a Kubernetes CronJob,
// "<cronjob>-<minutes>", whose suffix is the scheduled time in minutes
// since the Unix epoch (the CronJob controller names its Jobs so), which
// every pod of the Job can read from its job-name label.
func ScheduledTime(v string) (time.Time, error) {
	if t, err := timeflag.ParseFixed(v); err == nil {
		return t.UTC(), nil
	}
	if i := strings.LastIndexByte(v, '-'); i > 0 && isDigits(v[i+1:]) && len(v[i+1:]) <= 12 {
		mins, err := strconv.ParseInt(v[i+1:], 10, 64)
		// A Job name's suffix is minutes; anything before 2001 in
		// minutes is more likely a plain name ending in a number.
		if err == nil && mins >= 978307200/60 {
			return time.Unix(mins*60, 0).UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("--scheduled-time %q: want RFC 3339, Unix milliseconds or a CronJob's Job name <name>-<unix-minutes>", v)
}

// Flags are the flags of one slice of a sliced run: --slice I/N or
// --slices N (I from IndexEnv), and the run folder all slices share,
// --run-id or --scheduled-time.
type Flags struct {
	Slice         string
	Slices        int
	RunID         string
	ScheduledTime string
}

// FlagError is slice flags that cannot be used (a bad slice, a missing or
// bad run folder): nothing was contacted.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// Resolve reads the flags: spec is nil for an ordinary (unsliced) backup;
// runFolder is the folder the slices share. getenv reads IndexEnv. A
// refusal is a FlagError.
func (f Flags) Resolve(getenv func(string) string) (spec *Spec, runFolder string, err error) {
	if spec, runFolder, err = f.resolve(getenv); err != nil {
		return nil, "", &FlagError{Err: err}
	}
	return spec, runFolder, nil
}

func (f Flags) resolve(getenv func(string) string) (spec *Spec, runFolder string, err error) {
	switch {
	case f.Slice != "":
		s, err := Parse(f.Slice)
		if err != nil {
			return nil, "", fmt.Errorf("--slice: %w", err)
		}
		spec = &s
	case f.Slices != 0:
		v := getenv(IndexEnv)
		s, err := FromEnv(f.Slices, v, v != "")
		if err != nil {
			return nil, "", err
		}
		spec = &s
	case f.RunID != "" || f.ScheduledTime != "":
		return nil, "", errors.New("--run-id and --scheduled-time name the folder the slices of a run share: they go with --slice or --slices")
	default:
		return nil, "", nil
	}
	switch {
	case f.RunID != "":
		if !validRunID(f.RunID) {
			return nil, "", fmt.Errorf("--run-id %q: want a run folder name, <unix-millis>[_suffix] such as 1763712000000 (for a time, use --scheduled-time)", f.RunID)
		}
		return spec, f.RunID, nil
	case f.ScheduledTime != "":
		t, err := ScheduledTime(f.ScheduledTime)
		if err != nil {
			return nil, "", err
		}
		// The run folder of a run started at t (catalog.RunFolderName).
		return spec, strconv.FormatInt(t.UnixMilli(), 10), nil
	}
	return nil, "", fmt.Errorf("--slice %s: the slices of a run share one run folder: give every slice the same --run-id or --scheduled-time", spec)
}

// validRunID accepts a run folder name, <unix-millis>[_suffix] (up to 18
// digits, as catalog.ParseRunFolder reads it), made only of characters
// that are safe in every store's paths.
func validRunID(id string) bool {
	digits, _, _ := strings.Cut(id, "_")
	if !isDigits(digits) || len(digits) > 18 {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
