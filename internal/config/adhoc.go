package config

// SetRoutineCluster points a routine built outside a config file (ad-hoc
// mode, or a --host override) at a cluster.
func SetRoutineCluster(r *Routine, c *AerospikeCluster) { r.cluster = c }

// SetRoutineStorage points a routine at a storage entry (ad-hoc mode, or a
// --storage override).
func SetRoutineStorage(r *Routine, s *Storage) { r.storage = s }
