package cli

import (
	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go/models"
	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/envflag"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/routine"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// tuningFlags are absctl's flags that tune the Aerospike client and the
// cloud SDKs rather than choose what is backed up: the info policy and the
// SDKs' retries and timeouts (backup, restore, restore-at-timestamp); on
// backup the scan's timeouts and own retries, node and rack selection,
// upload concurrency and the local write buffer; on restore the read
// retries. Durations take units (90s, 500ms) where absctl takes ms.
type tuningFlags struct {
	// ov receives the backup-only flags; nil on restore.
	ov    *policy.BackupOverrides
	given envflag.Given

	// On restore each storage tuning also holds backup-go's read retries.
	v routine.Tuning
}

// register adds the flags; on backup after every other flag, as it marks
// groups with them.
func (t *tuningFlags) register(cmd *cobra.Command, ov *policy.BackupOverrides) {
	t.ov = ov
	f := cmd.Flags()
	defInfo, _ := cluster.Settings{}.InfoPolicies()
	defRetry := models.NewDefaultRetryPolicy()
	s3, gcs, azure := &t.v.Storage.S3, &t.v.Storage.GCS, &t.v.Storage.Azure
	f.DurationVar(&t.v.InfoTimeout, "info-timeout", defInfo.Timeout, "timeout of each info command sent to the cluster (0: none)")
	f.DurationVar(&t.v.InfoInterval, "info-retry-interval", defRetry.BaseTimeout, "first pause before retrying a failed info command")
	f.Float64Var(&t.v.InfoMultiplier, "info-retry-multiplier", defRetry.Multiplier, "growth of the pause between info retries (at least 1)")
	f.UintVar(&t.v.InfoMaxRetries, "info-max-retries", defRetry.MaxRetries, "retries of a failed info command (0: none)")

	f.IntVar(&s3.MaxAttempts, "s3-retry-max-attempts", 0, "attempts per S3 request, the first included (0: the SDK's 3)")
	f.DurationVar(&s3.MaxBackoff, "s3-retry-max-backoff", 0, "longest pause between S3 retries (0: the SDK's 20s)")
	f.DurationVar(&s3.RequestTimeout, "s3-request-timeout", 0, "timeout of one S3 request, its body included (0: none)")
	f.IntVar(&gcs.MaxConnsPerHost, "gcp-max-conns-per-host", 0, "connections to GCS at most (0: no limit)")
	f.DurationVar(&gcs.RequestTimeout, "gcp-request-timeout", 0, "timeout of one GCS request, its body included (0: none)")
	f.IntVar(&gcs.MaxAttempts, "gcp-retry-max-attempts", 0, "attempts per GCS request, the first included (0: 4)")
	f.DurationVar(&gcs.MaxBackoff, "gcp-retry-max-backoff", 0, "longest pause between GCS retries (0: 30s)")
	f.DurationVar(&gcs.InitialBackoff, "gcp-retry-init-backoff", 0, "first pause before a GCS retry (0: 1s)")
	f.Float64Var(&gcs.BackoffMultiplier, "gcp-retry-backoff-multiplier", 0, "growth of the pause between GCS retries, at least 1 (0: 2)")
	f.IntVar(&azure.MaxConnsPerHost, "azure-max-conns-per-host", 0, "connections to Azure Blob storage at most (0: no limit)")
	f.DurationVar(&azure.RequestTimeout, "azure-request-timeout", 0, "timeout of one Azure request, its body included (0: none)")
	f.IntVar(&azure.MaxAttempts, "azure-retry-max-attempts", 0, "retries of a failed Azure request, after the first try (0: 3)")
	f.DurationVar(&azure.MaxBackoff, "azure-retry-max-delay", 0, "longest pause between Azure retries (0: 4s)")
	f.DurationVar(&azure.InitialBackoff, "azure-retry-delay", 0, "first pause before an Azure retry (0: 500ms)")

	if ov == nil {
		for _, p := range []struct {
			name string
			tune *storage.Tuning
		}{{"s3", s3}, {"gcp", gcs}, {"azure", azure}} {
			r := models.NewDefaultRetryPolicy()
			p.tune.ReadRetry = r
			f.DurationVar(&r.BaseTimeout, p.name+"-retry-read-backoff", defRetry.BaseTimeout, "first pause before reading a backup file again after an error (from where it stopped)")
			f.Float64Var(&r.Multiplier, p.name+"-retry-read-multiplier", defRetry.Multiplier, "growth of the pause between read retries (at least 1)")
			f.UintVar(&r.MaxRetries, p.name+"-retry-read-max-attempts", defRetry.MaxRetries, "retries of a failed backup-file read (0: none)")
		}
		return
	}
	envflag.Optional(&t.given, f.DurationVar, &ov.SocketTimeout, "socket-timeout", 0, "socket idle timeout of the scans (default: the policy's socket-timeout, else 1m; 0: total-timeout)")
	envflag.Optional(&t.given, f.DurationVar, &ov.TotalTimeout, "total-timeout", 0, "total timeout of each scan (default: the policy's total-timeout; 0: none)")
	sp := as.NewScanPolicy()
	envflag.Optional(&t.given, f.IntVar, &ov.MaxRetries, "max-retries", sp.MaxRetries, "the client's retries of a scan's unfinished partitions (not the policy's retry-policy, which restarts a failed namespace backup)")
	envflag.Optional(&t.given, f.DurationVar, &ov.SleepBetweenRetries, "sleep-between-retries", sp.SleepBetweenRetries, "pause before the client retries a scan (with --max-retries)")
	envflag.Replacing(&t.given, f.StringSliceVar, &ov.NodeList, "node-list", "back up only these nodes: <host>:<port> or node names, comma-separated (replaces the routine's node-list and rack-list)")
	envflag.Replacing(&t.given, f.IntSliceVar, &ov.RackList, "rack-list", "back up only the nodes of these racks, comma-separated rack ids (replaces the routine's node-list and rack-list)")
	f.IntVar(&t.v.Upload.S3Concurrency, "s3-upload-concurrency", 0, "parts of one S3 file uploaded at once (0: backup-go's default)")
	f.IntVar(&t.v.Upload.AzureConcurrency, "azure-upload-concurrency", 0, "blocks of one Azure file uploaded at once (0: backup-go's default)")
	f.IntVar(&t.v.Upload.LocalBufferMiB, "local-buffer-size", 0, "write buffer of each local backup file, MiB (0: 1 MiB)")
	for _, sel := range []string{"node-list", "rack-list"} {
		for _, other := range []string{"partition-list", "after-digest", "prefer-racks", "slice", "slices"} {
			cmd.MarkFlagsMutuallyExclusive(sel, other)
		}
	}
	cmd.MarkFlagsMutuallyExclusive("node-list", "rack-list")
}

// apply checks the values and hands them to the app (cluster and storage
// settings) and, on backup, to the policy overrides. Nothing is contacted:
// bad values are usage errors.
func (t *tuningFlags) apply(cmd *cobra.Command, app *App) error {
	info, err := t.v.Check()
	if err != nil {
		return outcome.AsUsage(err)
	}
	app.clusterInfo, app.storeTuning = info, t.v.Storage
	if t.ov == nil {
		return nil
	}
	t.given.Apply(cmd.Flags())
	return nil
}
