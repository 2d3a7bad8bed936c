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
// storage unless the environment sets GOGC, which always wins. It returns
// whether it did.
func tuneBackupGC(local bool, compression string, getenv func(string) string) bool {
	if !local || getenv("GOGC") != "" || (compression != "" && compression != "NONE") {
		return false
	}
	debug.SetGCPercent(backupGCPercent)
	return true
}
