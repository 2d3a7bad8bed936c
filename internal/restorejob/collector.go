package restorejob

import "runtime/debug"

// GCPercent is the collector's GOGC for restore and restore-at-timestamp:
// their live heap is small beside the garbage of decoding every record, so
// a higher goal trades some memory for CPU. GOGC or GOMEMLIMIT in the
// environment leave the collector as the operator set it (in a
// memory-limited pod, GOMEMLIMIT keeps it under).
const GCPercent = 200

// TuneGC applies GCPercent unless the environment sets GOGC or
// GOMEMLIMIT. It returns whether it did.
func TuneGC(getenv func(string) string) bool {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return false
	}
	debug.SetGCPercent(GCPercent)
	return true
}
