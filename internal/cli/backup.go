package cli

import (
	"context"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/apply"
	"github.com/aerobackup/aerobackup/internal/backupjob"
	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/checksum"
	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/envflag"
	"github.com/aerobackup/aerobackup/internal/interrupt"
	"github.com/aerobackup/aerobackup/internal/metrics"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/report"
	"github.com/aerobackup/aerobackup/internal/routine"
	"github.com/aerobackup/aerobackup/internal/session"
)

// backupOptions holds the backup command's flags and what it resolves.
type backupOptions struct {
	apply.BackupAsk // what is asked of the routine
	target          targetFlags
	lock            lockFlags
	given           envflag.Given // sets overrides from the flags given
	// shape: an estimate (size only, nothing written) or a stream ("-":
	// one namespace to standard output, nothing stored) instead of a backup.
	shape plan.BackupShape
	// slicing: --slice I/N or --slices N (I from JOB_COMPLETION_INDEX),
	// sharing the run folder named by --run-id or --scheduled-time.
	slicing backupslice.Flags
	// tune: client, scan and SDK tuning (tuning.go).
	tune tuningFlags
	// checksum: the algorithm of the manifest's per-file checksums.
	checksum checksum.Algorithm
}

func newBackupCmd(app *App) *cobra.Command {
	o := &backupOptions{}
	cmd := &cobra.Command{
		Use:     "backup",
		Short:   "Take one full (default) or incremental backup of a routine",
		Long:    backupLong,
		Example: backupExample,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.given.Apply(cmd.Flags())
			o.shape.SamplesGiven = cmd.Flags().Changed("estimate-samples")
			if err := o.tune.apply(cmd, app); err != nil {
				return err
			}
			if o.shape.Output == "-" && !o.Incremental {
				// A full stream reads no catalog: ad-hoc mode needs no --storage.
				o.target.noStorage = true
			}
			return runBackup(cmd.Context(), app, o)
		},
	}
	o.target.register(cmd, true)
	o.registerRunFlags(cmd)
	o.registerPolicyFlags(cmd)
	o.registerShapeFlags(cmd)
	o.registerResumeFlags(cmd)
	o.tune.register(cmd, &o.Overrides)
	markBackupExclusions(cmd)
	return cmd
}

// registerRunFlags: what kind of run, and its lock.
func (o *backupOptions) registerRunFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&o.Incremental, "incremental", false, "back up only records changed since the routine's last backup")
	f.BoolVar(&o.AutoFull, "auto-full", false, "with --incremental: take a full backup when none exists yet")
	f.BoolVar(&o.Force, "force", false, "run a routine marked disabled: true")
	f.BoolVar(&o.DryRun, "dry-run", false, "print what would be backed up, write nothing")
	f.BoolVar(&o.Prune, "prune", false, "after a successful full backup, apply the policy's retention")
	o.lock.register(cmd)
}

// registerPolicyFlags: overrides of the routine's backup policy.
func (o *backupOptions) registerPolicyFlags(cmd *cobra.Command) {
	f, g, ov := cmd.Flags(), &o.given, &o.Overrides
	envflag.Optional(g, f.IntVar, &ov.Parallel, "parallel", 0, "scan and write parallelism, 1..1024 (default: the policy's, else 8)")
	envflag.Optional(g, f.IntVar, &ov.FileLimitMiB, "file-limit", 0, "start a new file after this many MiB (0: no limit; default: the policy's, else 250)")
	envflag.Optional(g, f.IntVar, &ov.RecordsPerSecond, "records-per-second", 0, "limit the scan rate (0: no limit)")
	envflag.Optional(g, f.IntVar, &ov.BandwidthMiB, "bandwidth", 0, "limit the write rate in MiB/s (0: no limit)")
	envflag.Optional(g, f.StringVar, &ov.Compression, "compress", "", "compression: NONE or ZSTD (default: the policy's)")
	envflag.Optional(g, f.IntVar, &ov.CompressionLevel, "compression-level", 0, "ZSTD level -1..22")
	envflag.Optional(g, f.StringVar, &ov.Encryption, "encrypt", "", "encryption: NONE, AES128 or AES256 (default: the policy's)")
	envflag.Optional(g, f.StringVar, &ov.KeyFile, "encryption-key-file", "", "file holding the encryption key (PEM)")
	envflag.Optional(g, f.StringVar, &ov.KeyEnv, "encryption-key-env", "", "environment variable holding the encryption key")
	envflag.Optional(g, f.StringVar, &ov.KeySecret, "encryption-key-secret", "", "secret-agent reference of the encryption key")
	envflag.Optional(g, f.BoolVar, &ov.NoRecords, "no-records", false, "back up no records (indexes and UDFs only)")
	envflag.Optional(g, f.BoolVar, &ov.NoIndexes, "no-indexes", false, "back up no secondary indexes")
	envflag.Optional(g, f.BoolVar, &ov.NoUDFs, "no-udfs", false, "back up no UDFs")
	f.StringSliceVar(&ov.SetList, "set-list", nil, "back up only these sets")
	f.StringSliceVar(&ov.BinList, "bin-list", nil, "back up only these bins")
	envflag.Optional(g, f.StringVar, &ov.PartitionList, "partition-list", "", "back up only these partitions: BEGIN-COUNT, ID or base64 digest, comma-separated")
	envflag.Optional(g, f.StringVar, &ov.FilterExp, "filter-exp", "", "back up only records matching this base64-encoded filter expression (replaces the routine's filter-exp)")
	envflag.Optional(g, f.BoolVar, &ov.NoTTLOnly, "no-ttl-only", false, "back up only records without a TTL")
	envflag.Optional(g, f.Int64Var, &ov.MaxRecords, "max-records", 0, "scan at most about this many records (a limit per parallel scan; 0: all)")
	envflag.Optional(g, f.StringVar, &ov.AfterDigest, "after-digest", "", "back up records after this base64 digest in its partition, and all later partitions")
	envflag.Optional(g, f.BoolVar, &ov.NoBins, "no-bins", false, "back up keys and metadata only, no bin data")
	envflag.Optional(g, f.BoolVar, &ov.Compact, "compact", false, "do not base64-encode blobs (smaller files; default: the policy's compact)")
	envflag.Optional(g, f.Int64Var, &ov.ScanPageSize, "scan-page-size", 0, "read records in pages of this many (0: no paging)")
	_ = cmd.RegisterFlagCompletionFunc("compress", fixedCompletion("NONE", "ZSTD"))
	_ = cmd.RegisterFlagCompletionFunc("encrypt", fixedCompletion("NONE", "AES128", "AES256"))
}

// registerShapeFlags: an estimate instead of a backup, one slice of a
// sliced run, the racks to read from, a stream instead of storage.
func (o *backupOptions) registerShapeFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&o.shape.Estimate, "estimate", false, "print the estimated backup size and write nothing")
	f.Int64Var(&o.shape.EstimateSamples, "estimate-samples", 10000, "with --estimate: records to sample")
	f.StringVar(&o.slicing.Slice, "slice", "", "back up slice I of N equal partition shares (I/N, I from 0); needs --run-id or --scheduled-time")
	f.IntVar(&o.slicing.Slices, "slices", 0, "back up one of N slices, taking I from "+backupslice.IndexEnv+" (Kubernetes Indexed Jobs)")
	f.StringVar(&o.slicing.RunID, "run-id", "", "with --slice/--slices: the run folder all slices share, <unix-millis>[_suffix]")
	f.StringVar(&o.slicing.ScheduledTime, "scheduled-time", "", "with --slice/--slices: name the shared run folder after this time (RFC 3339, Unix ms, or a CronJob Job name)")
	f.IntSliceVar(&o.Overrides.PreferRacks, "prefer-racks", nil, "read from nodes of these racks first, in this order (comma-separated rack ids; replaces the cluster's prefer-racks)")
	f.StringVar(&o.shape.Output, "output", "", "-: write one namespace as a single ASB stream to standard output, nothing to storage")
}

// registerResumeFlags: resumable runs and the manifest's checksum.
func (o *backupOptions) registerResumeFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&o.Resumable, "resumable", false, "keep the run's files and scan position when it is interrupted or fails, to be continued later")
	f.BoolVar(&o.Resume, "resume", false, "continue the routine's interrupted resumable backup (exit 3 if there is none)")
	f.BoolVar(&o.NoResume, "no-resume", false, "remove an interrupted resumable backup and start over instead of continuing it")
	o.checksum = checksum.Default
	f.Var(checksum.Flag{Alg: &o.checksum}, "checksum", "checksum of each data file in the manifest: "+checksum.Choices())
	_ = cmd.RegisterFlagCompletionFunc("checksum", fixedCompletion(string(checksum.CRC32C), string(checksum.SHA256)))
}

// markBackupExclusions refuses flags that cannot go together.
func markBackupExclusions(cmd *cobra.Command) {
	cmd.MarkFlagsMutuallyExclusive("encryption-key-file", "encryption-key-env", "encryption-key-secret")
	cmd.MarkFlagsMutuallyExclusive("after-digest", "partition-list")
	cmd.MarkFlagsMutuallyExclusive("estimate", "incremental")
	cmd.MarkFlagsMutuallyExclusive("estimate", "dry-run")
	cmd.MarkFlagsMutuallyExclusive("estimate", "prune")
	cmd.MarkFlagsMutuallyExclusive("slice", "slices")
	cmd.MarkFlagsMutuallyExclusive("run-id", "scheduled-time")
	for _, other := range []string{"estimate", "prune", "after-digest", "output"} {
		cmd.MarkFlagsMutuallyExclusive("slice", other)
		cmd.MarkFlagsMutuallyExclusive("slices", other)
	}
	cmd.MarkFlagsMutuallyExclusive("output", "estimate")
	cmd.MarkFlagsMutuallyExclusive("output", "dry-run")
	cmd.MarkFlagsMutuallyExclusive("output", "prune")
	cmd.MarkFlagsMutuallyExclusive("output", "file-limit")
	cmd.MarkFlagsMutuallyExclusive("resume", "no-resume")
	cmd.MarkFlagsMutuallyExclusive("estimate", "resumable")
	cmd.MarkFlagsMutuallyExclusive("estimate", "resume")
	cmd.MarkFlagsMutuallyExclusive("estimate", "no-resume")
	for _, other := range []string{"resumable", "resume", "no-resume"} {
		cmd.MarkFlagsMutuallyExclusive("slice", other)
		cmd.MarkFlagsMutuallyExclusive("slices", other)
		cmd.MarkFlagsMutuallyExclusive("output", other)
	}
}

// backupLong is the backup command's help.
const backupLong = `Take one backup of a routine: every namespace it names (or --namespace), one
backup-go operation per namespace, written in the ABS layout
<storage>/<routine>/backup/<unix-millis>/data/<namespace>/ with metadata.yaml
written last. A failed or interrupted run leaves nothing behind.

--incremental backs up the records changed since the routine's last backup
(read from storage, so cron needs no local state); without a full backup to
build on it skips with exit status 3, or takes a full with --auto-full.

Every run takes the routine's lock in storage, with ABS's rules: a full never
overlaps another full, a full starts even while an incremental runs, and an
incremental skips while any other backup runs (unless the policy says
concurrent-incremental: true). A run refused by the lock exits 3 naming the
holder; a lock whose heartbeat is older than --lock-stale-after is taken over,
and so, at once, is one left on this host by a run that has ended (killed with
SIGKILL, say): its pid is not running, or is another process now. Either
takeover logs a warning naming the holder's host and pid.

--prune applies the policy's retention after a successful full backup (see
'aerobackup retention prune').

--estimate prints the estimated size of a full backup of each namespace
(backup-go's estimator: the record count times the mean encoded size of
--estimate-samples sampled records, after compression) and writes nothing:
no lock is taken and no folder is created.

Scan selection flags have absctl's meaning: --filter-exp (replacing the
routine's filter-exp; ANDed with the incremental time window),
--no-ttl-only, --max-records (a limit per parallel scan, so approximate),
--after-digest (records after that digest in its partition, then every later
partition), --no-bins, --compact and --scan-page-size.

--slice I/N makes this process one of N that back up a routine together,
each over the I-th of N equal shares of the partitions (of the routine's
partition-list, else all 4096), numbered from 0. --slices N takes I from
JOB_COMPLETION_INDEX, as set in the pods of a Kubernetes Indexed Job. All
slices of a run write into one run folder, named by --run-id (a run folder
name, <unix-millis>[_suffix]) or --scheduled-time (RFC 3339, Unix
milliseconds, or a CronJob's Job name <name>-<unix-minutes>), which every
slice must be given alike. Each slice writes its own files and completion
record; the one that completes the set writes metadata.yaml. Until every
slice is done the run lists as incomplete and is never restored or built
on. A slice that already finished exits 0 doing nothing, so retried pods
are harmless; a failed or interrupted slice removes only its own files.

The cluster's prefer-racks, or --prefer-racks (comma-separated rack ids,
replacing it), reads each partition from a node of the first listed rack
that holds a copy, then the next rack, then any replica (a rack-aware
client and backup-go's PREFER_RACK replica policy). It cannot go with the
routine's node-list or rack-list.

--output - writes exactly one namespace as a single ASB stream to standard
output (the policy's compression and encryption apply) and nothing else:
no storage, no lock, no metadata.yaml; the summary goes to stderr and
--json is refused. 'aerobackup restore --path -' reads the stream back.
With --incremental the lower bound still comes from the routine's catalog.

--resumable makes a run that is interrupted by a signal (exit 129, 130, 131
or 143) or fails keep its folder and backup-go's scan position instead of
removing them, and prints how to continue it. It needs a file limit (the
position is saved each time a file reaches it) and pages the scans
(--scan-page-size, default 10000). Such a run
lists as incomplete ("interrupted; resumable with backup --resume") and is
never restored or used as an incremental base. The next backup of the same
type continues it in the same folder, keeping the files already written and
skipping the namespaces already done; the result is one backup with the
original key and creation time. --resume insists on continuing (exit 3 when
there is nothing to continue); --no-resume removes the interrupted run and
starts over. A continuation reads the files kept from earlier attempts back
once to count their records; records near the saved positions are backed up
twice, which restores correctly (the record counts include the copies). A
continuation records the checksum algorithm the interrupted run started with.

Every data file's size and checksum go into the manifest, aerobackup.yaml
beside metadata.yaml, as the file is written; restore and verify --read-data
compare them. --checksum picks the algorithm: crc32c (the default,
hardware-accelerated) or sha256 (about five times the CPU). Both catch
accidental damage (bit rot, truncation, a bad copy); neither guards against
deliberate tampering, as the manifest sits unprotected beside the data.
Backups written with either, and older ones holding SHA-256, restore and
verify alike. --output - writes no manifest.`

const backupExample = `  aerobackup backup -c /etc/aerospike-backup-service/aerospike-backup-service.yml -r daily
  aerobackup backup -r daily --incremental --auto-full
  aerobackup backup -r daily --estimate --json
  aerobackup backup --host 10.0.0.5:3000 -n test --storage s3://backups/aerospike
  aerobackup backup -r daily --resumable
  aerobackup backup -r daily --resume
  aerobackup backup -r daily --slice 0/4 --run-id 1763712000000
  aerobackup backup -r daily --slices 4 --scheduled-time "$JOB_NAME"   # in an Indexed Job
  aerobackup backup -r daily -n test --output - | zstd > test.asb.zst`

// backupRun is a backup resolved from its flags, handed from step to step
// of runBackup.
type backupRun struct {
	o       *backupOptions
	t       *routine.Target
	pol     *policy.Backup
	mrun    *metrics.Run
	req     plan.BackupRequest
	started time.Time
	log     *slog.Logger
}

// runBackup parses and checks the run, opens the routine's session (the
// cluster connecting meanwhile), asks the planner what to do, runs the job
// and prints what it did.
func runBackup(ctx context.Context, app *App, o *backupOptions) error {
	b, err := o.prepare(app)
	if err == nil {
		err = b.pol.CheckKey(ctx, b.t.SecretAgent()) // a missing key fails now, not once per retry
	}
	switch {
	case err != nil:
		return err
	case o.shape.Output != "":
		// A stream is no backup of the routine: it reports no metrics,
		// which would claim the routine's backup succeeded.
		return runStreamBackup(ctx, app, o, b.t, b.pol)
	case o.shape.Estimate:
		return runEstimate(ctx, app, b.t, b.pol, o.shape.EstimateSamples)
	}
	r := b.t.Routine
	// The cluster connection opens while the storage is opened, locked and
	// its catalog read: neither needs the other, and each costs round
	// trips. A storage, lock or catalog failure is reported (and the
	// connection dropped) before any cluster failure.
	pending := routine.InBackground(ctx, func(ctx context.Context) (*cluster.Conn, error) {
		return app.runtime().Connect(ctx, b.t.Config, r.Cluster(), b.pol.PreferRacks)
	})
	defer pending.Discard()
	sess, err := session.Open(ctx, app.runtime().Opener(b.t, nil), b.sessionOptions(app))
	if err != nil {
		return err
	}
	// Every return below releases the lock, whatever it is at the time.
	defer sess.Release()
	p, conn, err := apply.PlanBackup(sess, b.req, b.pol, r.Namespaces, pending.Wait, b.started, b.log)
	if p.Promoted {
		b.mrun.Type = metrics.Full
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	job, err := b.job(app, sess, conn, p)
	if err != nil {
		return err
	}
	if o.DryRun {
		return app.emit(report.NewBackupDryRun(job))
	}
	app.running(sess.Context())
	res, runErr := job.Run(sess.Context())
	runErr = sess.LostDuring("the backup", runErr)
	if runErr != nil && res == nil {
		return runErr
	}
	return b.finish(app, sess, p, res, runErr)
}

// prepare checks the flags, resolves the routine and its policy and says
// what the planner is asked. For --output and --estimate it stops once the
// policy is known.
func (o *backupOptions) prepare(app *App) (*backupRun, error) {
	o.shape.JSON = app.Globals.JSON
	if err := o.Resolve(o.shape, o.slicing, app.Getenv); err != nil {
		return nil, err
	}
	t, err := app.resolveTarget(&o.target, true)
	if err != nil {
		return nil, err
	}
	b, r := &backupRun{o: o, t: t}, t.Routine
	o.Namespaces = o.target.namespaces
	if o.shape.Output == "" {
		b.mrun = app.metrics.StartBackup(r, o.Incremental) // a stream reports no metrics
	}
	if o.DryRun || o.shape.Estimate {
		app.metrics.Drop() // a dry run or estimate changes nothing, so it reports nothing
	}
	if b.pol, err = o.Policy(r); err != nil {
		return nil, err
	}
	if o.shape.Output != "" || o.shape.Estimate {
		return b, nil // a stream or an estimate needs only the policy
	}
	if b.req, err = o.Request(r, b.pol); err != nil {
		return nil, err
	}
	backupjob.TuneGC(r.Storage() != nil && r.Storage().Local != nil, b.pol.Compression, app.Getenv)
	b.started, b.log = app.Now(), app.Log.With("routine", r.Name)
	return b, nil
}

// sessionOptions lock the routine for the type asked (none for a dry run).
func (b *backupRun) sessionOptions(app *App) session.Options {
	so := app.sessionOptions(b.t, "", b.o.lock)
	b.o.Session(&so, b.t.Routine, b.req)
	return so
}

// job is the plan as backupjob runs it.
func (b *backupRun) job(app *App, sess *session.Session, conn *cluster.Conn, p plan.BackupPlan) (*backupjob.Job, error) {
	r := b.t.Routine
	job := &backupjob.Job{
		Store: sess.Store, Conn: conn, Routine: r.Name, Checksum: b.o.checksum,
		Progress: app.Progress(), Log: app.Log, Now: app.Now, ToolVersion: Version().Version,
	}
	if err := apply.BackupJob(job, b.req, p, b.pol); err != nil {
		return nil, err
	}
	job.WriterOptions = b.o.tune.v.WriterOptions(r.Storage(), b.log)
	return job, nil
}

// finish reports the run, prunes after a successful full when asked, and
// prints the summary.
func (b *backupRun) finish(app *App, sess *session.Session, p plan.BackupPlan, res *backupjob.Result, runErr error) error {
	b.mrun.Records, b.mrun.Bytes = res.Records(), res.Bytes()
	summary := report.NewBackup(res, runErr != nil, p.Resume.Action == plan.Continue, app.Now().Sub(b.started))
	var pruneErr error
	summary.Prune, pruneErr = apply.PruneAfterBackup(sess, b.t.Routine.Name, p, b.o.Prune, runErr, app.Log)
	if err := app.emit(summary); err != nil {
		return err
	}
	if runErr == nil {
		return pruneErr
	}
	return runErr
}

// runEstimate prints the size of a full backup of each namespace (see
// apply.Estimate).
func runEstimate(ctx context.Context, app *App, t *routine.Target, pol *policy.Backup, samples int64) error {
	r := t.Routine
	doc, err := apply.Estimate(ctx, func(ctx context.Context) (*cluster.Conn, error) {
		return app.runtime().Connect(ctx, t.Config, r.Cluster(), pol.PreferRacks)
	}, pol, r.Name, r.Namespaces, samples, app.Log)
	if err != nil {
		return err
	}
	return app.emit(doc)
}

// runStreamBackup writes one namespace as a single ASB stream to standard
// output (see apply.OpenStream).
func runStreamBackup(ctx context.Context, app *App, o *backupOptions, t *routine.Target, pol *policy.Backup) error {
	started := app.Now()
	s, err := apply.OpenStream(ctx, t.Routine, pol, o.Incremental, started,
		func(ctx context.Context) ([]catalog.Backup, error) { return t.Backups(ctx, app.runtime().OpenStore) },
		func(ctx context.Context) (*cluster.Conn, error) {
			return app.runtime().Connect(ctx, t.Config, t.Routine.Cluster(), pol.PreferRacks)
		}, app.Log)
	if err != nil {
		return err
	}
	defer s.Conn.Close()
	s.Out, s.Progress = app.IO.Out, app.Progress()
	stopPipe := interrupt.NotifyBrokenPipe(app.IO.Out)
	defer stopPipe()
	res, err := s.Run(ctx)
	if err != nil {
		return err
	}
	return app.emit(report.NewStream(s, res, app.Now().Sub(started))) // --json cannot go with --output -: the human form
}
