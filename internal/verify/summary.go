package verify

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
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
