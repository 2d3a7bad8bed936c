package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/report"
	"github.com/aerobackup/aerobackup/internal/routine"
	"github.com/aerobackup/aerobackup/internal/verify"
)

type verifyOptions struct {
	target    targetFlags
	backupKey string
	from, to  string
	readData  bool
	subset    string
	parallel  int
	key       keyFlags
}

func newVerifyCmd(app *App) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Prove backups restorable without restoring: files, checksums, ASB decode, chains",
		Long: `Check every backup of every routine (or --routine, or one --backup) in storage,
without connecting to any cluster: metadata.yaml is present and readable, every
file listed in aerobackup's manifest is there at its recorded size, and every
incremental has its full backup and no gap before it. With --read-data each
file's checksums are compared with the manifest's (CRC32C, or SHA-256 for
backups taken with --checksum sha256 or by older versions) and each file is
decrypted, decompressed and decoded as ASB, its records counted against
metadata.yaml (--read-data-subset N% reads a random share of the files
instead). Backups written by ABS have no manifest: their structure is
checked, and with --read-data their data.

Each namespace of each backup is reported ok, incomplete (something missing)
or corrupt (something wrong), naming the file and the fault. The exit status
is 1 when any is not ok.`,
		Example: `  aerobackup verify
  aerobackup verify -r nightly --read-data
  aerobackup verify --backup nightly/backup/1763712000000 --read-data --encryption-key-file key.pem
  aerobackup verify --read-data-subset 10% --json | jq '.results[] | select(.status != "ok")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVerify(cmd.Context(), app, o, cmd.Flags().Changed("routine"))
		},
	}
	o.target.register(cmd, false)
	f := cmd.Flags()
	f.StringVar(&o.backupKey, "backup", "", "verify only this backup (key as printed by list)")
	f.StringVar(&o.from, "from", "", "verify only backups taken at or after this time (RFC 3339 or Unix ms)")
	f.StringVar(&o.to, "to", "", "verify only backups taken at or before this time")
	f.BoolVar(&o.readData, "read-data", false, "read every file: checksums, decryption, decompression, ASB decode, record count")
	f.StringVar(&o.subset, "read-data-subset", "", "like --read-data, for N% of each backup's files chosen at random (e.g. 10%)")
	f.IntVar(&o.parallel, "parallel", 4, "files read at the same time")
	o.key.register(cmd)
	cmd.MarkFlagsMutuallyExclusive("read-data", "read-data-subset")
	cmd.SetUsageTemplate(cmd.UsageTemplate() + `
Exit status:
  0    every backup checked is ok
  1    some backup is incomplete or corrupt, or verify failed
  2    usage or configuration error
`)
	return cmd
}

func runVerify(ctx context.Context, app *App, o *verifyOptions, routineGiven bool) error {
	vo := verify.Options{KeyFile: o.key.file, KeyEnv: o.key.env, KeySecret: o.key.secret, Log: app.Log}
	rt, err := verify.Request{Backup: o.backupKey, Routine: o.target.routine, From: o.from, To: o.to, ReadData: o.readData,
		Subset: o.subset, Parallel: o.parallel}.Apply(&vo)
	if err != nil {
		return outcome.AsUsage(err)
	}
	if rt != o.target.routine {
		// --backup names the routine when --routine does not.
		o.target.routine, routineGiven = rt, true
	}
	stores, err := app.openStores(ctx, &o.target, routineGiven)
	if err != nil {
		return err
	}
	defer routine.CloseStores(stores)
	cfg, err := app.loadConfig()
	if err != nil {
		return err
	}
	results, err := verify.RunStores(ctx, stores, vo, policy.RoutineAgents(cfg), o.target.namespaces)
	if errors.Is(err, verify.ErrKeyNeeded) {
		return outcome.Usage("%v", err)
	}
	if err != nil {
		return err
	}
	if err := app.emit(report.NewVerify(results, app.Log)); err != nil {
		return err
	}
	_, notOK := verify.Summarize(results)
	return notOK
}
