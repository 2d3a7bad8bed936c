package cli

import "runtime/debug"

// backupGCPercent is the collector's GOGC for an uncompressed backup to
// local storage. Its live heap is small and fixed (a 1 MiB buffer per file
// and the records in flight), so at Go's default of 100 the collector ran
// about twice as often as backup-go alone, whose 4 MiB buffers give it more
// room: 200 took ~4% off the CPU of a backup (make bench, 50k and 200k
// records) and keeps peak RSS flat and below backup-go alone. ZSTD
// encoders hold ~10 MiB per file and cloud uploads whole parts per file,
// so there 200 would raise peak RSS for no gain, and the default stays.
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
// restore-at-timestamp. A restore's live heap is its readers' buffers and
// the batches in flight, small beside the garbage of decoding every
// record, so at 100 the collector's work was ~10% of the restore's CPU on
// the 2-CPU machine of README's Performance section; 200 took ~10% off
// the CPU of a 200k-record restore for ~20 MiB more peak RSS (~50 MiB more
// for ZSTD backups, whose decoders enlarge the heap). GOGC or GOMEMLIMIT
// in the environment leave the collector as the operator set it: in a
// memory-limited pod, GOMEMLIMIT makes the collector keep under the limit.
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
