package backupjob

import "runtime/debug"

// GCPercent is the collector's GOGC for an uncompressed backup to local
// storage, whose live heap is small and fixed: at Go's default the
// collector runs often for little. ZSTD encoders and cloud upload parts
// make the heap larger, so there the default stays (docs/performance.md).
const GCPercent = 200

// TuneGC applies GCPercent to an uncompressed backup to local storage
// unless the environment sets GOGC or GOMEMLIMIT, which always win. It
// returns whether it did.
func TuneGC(local bool, compression string, getenv func(string) string) bool {
	if !local || getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" || (compression != "" && compression != "NONE") {
		return false
	}
	debug.SetGCPercent(GCPercent)
	return true
}
