// Package schedule reads the cron expressions of ABS backup routines
// (interval-cron, incr-interval-cron) the way ABS's scheduler, go-quartz,
// reads them, and renders them for other schedulers: systemd timers,
// crontab lines and Kubernetes CronJobs, for the routines of a config or
// the one named. It also names the container image the release publishes,
// which the CronJobs run unless told otherwise.
//
// Translation is exact or refused: an expression a target cannot express
// (seconds in crontab, "nearest weekday" anywhere, ...) is an error that says
// why, never an approximation. The package only builds text; writing files
// and running commands is the caller's job.
package schedule
