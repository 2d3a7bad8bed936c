package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/metrics"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/restorejob"
	"github.com/aerobackup/aerobackup/internal/session"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
	"github.com/aerobackup/aerobackup/internal/storage/stdinstore"
)

// restoreFlags are shared by restore and restore-at-timestamp.
type restoreFlags struct {
	target       targetFlags
	destination  string
	namespaceMap []string
	dryRun       bool
	opts         policy.RestoreOptions
	keyFile      string
	keyEnv       string
	keySecret    string
	lock         lockFlags
	accessTier   string
	restorePoll  time.Duration
	tune         tuningFlags
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
	fl.StringVar(&f.keyFile, "encryption-key-file", "", "file holding the key of an encrypted backup")
	fl.StringVar(&f.keyEnv, "encryption-key-env", "", "environment variable holding the key of an encrypted backup")
	fl.StringVar(&f.keySecret, "encryption-key-secret", "", "secret-agent reference of the key of an encrypted backup")
	fl.StringVar(&f.accessTier, "access-tier", "", "bring archived files back first and wait for them: S3 restore tier (Standard, Bulk, Expedited)\nor Azure tier to rehydrate to (Hot, Cool, Cold); GCS reads archived objects directly and needs none")
	fl.DurationVar(&f.restorePoll, "restore-poll-duration", storage.DefaultPollInterval, "with --access-tier: how often to check archived files while waiting")
	f.lock.register(cmd)
	_ = cmd.RegisterFlagCompletionFunc("access-tier", fixedCompletion("Standard", "Bulk", "Expedited", "Hot", "Cool", "Cold"))
	cmd.MarkFlagsMutuallyExclusive("unique", "replace")
	cmd.MarkFlagsMutuallyExclusive("encryption-key-file", "encryption-key-env", "encryption-key-secret")
	f.tune.register(cmd, false)
}

// registerValidate adds --validate and --warm-up, which mean the same for
// every step of restore and restore-at-timestamp.
func (f *restoreFlags) registerValidate(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.opts.ValidateOnly, "validate", false, "decode and check the files, write nothing and connect to no cluster")
	fl.IntVar(&f.opts.WarmUp, "warm-up", 0, "open this many connections per node before restoring (0: none)")
	cmd.MarkFlagsMutuallyExclusive("validate", "dry-run")
	cmd.MarkFlagsMutuallyExclusive("validate", "warm-up")
}

// checkAccessTier validates --access-tier and --restore-poll-duration for
// a storage of kind before anything is read, spelling the tier as the
// provider does.
func (f *restoreFlags) checkAccessTier(kind string) error {
	if f.restorePoll <= 0 {
		return outcome.Usage("--restore-poll-duration %s: want a positive duration", f.restorePoll)
	}
	if f.accessTier == "" {
		if f.restorePoll != storage.DefaultPollInterval {
			return outcome.Usage("--restore-poll-duration needs --access-tier")
		}
		return nil
	}
	tier, err := storage.CheckAccessTier(kind, f.accessTier)
	if err != nil {
		return outcome.Usage("--access-tier: %v", err)
	}
	f.accessTier = tier
	return nil
}

// parseNamespaceMap reads SRC=DST pairs.
func parseNamespaceMap(pairs []string) (map[string]string, error) {
	m := map[string]string{}
	for _, p := range pairs {
		src, dst, ok := strings.Cut(p, "=")
		src, dst = strings.TrimSpace(src), strings.TrimSpace(dst)
		if !ok || src == "" || dst == "" {
			return nil, outcome.Usage("--namespace-map %q: want SRC=DST", p)
		}
		if _, dup := m[src]; dup {
			return nil, outcome.Usage("--namespace-map: namespace %q mapped twice", src)
		}
		m[src] = dst
	}
	return m, nil
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
--ignore-record-error accepts such a restore: exit 0, with a warning.`,
		Example: `  aerobackup restore -r daily --backup daily/backup/1763712000000
  aerobackup restore -r daily --backup daily/backup/1763712000000 --namespace-map test=test_copy
  aerobackup restore --path /mnt/asbackup/test --host 127.0.0.1:3000 --namespace test
  aerobackup restore -r daily --backup daily/backup/1763712000000 --validate
  zstd -dc test.asb.zst | aerobackup restore --path - --host 127.0.0.1:3000 --namespace test`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.tune.apply(cmd, app, nil); err != nil {
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

// restoreSummary is the --json document of a restore.
type restoreSummary struct {
	Type       string             `json:"type"`
	Outcome    string             `json:"outcome"`
	DryRun     bool               `json:"dry-run,omitempty"`
	Validate   bool               `json:"validate-only,omitempty"`
	WritePlan  string             `json:"write-policy"`
	Steps      []restorePlanStep  `json:"plan,omitempty"`
	Result     *restorejob.Result `json:"result,omitempty"`
	Totals     *restorejob.Counts `json:"totals,omitempty"`
	Recovery   *time.Time         `json:"recovery-point,omitempty"`
	Warnings   []string           `json:"warnings,omitempty"`
	DurationMs int64              `json:"duration-millis"`
}

type restorePlanStep struct {
	Order       int       `json:"order"`
	Key         string    `json:"key"`
	Type        string    `json:"type,omitempty"`
	Created     time.Time `json:"created,omitzero"`
	Source      string    `json:"source-namespace"`
	Destination string    `json:"destination-namespace"`
	Records     uint64    `json:"record-count"`
	WritePolicy string    `json:"write-policy"`
}

func runRestore(ctx context.Context, app *App, o *restoreOptions) error {
	nsMap, err := parseNamespaceMap(o.namespaceMap)
	if err != nil {
		return err
	}
	base, err := policy.NewRestore(o.opts)
	if err != nil {
		return err
	}

	var (
		store storage.Store
		steps []restorejob.Step
		t     *target
		dest  *config.AerospikeCluster
	)
	validate := o.opts.ValidateOnly
	if o.path == "-" {
		if err := o.checkAccessTier(config.KindLocal); err != nil {
			return err
		}
		if o.accessTier != "" {
			return outcome.Usage("--access-tier does not apply to --path - (standard input)")
		}
		cfg, err := app.loadConfig()
		if err != nil {
			return err
		}
		t = &target{cfg: cfg}
		if !o.dryRun && !validate {
			app.reportRun(metrics.Restore, "", "")
			if dest, err = app.destinationCluster(t, o.destination, &o.target); err != nil {
				return err
			}
		}
		step, in, err := streamStep(app.IO.In, o)
		if err != nil {
			return err
		}
		store = stdinstore.Store{In: in,
			Plain: isNone(step.Compression) && isNone(step.Encryption)}
		steps = append(steps, step)
	} else if o.path != "" {
		if !filepath.IsAbs(o.path) {
			abs, err := filepath.Abs(o.path)
			if err != nil {
				return outcome.Usage("--path %q: %v", o.path, err)
			}
			o.path = abs
		}
		if st, err := os.Stat(o.path); err != nil || !st.IsDir() {
			return outcome.Usage("--path %q: not a folder", o.path)
		}
		if err := o.checkAccessTier(config.KindLocal); err != nil {
			return err
		}
		cfg, err := app.loadConfig()
		if err != nil {
			return err
		}
		t = &target{cfg: cfg}
		if !o.dryRun && !validate {
			app.reportRun(metrics.Restore, "", "")
		}
		if !validate {
			if dest, err = app.destinationCluster(t, o.destination, &o.target); err != nil {
				return err
			}
		}
		store, err = localstore.New(o.path)
		if err != nil {
			return err
		}
		defer store.Close()
		step, err := app.pathStep(ctx, store, o)
		if err != nil {
			return err
		}
		steps = append(steps, step)
	} else {
		key, err := catalog.ParseKey(o.backupKey)
		if err != nil {
			return outcome.Usage("--backup %q: %v (take a key from 'aerobackup list')", o.backupKey, err)
		}
		if o.target.routine == "" {
			o.target.routine = key.Routine
		}
		if t, err = app.resolveTarget(&o.target, false); err != nil {
			return err
		}
		if err := o.checkAccessTier(t.routine.Storage().Kind()); err != nil {
			return err
		}
		if !o.dryRun && !validate {
			app.reportRun(metrics.Restore, t.name(), "")
		}
		// The destination is checked before storage is read.
		if !validate {
			if dest, err = app.destinationCluster(t, o.destination, &o.target); err != nil {
				return err
			}
		}
		// A restore lock keeps a prune from deleting the backup under us;
		// restores do not exclude each other.
		so := app.sessionOptions(t, unlessDry(lock.Restore, o.dryRun), o.lock)
		so.Routine, so.Filter = key.Routine, catalog.Filter{Routines: []string{key.Routine}, Type: key.Type, From: key.Time, To: key.Time}
		sess, err := session.Open(ctx, app.storeOpener(t, func(st storage.Store) storage.Store {
			return storage.WithAccessTier(st, o.accessTier, o.restorePoll, app.Log)
		}), so)
		if err != nil {
			return err
		}
		defer sess.Release()
		ctx, store = sess.Context(), sess.Store
		b, err := findBackup(sess.Listing, store, key)
		if err != nil {
			return err
		}
		for _, nb := range b.Namespaces {
			if key.Namespace != "" && nb.Namespace != key.Namespace {
				continue
			}
			if len(o.target.namespaces) > 0 && !contains(o.target.namespaces, nb.Namespace) {
				continue
			}
			steps = append(steps, restorejob.Step{Label: b.Key, Dir: nb.Dir, Source: nb.Namespace,
				Compression: nb.Metadata.Compression, Encryption: nb.Metadata.Encryption,
				ExpectedRecords: nb.Metadata.RecordCount})
		}
		if len(steps) == 0 {
			return outcome.Usage("backup %s holds none of the namespaces %s", b.Key, strings.Join(o.target.namespaces, ", "))
		}
	}
	for i := range steps {
		steps[i].Destination = steps[i].Source
		if dst, ok := nsMap[steps[i].Source]; ok {
			steps[i].Destination = dst
		}
		steps[i].Config = base
	}
	for src, dst := range nsMap {
		if !stepsHaveSource(steps, src) {
			what := "the backup"
			if o.path == "-" {
				what = "the stream on standard input"
			}
			return outcome.Usage("--namespace-map %s=%s: %s holds no namespace %q (it holds %s)", src, dst, what, src, stepSources(steps))
		}
	}
	chains := make([]restorejob.Chain, 0, len(steps))
	for _, s := range steps {
		chains = append(chains, restorejob.Chain{Namespace: s.Destination, Steps: []restorejob.Step{s}})
	}
	if o.dryRun {
		return printRestorePlan(app, chains, policy.WriteMode(base), nil, nil)
	}

	// --validate decodes into backup-go's discarding writers: no cluster.
	var conn *cluster.Conn
	if !validate {
		if conn, err = app.connect(ctx, t.cfg, dest); err != nil {
			return err
		}
		defer conn.Close()
	}

	return app.runRestoreJob(ctx, &restorejob.Job{Store: store, Conn: conn, Chains: chains, Parallel: true, WarmUp: o.opts.WarmUp,
		KeyFile: o.keyFile, KeyEnv: o.keyEnv, KeySecret: o.keySecret, SecretAgent: policy.SecretAgentConfig(routineAgent(t)),
		Progress: app.Progress(), Log: app.Log}, policy.WriteMode(base), nil)
}

// runRestoreJob runs a job and prints its summary.
func (a *App) runRestoreJob(ctx context.Context, job *restorejob.Job, writeMode string, recovery *time.Time) error {
	if !job.ValidateOnly() {
		tuneRestoreGC(a.Getenv)
	}
	started := a.Now()
	res, err := job.Run(ctx)
	if a.metricsRun != nil && res != nil {
		t := res.Totals()
		a.metricsRun.Records, a.metricsRun.Bytes, a.metricsRun.Refused = t.Inserted, t.BytesRead, t.Refused
	}
	sum := restoreSummary{Type: "restore", Outcome: "success", WritePlan: writeMode, Result: res,
		Recovery: recovery, DurationMs: a.Now().Sub(started).Milliseconds(), Validate: job.ValidateOnly()}
	if res != nil {
		t := res.Totals()
		sum.Totals = &t
	}
	if err != nil {
		sum.Outcome = "failed"
		if ctx.Err() != nil {
			sum.Outcome = "interrupted"
		}
	}
	if a.Globals.JSON {
		if jerr := a.writeJSON(sum); jerr != nil && err == nil {
			err = jerr
		}
	} else if sum.Totals != nil && sum.Validate {
		t := sum.Totals
		d := time.Duration(sum.DurationMs) * time.Millisecond
		fmt.Fprintf(a.IO.Err, "validate %s: %d records found, %d indexes, %d UDFs, %d bytes read in %s, %s checked (nothing written)\n",
			sum.Outcome, t.Read, t.SIndexes, t.UDFs, t.BytesRead, d.Round(time.Millisecond), plural(len(res.Steps), "backup"))
	} else if sum.Totals != nil {
		t := sum.Totals
		d := time.Duration(sum.DurationMs) * time.Millisecond
		// Refused records fail the restore, or were skipped with
		// --ignore-record-error.
		refused := ""
		if t.Refused > 0 {
			refused = fmt.Sprintf(", %d refused by the server", t.Refused)
		}
		fmt.Fprintf(a.IO.Err, "restore %s: %d records read, %d written, %d already present, %d older than the cluster's, %d expired, %d skipped%s, %d indexes, %d UDFs in %s\n",
			sum.Outcome, t.Read, t.Inserted, t.Existed, t.Fresher, t.Expired, t.Skipped, refused, t.SIndexes, t.UDFs, d.Round(time.Millisecond))
	}
	return err
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func isNone(mode string) bool { return mode == "" || strings.EqualFold(mode, "NONE") }

func routineAgent(t *target) *config.SecretAgent {
	if t == nil || t.routine == nil {
		return nil
	}
	return t.routine.SecretAgent()
}

// pathStep builds the step for --path: metadata.yaml when the folder has
// one, else the --compress/--encrypt flags.
func (a *App) pathStep(ctx context.Context, store storage.Store, o *restoreOptions) (restorejob.Step, error) {
	step := restorejob.Step{Label: o.path, Dir: ""}
	meta, err := catalog.LoadMetadata(ctx, store, "")
	var sliced *catalog.IncompleteSlicesError
	switch {
	case errors.As(err, &sliced):
		return step, fmt.Errorf("--path %q is incomplete, refusing to restore it: %s", o.path, sliced.Set.Reason())
	case err == nil:
		step.Source = meta.Namespace
		step.Compression, step.Encryption = meta.Compression, meta.Encryption
		step.ExpectedRecords = meta.RecordCount
	case errors.Is(err, storage.ErrNotFound):
		if len(o.target.namespaces) != 1 {
			return step, outcome.Usage("--path %q has no metadata.yaml: name the backup's namespace with --namespace", o.path)
		}
		step.Source = o.target.namespaces[0]
	default:
		return step, fmt.Errorf("--path %q: %w", o.path, err)
	}
	if o.compress != "" {
		step.Compression = strings.ToUpper(o.compress)
	}
	if o.encrypt != "" {
		step.Encryption = strings.ToUpper(o.encrypt)
	}
	return step, nil
}

// streamStep builds the step for --path -: the namespace is the one the
// stream's ASB header names (read ahead, nothing consumed: in replays the
// stream), --namespace when given must agree with it. An encrypted stream
// cannot be read ahead without the key, so it needs --namespace.
func streamStep(stdin io.Reader, o *restoreOptions) (restorejob.Step, io.Reader, error) {
	step := restorejob.Step{Label: "stdin", Compression: strings.ToUpper(o.compress), Encryption: strings.ToUpper(o.encrypt)}
	var given string
	switch n := len(o.target.namespaces); {
	case n > 1:
		return step, nil, outcome.Usage("--path - reads one namespace's stream; --namespace names %d (%s)", n, strings.Join(o.target.namespaces, ", "))
	case n == 1:
		given = o.target.namespaces[0]
	}
	if !isNone(step.Encryption) {
		if given == "" {
			return step, nil, outcome.Usage("--path - with --encrypt %s: the stream's namespace cannot be read before it is decrypted; name it with --namespace", step.Encryption)
		}
		step.Source = given
		return step, stdin, nil
	}
	ns, in, err := stdinstore.PeekNamespace(stdin, !isNone(step.Compression))
	switch {
	case err == nil && given != "" && ns != given:
		return step, nil, outcome.Usage("--namespace %s: the stream on standard input holds namespace %q, not %q", given, ns, given)
	case err == nil:
		step.Source = ns
	case given != "":
		// The restore's decoder says what is wrong with the stream.
		step.Source = given
	case errors.Is(err, stdinstore.ErrNotASB) && isNone(step.Compression):
		return step, nil, fmt.Errorf("--path -: %w: for a compressed stream add --compress ZSTD, for an encrypted one --encrypt and --namespace", err)
	default:
		return step, nil, fmt.Errorf("--path -: %w", err)
	}
	return step, in, nil
}

// findBackup picks one run from the catalog of store.
func findBackup(l catalog.Listing, store storage.Store, key catalog.Key) (*catalog.Backup, error) {
	var reasons []string
	want := key.Dir()
	if key.Namespace != "" {
		want = catalog.NamespaceDir(want, key.Namespace)
	}
	for _, inc := range l.Incomplete {
		if inc.Path == want || strings.HasPrefix(inc.Path, want+"/") {
			reasons = append(reasons, fmt.Sprintf("%s: %s", inc.Path, inc.Reason))
		}
	}
	for i := range l.Backups {
		if l.Backups[i].Key == key.Dir() {
			if len(reasons) > 0 {
				// Some namespace of the run is unfinished (a sliced run
				// waiting for a slice): refuse rather than restore part.
				return nil, fmt.Errorf("backup %s is incomplete, refusing to restore it: %s", key.Dir(), strings.Join(reasons, "; "))
			}
			return &l.Backups[i], nil
		}
	}
	if len(reasons) > 0 {
		return nil, fmt.Errorf("backup %s is incomplete, refusing to restore it: %s", key.Dir(), strings.Join(reasons, "; "))
	}
	return nil, fmt.Errorf("backup %s not found in %s", key.Dir(), store)
}

// stepSources lists the steps' namespaces, sorted, for a message.
func stepSources(steps []restorejob.Step) string {
	var names []string
	for _, s := range steps {
		if !contains(names, s.Source) {
			names = append(names, s.Source)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func stepsHaveSource(steps []restorejob.Step, ns string) bool {
	for _, s := range steps {
		if s.Source == ns {
			return true
		}
	}
	return false
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func printRestorePlan(app *App, chains []restorejob.Chain, writeMode string, recovery *time.Time, warnings []string) error {
	var plan []restorePlanStep
	n := 0
	sort.SliceStable(chains, func(i, j int) bool { return chains[i].Namespace < chains[j].Namespace })
	for _, c := range chains {
		for _, s := range c.Steps {
			n++
			wm := writeMode
			if s.Config != nil {
				wm = policy.WriteMode(s.Config)
			}
			plan = append(plan, restorePlanStep{Order: n, Key: s.Label, Source: s.Source, Destination: s.Destination,
				Records: s.ExpectedRecords, WritePolicy: wm})
		}
	}
	if app.Globals.JSON {
		return app.writeJSON(restoreSummary{Type: "restore", Outcome: "dry-run", DryRun: true, WritePlan: writeMode,
			Steps: plan, Recovery: recovery, Warnings: warnings})
	}
	fmt.Fprintln(app.IO.Out, "dry run: would restore, in this order:")
	for _, p := range plan {
		fmt.Fprintf(app.IO.Out, "  %2d. %s  %s -> %s  (%d records, %s)\n", p.Order, p.Key, p.Source, p.Destination, p.Records, p.WritePolicy)
	}
	if recovery != nil {
		fmt.Fprintf(app.IO.Out, "recovery point: %s\n", recovery.UTC().Format(time.RFC3339Nano))
	}
	return nil
}
