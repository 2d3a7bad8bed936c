// Package metrics owns the Prometheus metrics a single aerobackup run
// leaves behind: a textfile for node_exporter's textfile collector and a
// push to a Pushgateway. Both carry the metric names and labels of the
// Aerospike Backup Service (ABS v3), so dashboards and alerts written for
// ABS keep working when the scheduler becomes cron or a Kubernetes job.
//
// A one-shot process has no memory, so counters and histogram buckets are
// carried forward from the previous file (or from the Pushgateway's current
// group): the previous state is parsed, this run is added, and the result
// is written back whole. Gauges are replaced. Series of other routines and
// families this package does not own are kept as they are.
//
// The package does not decide when a run starts or ends and does not read
// configuration: a command starts a Reporter's run once it knows what the
// run is about and finishes it, with the error it ended with and the
// flags' targets, when it ends. The Reporter logs a failed write or push
// to the logger it is given; that never changes the run's exit status.
//
// # Metrics
//
// Same names, types, help and labels as ABS v3.6:
//
//	aerospike_backup_service_backup_events_total{routine,type,outcome}   counter
//	aerospike_backup_service_backup_duration_seconds{routine,type}       histogram, buckets 60*1.5^n, n=0..15
//	aerospike_backup_service_backup_in_progress{routine,type}            gauge, 1 while running, 0 after
//	aerospike_backup_service_backup_progress_pct{routine,type}           gauge
//	aerospike_backup_service_last_successful_backup_timestamp{routine,type} gauge, Unix seconds
//	aerospike_backup_service_restore_events_total{outcome}               counter
//	aerospike_backup_service_restore_in_progress                         gauge
//
// and ABS's deprecated unlabeled ones, which older dashboards still use:
//
//	aerospike_backup_service_runs_total, _incremental_runs_total        counters, successful runs
//	aerospike_backup_service_skip_total, _incremental_skip_total        counters
//	aerospike_backup_service_failure_total, _incremental_failure_total  counters
//	aerospike_backup_service_duration_millis, _incremental_duration_millis gauges, last successful run
//
// aerobackup adds, in the same family style:
//
//	aerospike_backup_service_last_backup_records{routine,type}   gauge, records in the last backup written (success or partial)
//	aerospike_backup_service_last_backup_bytes{routine,type}     gauge, bytes of that backup
//	aerospike_backup_service_backup_interval_seconds{routine,type} gauge, the routine's schedule (below)
//	aerospike_backup_service_last_failed_backup_timestamp{routine,type} gauge, Unix seconds of the last failure or partial
//	aerospike_backup_service_backup_consecutive_skips{routine,type} gauge, skips since the last run not skipped
//	aerospike_backup_service_last_failed_restore_timestamp{routine} gauge, Unix seconds of the last failed or partial restore
//	aerospike_backup_service_restore_duration_seconds{routine}   histogram of successful restores, ABS buckets
//	aerospike_backup_service_last_restore_records{routine}       gauge, records of the last successful or partial restore
//	aerospike_backup_service_last_restore_bytes{routine}         gauge, bytes of that restore
//	aerospike_backup_service_last_restore_refused_records{routine} gauge, records the server refused in the last finished restore
//
// backup_interval_seconds is the longest time between two consecutive
// firings of the routine's interval-cron (type="full") or
// incr-interval-cron (type="incremental"), over the next eight years in
// its schedule-timezone (schedule.LongestGaps): the age the last
// successful backup reaches on schedule before the next run starts, so an
// alert compares time() - last_successful_backup_timestamp with it and
// needs no threshold of its own. Every backup run writes it whatever its
// outcome, from Run.FullInterval and Run.IncrInterval; a routine without
// that schedule (no incr-interval-cron, disabled, ad hoc) has no series,
// and a run removes one the routine no longer has.
//
// The failure timestamps and the skip streak let alerts read state (the
// last run failed: last_failed > last_successful; skipped three times in a
// row) rather than increase() over a counter, which misses the event that
// creates a series and needs a window that fits every schedule.
//
// Families lists every family with its type, help and label names from
// the table the renderer takes them from; PushLabels names the labels a
// Pushgateway adds. The dashboard and the alert rules under examples/ are
// checked against them.
//
// The restore duration uses the name and routine label ABS's metrics
// catalog proposes; a restore by path (no routine) is labelled "@by-path"
// as there.
//
// # Outcomes
//
// aerobackup's exit outcomes map onto ABS's outcome label like this:
//
//	exit 0   Success   outcome="success"; runs_total; last_successful_backup_timestamp; duration
//	exit 1   Failure   outcome="failure"; failure_total; last_failed_backup_timestamp; duration observed
//	exit 4   Partial   outcome="failure" (ABS has no partial); failure_total; last_failed_backup_timestamp;
//	                   duration, records and bytes recorded
//	exit 129/130/131/143 Canceled outcome="canceled"; duration observed; no deprecated counter (ABS has none)
//	exit 3   Skip      outcome="skip"; skip_total; consecutive_skips + 1; in_progress and progress left
//	                   alone (the run holding the lock owns them)
//	exit 2   usage errors write no metrics: nothing was attempted
//
// Every finished backup that is not a skip sets consecutive_skips to 0.
//
// Running (call at start) sets only the in-progress and progress gauges
// (and the schedule), so a long backup is visible before it ends:
// Reporter.Running writes it when the backup or restore starts and again
// every --progress-interval with the progress so far, until Finish.
//
// # Concurrency
//
// UpdateFile takes an exclusive flock on PATH.lock (a sidecar that
// node_exporter ignores, since it reads only *.prom) around read-merge-write,
// so runs of different routines sharing one file do not lose increments. On
// systems without flock the lock is skipped and two simultaneous writers may
// lose one increment. Pushes need no lock: each routine has its own
// Pushgateway group and runs of one routine are serialized by the repository
// lock.
package metrics
