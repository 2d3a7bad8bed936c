package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/metrics"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/records"
	"github.com/aerobackup/aerobackup/internal/report"
	"github.com/aerobackup/aerobackup/internal/restorejob"
	"github.com/aerobackup/aerobackup/internal/restoresource"
	"github.com/aerobackup/aerobackup/internal/routine"
	"github.com/aerobackup/aerobackup/internal/session"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// restoreFlags are shared by restore and restore-at-timestamp.
type restoreFlags struct {
	target       targetFlags
	destination  string
	namespaceMap []string
	dryRun       bool
	opts         policy.RestoreOptions
	key          keyFlags
	lock         lockFlags
	accessTier   string
	restorePoll  time.Duration
	tune         tuningFlags
	records      recordFlags
	// only is the records --key, --digest or --keys-file select.
	only *records.Selection
}

func (f *restoreFlags) register(cmd *cobra.Command) {
	f.target.register(cmd, true)
	f.opts = policy.DefaultRestoreOptions()
	fl := cmd.Flags()
	fl.StringVar(&f.destination, "destination", "", "target cluster from aerospike-clusters (default: the routine's)")
	fl.StringArrayVar(&f.namespaceMap, "namespace-map", nil, "restore namespace SRC under the name DST (SRC=DST, repeatable)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print what would be restored, write nothing")
	fl.IntVar(&f.opts.Parallel, "parallel", f.opts.Parallel, "restore workers, 1..1024")
	fl.IntVar(&f.opts.BatchSize, "batch-size", f.opts.BatchSize, "records per batch write")
	fl.IntVar(&f.opts.MaxAsyncBatches, "max-async-batches", f.opts.MaxAsyncBatches, "batch writes in flight")
	fl.BoolVar(&f.opts.DisableBatchWrites, "disable-batch-writes", false, "write records one by one")
	fl.BoolVar(&f.opts.Unique, "unique", false, "never overwrite an existing record (CREATE_ONLY)")
	fl.BoolVar(&f.opts.Replace, "replace", false, "replace existing records whole instead of merging bins")
	fl.BoolVar(&f.opts.NoGeneration, "no-generation", false, "overwrite records whatever their generation")
	fl.Int64Var(&f.opts.ExtraTTL, "extra-ttl", 0, "add this many seconds to every restored record's TTL")
	fl.StringSliceVar(&f.opts.SetList, "set-list", nil, "restore only these sets")
	fl.StringSliceVar(&f.opts.BinList, "bin-list", nil, "restore only these bins")
	fl.BoolVar(&f.opts.NoRecords, "no-records", false, "restore no records")
	fl.BoolVar(&f.opts.NoIndexes, "no-indexes", false, "restore no secondary indexes")
	fl.BoolVar(&f.opts.NoUDFs, "no-udfs", false, "restore no UDFs")
	fl.IntVar(&f.opts.RecordsPerSecond, "records-per-second", 0, "limit the write rate (0: no limit)")
	fl.IntVar(&f.opts.BandwidthMiB, "bandwidth", 0, "limit the read rate in MiB/s (0: no limit)")
	fl.DurationVar(&f.opts.SocketTimeout, "socket-timeout", f.opts.SocketTimeout, "socket timeout of each write")
	fl.DurationVar(&f.opts.TotalTimeout, "total-timeout", 0, "total timeout of each write (0: none)")
	fl.DurationVar(&f.opts.RetryBase, "retry-base-timeout", f.opts.RetryBase, "first pause before retrying a failed write")
	fl.Float64Var(&f.opts.RetryMultiplier, "retry-multiplier", f.opts.RetryMultiplier, "growth of the pause between retries")
	fl.UintVar(&f.opts.RetryMax, "retry-max-retries", f.opts.RetryMax, "retries of a failed write (0: none)")
	fl.BoolVar(&f.opts.IgnoreRecordError, "ignore-record-error", false, "accept a restore in which the server refused records (not restored): exit 0 with a warning")
	fl.BoolVar(&f.opts.ApplyMetadataLast, "apply-metadata-last", false, "restore secondary indexes and UDFs after the records")
	f.key.register(cmd)
	fl.StringVar(&f.accessTier, "access-tier", "", "bring archived files back first and wait for them: S3 restore tier (Standard, Bulk, Expedited)\nor Azure tier to rehydrate to (Hot, Cool, Cold); GCS reads archived objects directly and needs none")
	fl.DurationVar(&f.restorePoll, "restore-poll-duration", storage.DefaultPollInterval, "with --access-tier: how often to check archived files while waiting")
	f.lock.register(cmd)
	f.records.register(cmd)
	_ = cmd.RegisterFlagCompletionFunc("access-tier", fixedCompletion("Standard", "Bulk", "Expedited", "Hot", "Cool", "Cold"))
	cmd.MarkFlagsMutuallyExclusive("unique", "replace")
	f.tune.register(cmd, nil)
}

// registerValidate adds --validate and --warm-up, which mean the same for
// every step of restore and restore-at-timestamp.
func (f *restoreFlags) registerValidate(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.opts.ValidateOnly, "validate", false, "decode and check the files, write nothing and connect to no cluster")
	fl.IntVar(&f.opts.WarmUp, "warm-up", restorejob.AutoWarmUp, "open this many connections per node before restoring (-1: as many as it writes at once; 0: none)")
	cmd.MarkFlagsMutuallyExclusive("validate", "dry-run")
	cmd.MarkFlagsMutuallyExclusive("validate", "warm-up")
}

// checkAccessTier validates --access-tier and --restore-poll-duration for
// a storage of kind before anything is read, spelling the tier as the
// provider does.
func (f *restoreFlags) checkAccessTier(kind string) error {
	tier, err := storage.CheckRestoreTier(kind, f.accessTier, f.restorePoll)
	if err != nil {
		return outcome.AsUsage(err)
	}
	f.accessTier = tier
	return nil
}

// ask is what the flags both restores share ask.
func (f *restoreFlags) ask() restoresource.Ask {
	return restoresource.Ask{Namespaces: f.target.namespaces, NamespaceMap: f.namespaceMap, Options: f.opts,
		Records: f.records.spec}
}

type restoreOptions struct {
	restoreFlags
	backupKey string
	path      string
	compress  string
	encrypt   string
}

func newRestoreCmd(app *App) *cobra.Command {
	o := &restoreOptions{}
	cmd := &cobra.Command{
		Use:   "restore",
		Short: "Restore one backup (--backup KEY from list, or --path DIR of .asb files)",
		Long: `Restore one backup into a cluster. --backup takes a key as 'aerobackup list' prints
it (a run, "<routine>/backup/<millis>", or one namespace of it, ".../data/<ns>");
--path takes any folder of .asb files, such as one written by absctl or asbackup;
--path - reads one ASB stream from standard input, of the namespace its header
names (an encrypted stream: of --namespace).
Compression and encryption come from the backup's metadata.yaml (for a folder
or stream without one: --compress and --encrypt); the key comes from you. The
destination is the routine's cluster, --destination NAME from the config, or an
ad-hoc --host. --validate decodes and checks the files and connects to no
cluster.

A record the server refuses (too big for the namespace, forbidden by its
configuration...) is not restored, and the restore fails with exit 1 saying
how many records and why, even though the others were written.
--ignore-record-error accepts such a restore: exit 0, with a warning.

--key (with --set and --key-type), --digest and --keys-file restore only those
records, each whole (REPLACE, whatever its generation; --unique: only where it
is absent; --bin-list: only those bins), reading only the files that can hold
them; a record the backup does not hold is reported and left as it is (exit 1
when it holds none). --dry-run lists which version of each would be written.`,
		Example: `  aerobackup restore -r daily --backup daily/backup/1763712000000
  aerobackup restore -r daily --backup daily/backup/1763712000000 --set users --key customer-42
  aerobackup restore -r daily --backup daily/backup/1763712000000 --namespace-map test=test_copy
  aerobackup restore --path /mnt/asbackup/test --host 127.0.0.1:3000 --namespace test
  aerobackup restore -r daily --backup daily/backup/1763712000000 --validate
  zstd -dc test.asb.zst | aerobackup restore --path - --host 127.0.0.1:3000 --namespace test`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.tune.apply(cmd, app); err != nil {
				return err
			}
			return runRestore(cmd.Context(), app, o)
		},
	}
	o.register(cmd)
	f := cmd.Flags()
	f.StringVar(&o.backupKey, "backup", "", "backup key as printed by list")
	f.StringVar(&o.path, "path", "", "folder of .asb files to restore (instead of --backup); -: one ASB stream from standard input")
	f.StringVar(&o.compress, "compress", "", "with --path and no metadata.yaml: compression of the files (NONE or ZSTD)")
	f.StringVar(&o.encrypt, "encrypt", "", "with --path and no metadata.yaml: encryption of the files (NONE, AES128, AES256)")
	o.registerValidate(cmd)
	cmd.MarkFlagsMutuallyExclusive("backup", "path")
	cmd.MarkFlagsOneRequired("backup", "path")
	_ = cmd.RegisterFlagCompletionFunc("compress", fixedCompletion("NONE", "ZSTD"))
	_ = cmd.RegisterFlagCompletionFunc("encrypt", fixedCompletion("NONE", "AES128", "AES256"))
	return cmd
}

func runRestore(ctx context.Context, app *App, o *restoreOptions) error {
	req, err := o.request()
	if err != nil {
		return err
	}
	src, err := o.open(ctx, app, req)
	if err != nil {
		return err
	}
	defer src.Release()
	chains, writeMode := src.Plan.Chains(), policy.WriteMode(req.Base)
	if o.only != nil {
		return o.restoreRecords(src.Ctx, app, src.Target, src.Store, src.Dest, chains, nil)
	}
	if o.dryRun {
		return app.emit(report.NewRestoreDryRun(chains, writeMode))
	}
	conn, err := o.connect(src.Ctx, app, src.Target, src.Dest)
	if err != nil {
		return err
	}
	defer conn.Close()
	return app.runRestoreJob(src.Ctx, o.job(app, src.Target, src.Store, conn, chains), writeMode, nil)
}

// request reads restore's flags into what the planner is asked.
func (o *restoreOptions) request() (req plan.RestoreRequest, err error) {
	ask := restoresource.RestoreAsk{Ask: o.ask(), Backup: o.backupKey, Path: o.path, Compress: o.compress, Encrypt: o.encrypt}
	req, o.only, err = ask.Request()
	return req, err
}

// open opens what the restore reads and plans its steps (see
// restoresource.Open).
func (o *restoreOptions) open(ctx context.Context, app *App, req plan.RestoreRequest) (*restoresource.Source, error) {
	opening := o.opening(app)
	opening.In, opening.Config = app.IO.In, app.loadConfig
	return restoresource.Open(ctx, req, opening)
}

// opening is what both restores open through: their routine (its access
// tier checked), metrics, session and destination.
func (f *restoreFlags) opening(app *App) restoresource.Opening {
	return restoresource.Opening{Writes: !f.dryRun && !f.opts.ValidateOnly, Routine: f.target.routine, CheckTier: f.checkAccessTier,
		Resolve: func(name string) (*routine.Target, error) {
			f.target.routine = name
			return app.resolveTarget(&f.target, false)
		},
		Started:     func(name string) { app.metrics.Start(metrics.Restore, name, "") },
		Destination: func(t *routine.Target) (*config.AerospikeCluster, error) { return f.destinationCluster(app, t) },
		Session: func(ctx context.Context, t *routine.Target, scope func(*session.Options)) (*session.Session, error) {
			return f.openSession(ctx, app, t, scope)
		},
	}
}

// openSession opens t's storage, bringing archived files back first with
// --access-tier, and scans its catalog. A restore lock keeps a prune from
// deleting the backup under us; restores do not exclude each other.
func (f *restoreFlags) openSession(ctx context.Context, app *App, t *routine.Target, scope func(*session.Options)) (*session.Session, error) {
	so := app.sessionOptions(t, unlessDry(lock.Restore, f.dryRun), f.lock)
	if scope != nil {
		scope(&so)
	}
	return session.Open(ctx, app.runtime().Opener(t, func(st storage.Store) storage.Store {
		return storage.WithAccessTier(st, f.accessTier, f.restorePoll, app.Log)
	}), so)
}

// destinationCluster is the cluster to restore into: --destination from
// the config, an ad-hoc --host, or the routine's own; none for --validate.
func (f *restoreFlags) destinationCluster(app *App, t *routine.Target) (*config.AerospikeCluster, error) {
	if f.opts.ValidateOnly {
		return nil, nil
	}
	return routine.Destination(t.Config, t.Routine, f.destination, f.target.adhocCluster())
}

// connect connects to dest; --validate decodes into backup-go's
// discarding writers and connects to no cluster.
func (f *restoreFlags) connect(ctx context.Context, app *App, t *routine.Target, dest *config.AerospikeCluster) (*cluster.Conn, error) {
	if f.opts.ValidateOnly {
		return nil, nil
	}
	return app.runtime().Connect(ctx, t.Config, dest, nil)
}

// job is the restore of chains from store into conn.
func (f *restoreFlags) job(app *App, t *routine.Target, store storage.Store, conn *cluster.Conn, chains []restorejob.Chain) *restorejob.Job {
	k := f.key.source(app, t)
	return &restorejob.Job{Store: store, Conn: conn, Chains: chains, Parallel: true, WarmUp: f.opts.WarmUp,
		KeyFile: k.File, KeyEnv: k.Env, KeySecret: k.Secret, SecretAgent: k.Agent,
		Progress: app.Progress(), Log: app.Log, Only: f.only}
}

// runRestoreJob runs a job and emits its summary.
func (a *App) runRestoreJob(ctx context.Context, job *restorejob.Job, writeMode string, recovery *time.Time) error {
	if !job.ValidateOnly() {
		restorejob.TuneGC(a.Getenv)
	}
	started := a.Now()
	a.running(ctx)
	res, err := job.Run(ctx)
	sum := report.NewRestore(res, err, ctx.Err() != nil)
	sum.WritePlan, sum.Validate, sum.Recovery = writeMode, job.ValidateOnly(), recovery
	sum.DurationMs = a.Now().Sub(started).Milliseconds()
	if t := sum.Totals; t != nil {
		a.metrics.Restored(t.Inserted, t.BytesRead, t.Refused)
	}
	if eerr := a.emit(sum); eerr != nil && err == nil {
		err = eerr
	}
	return err
}
