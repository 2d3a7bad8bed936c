package backupjob

import (
	"slices"
	"strconv"
	"strings"

	"github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"

	"github.com/aerobackup/aerobackup/internal/catalog"
)

// allPartitions is the number of partitions of a namespace.
const allPartitions = 4096

// filePartitions says which partitions a data file's records can be in,
// from the file's name, for the manifest (catalog.ManifestEntry.Partitions).
// It only ever names a superset of the truth: a lookup trusting a range
// too narrow would miss a record silently, so where backup-go's routing of
// records to files cannot be proved it falls back to the scan's ranges,
// or to nothing (any partition).
type filePartitions struct {
	// byWorker[n] are the ranges of the files named "<n>_…": set only
	// when backup-go names files by worker and feeds writer n from
	// reader n alone.
	byWorker [][]catalog.PartitionRange
	// scan are the ranges the whole scan reads (nil: all partitions, or
	// not known).
	scan []catalog.PartitionRange
}

// planFilePartitions works out, before backup-go starts, how cfg's scan
// spreads partitions over files. These are facts about backup-go v0.11.0:
//   - a node or rack list scans the nodes' primary partitions, known only
//     to the cluster at scan time: nothing is recorded;
//   - a continued run (state file) takes its readers' filters from the
//     saved state in no fixed order: nothing is recorded for its new
//     files (those of the interrupted run keep what that run recorded);
//   - otherwise reader i scans the i-th share of the partition filters
//     (workerShares), and when there are as many readers as writers
//     writer i takes reader i's records only and names its files "<i>_…",
//     unless an output prefix replaces that (slices), in which case each
//     file gets the whole scan's ranges.
func planFilePartitions(cfg *backup.ConfigBackup) filePartitions {
	if len(cfg.NodeList) > 0 || len(cfg.RackList) > 0 || cfg.Continue || len(cfg.PartitionFilters) == 0 {
		return filePartitions{}
	}
	var fp filePartitions
	for _, f := range cfg.PartitionFilters {
		if f == nil || f.Begin < 0 || f.Count < 1 || f.Begin+f.Count > allPartitions {
			return filePartitions{} // backup-go refuses it; nothing to say
		}
		fp.scan = append(fp.scan, catalog.PartitionRange{Begin: f.Begin, Count: f.Count})
	}
	fp.scan = mergeRanges(fp.scan)
	if cfg.OutputFilePrefix == "" {
		if shares := workerShares(cfg.PartitionFilters, cfg.ParallelRead); shares != nil && len(shares) == cfg.ParallelWrite {
			fp.byWorker = shares
		}
	}
	return fp
}

// of returns the ranges of the data file named name (a base name); nil
// for all partitions, which the manifest writes as nothing.
func (fp filePartitions) of(name string) []catalog.PartitionRange {
	rs := fp.scan
	if fp.byWorker != nil {
		if n, ok := workerOf(name); ok && n < len(fp.byWorker) {
			rs = fp.byWorker[n]
		}
	}
	if len(rs) == 1 && rs[0].Begin == 0 && rs[0].Count == allPartitions {
		return nil
	}
	return slices.Clone(rs)
}

// workerOf reads n from a file name "<n>_…".
func workerOf(name string) (int, bool) {
	digits, _, ok := strings.Cut(name, "_")
	if !ok || digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

// workerShares is the partitions each of workers readers scans, as
// backup-go v0.11.0 shares filters out (its splitPartitions), for the
// cases it provably handles so; nil for any other:
//   - one filter of several partitions: worker j takes partitions
//     [j*C/N, (j+1)*C/N) of its C, from its Begin;
//   - as many filters as workers: worker i takes filter i.
//
// A filter starting after a digest still only holds its own partitions.
func workerShares(filters []*aerospike.PartitionFilter, workers int) [][]catalog.PartitionRange {
	if workers < 1 || len(filters) == 0 || workers < len(filters) {
		return nil
	}
	if len(filters) == 1 && filters[0].Count != 1 {
		f := filters[0]
		if f.Count < workers {
			return nil // backup-go refuses it
		}
		out := make([][]catalog.PartitionRange, workers)
		for j := range workers {
			lo, hi := j*f.Count/workers, (j+1)*f.Count/workers
			out[j] = []catalog.PartitionRange{{Begin: f.Begin + lo, Count: hi - lo}}
		}
		return out
	}
	if len(filters) == workers {
		out := make([][]catalog.PartitionRange, workers)
		for i, f := range filters {
			out[i] = []catalog.PartitionRange{{Begin: f.Begin, Count: f.Count}}
		}
		return out
	}
	return nil
}

// mergeRanges sorts ranges and joins those that overlap or touch.
func mergeRanges(rs []catalog.PartitionRange) []catalog.PartitionRange {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b catalog.PartitionRange) int { return a.Begin - b.Begin })
	var out []catalog.PartitionRange
	for _, r := range rs {
		if n := len(out); n > 0 && r.Begin <= out[n-1].Begin+out[n-1].Count {
			if end := r.Begin + r.Count; end > out[n-1].Begin+out[n-1].Count {
				out[n-1].Count = end - out[n-1].Begin
			}
			continue
		}
		out = append(out, r)
	}
	return out
}
