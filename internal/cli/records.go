package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/records"
	"github.com/aerobackup/aerobackup/internal/report"
	"github.com/aerobackup/aerobackup/internal/restorejob"
	"github.com/aerobackup/aerobackup/internal/routine"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// recordFlags select records by user key or digest.
type recordFlags struct{ spec records.Spec }

func (f *recordFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&f.spec.Keys, "key", nil, "only the record with this user key (repeatable)")
	fl.StringVar(&f.spec.KeyType, "key-type", "string", "type of the --key values: string, int or bytes (hex)")
	fl.StringVar(&f.spec.Set, "set", "", "set of the --key records (default: none)")
	fl.StringArrayVar(&f.spec.Digests, "digest", nil, "only the record with this digest: 40 hex digits or base64 (repeatable)")
	fl.StringVar(&f.spec.KeysFile, "keys-file", "", "records to select, one a line: KEY, int:KEY, bytes:HEX or digest:HEX (# comments)")
	_ = cmd.RegisterFlagCompletionFunc("key-type", fixedCompletion("string", "int", "bytes"))
}

// selection is the records the flags name; nil when they name none.
func (f *recordFlags) selection() (*records.Selection, error) {
	if f.spec.Empty() {
		return nil, nil
	}
	sel, err := records.Select(f.spec)
	if err != nil {
		return nil, outcome.AsUsage(err)
	}
	return sel, nil
}

// restoreRecords restores only the selected records of chains (the
// planner's record-level chains: newest first), or lists, for a dry run,
// which version of each would be written.
func (f *restoreFlags) restoreRecords(ctx context.Context, app *App, t *routine.Target, store storage.Store,
	dest *config.AerospikeCluster, chains []restorejob.Chain, recovery *time.Time) error {
	mode := ""
	if len(chains) > 0 && len(chains[0].Steps) > 0 {
		mode = policy.WriteMode(chains[0].Steps[0].Config)
	}
	if f.dryRun {
		picks, err := f.job(app, t, store, nil, chains).Pick(ctx)
		if err != nil {
			return err
		}
		if err := app.emit(report.NewRecordsDryRun(picks, mode)); err != nil {
			return err
		}
		return restorejob.NoneFound(picks)
	}
	conn, err := f.connect(ctx, app, t, dest)
	if err != nil {
		return err
	}
	defer conn.Close()
	return app.runRestoreJob(ctx, f.job(app, t, store, conn, chains), mode, recovery)
}

// keyFlags name the key of encrypted backups; without them a routine's
// backups are read with the key its policy names.
type keyFlags struct{ file, env, secret string }

func (f *keyFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.file, "encryption-key-file", "", "file holding the key of encrypted backups")
	fl.StringVar(&f.env, "encryption-key-env", "", "environment variable holding the key of encrypted backups")
	fl.StringVar(&f.secret, "encryption-key-secret", "", "secret-agent reference of the key of encrypted backups")
	cmd.MarkFlagsMutuallyExclusive("encryption-key-file", "encryption-key-env", "encryption-key-secret")
}

// source is the key t's encrypted backups are read with: the flags', else
// the routine's.
func (f *keyFlags) source(app *App, t *routine.Target) records.Key {
	kf, ke, ks, src := policy.RestoreKey(t.Routine, f.file, f.env, f.secret)
	app.Log.Debug("the key of encrypted backups", "source", src)
	return records.Key{File: kf, Env: ke, Secret: ks, Agent: policy.SecretAgentConfig(t.SecretAgent())}
}

// reader reads t's backups with the key source says.
func (f *keyFlags) reader(app *App, t *routine.Target) *records.Reader {
	return &records.Reader{Key: f.source(app, t), Log: app.Log}
}
