package verify

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/timeflag"
)

// ParseSubset reads --read-data-subset's "N%" (or N) as the fraction of
// each backup's files to read, in (0, 1].
func ParseSubset(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")), 64)
	if err != nil || v <= 0 || v > 100 {
		return 0, fmt.Errorf("--read-data-subset %q: want a percentage above 0 and up to 100, e.g. 10%%", s)
	}
	return v / 100, nil
}

// Request is what verify is asked, as the user gave it: what to read and
// which backup (Backup, a key as list prints it) of which routine.
type Request struct {
	Backup, Routine string
	// From and To are --from and --to as typed: only the backups taken
	// in [From, To] are verified.
	From, To string
	ReadData bool
	Subset   string
	Parallel int
}

// Apply checks r and sets what o reads and how many files at once. It
// returns the routine to verify: r.Routine, or the backup's when r names
// none; a backup of another routine is refused.
func (r Request) Apply(o *Options) (routine string, err error) {
	if r.Parallel < 1 {
		return "", fmt.Errorf("--parallel %d: want 1 or more", r.Parallel)
	}
	o.ReadData, o.Parallel = r.ReadData, r.Parallel
	for _, t := range []struct {
		flag, v string
		dst     *time.Time
	}{{"--from", r.From, &o.From}, {"--to", r.To, &o.To}} {
		if t.v == "" {
			continue
		}
		if *t.dst, err = timeflag.Parse(t.v); err != nil {
			return "", fmt.Errorf("%s: %w", t.flag, err)
		}
	}
	if !o.From.IsZero() && !o.To.IsZero() && o.To.Before(o.From) {
		return "", fmt.Errorf("--to %s is before --from %s", r.To, r.From)
	}
	if r.Subset != "" {
		if o.Subset, err = ParseSubset(r.Subset); err != nil {
			return "", err
		}
		o.ReadData = true
	}
	if r.Backup == "" {
		return r.Routine, nil
	}
	k, err := catalog.ParseKey(r.Backup)
	if err != nil {
		return "", fmt.Errorf("--backup %q: %w (take a key from 'aerobackup list')", r.Backup, err)
	}
	if r.Routine != "" && r.Routine != k.Routine {
		return "", fmt.Errorf("--backup %s belongs to routine %q, not --routine %q", r.Backup, k.Routine, r.Routine)
	}
	o.Key = &k
	return k.Routine, nil
}

// KeepNamespaces leaves out the results of namespaces not in nss (none
// when nss is empty); a result of no namespace (a whole run) stays.
func KeepNamespaces(rs []Result, nss []string) []Result {
	if len(nss) == 0 {
		return rs
	}
	var out []Result
	for _, r := range rs {
		if r.Namespace == "" || slices.Contains(nss, r.Namespace) {
			out = append(out, r)
		}
	}
	return out
}

// Summarize counts the results by status, every status named, and returns
// an error saying how many are not ok, nil when all are.
func Summarize(rs []Result) (map[string]int, error) {
	counts := map[string]int{string(OK): 0, string(Incomplete): 0, string(Corrupt): 0}
	for _, r := range rs {
		counts[string(r.Status)]++
	}
	incomplete, corrupt := counts[string(Incomplete)], counts[string(Corrupt)]
	if incomplete+corrupt == 0 {
		return counts, nil
	}
	return counts, fmt.Errorf("verify: %d of %d backups not ok (%d incomplete, %d corrupt)", incomplete+corrupt, len(rs),
		incomplete, corrupt)
}
