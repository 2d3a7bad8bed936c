package cli

import "runtime/debug"

// backupGCPercent is the collector's GOGC for an uncompressed backup to
// local storage, whose live heap is small and fixed: at Go's default the
// collector runs often for little. ZSTD encoders and cloud upload parts
// make the heap larger, so there the default stays (docs/performance.md).
const backupGCPercent = 200

// tuneBackupGC applies backupGCPercent to an uncompressed backup to local
// storage unless the environment sets GOGC or GOMEMLIMIT, which always win.
// It returns whether it did.
func tuneBackupGC(local bool, compression string, getenv func(string) string) bool {
	if !local || getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" || (compression != "" && compression != "NONE") {
		return false
	}
	debug.SetGCPercent(backupGCPercent)
	return true
}

// restoreGCPercent is the collector's GOGC for restore and
// restore-at-timestamp: their live heap is small beside the garbage of
// decoding every record, so a higher goal trades some memory for CPU.
// GOGC or GOMEMLIMIT in the environment leave the collector as the
// operator set it (in a memory-limited pod, GOMEMLIMIT keeps it under).
const restoreGCPercent = 200

// tuneRestoreGC applies restoreGCPercent unless the environment sets GOGC
// or GOMEMLIMIT. It returns whether it did.
func tuneRestoreGC(getenv func(string) string) bool {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return false
	}
	debug.SetGCPercent(restoreGCPercent)
	return true
}
