package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/lock"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/recordjson"
	"github.com/aerobackup/aerobackup/internal/records"
	"github.com/aerobackup/aerobackup/internal/restoresource"
	"github.com/aerobackup/aerobackup/internal/session"
)

type dumpOptions struct {
	target    targetFlags
	records   recordFlags
	key       keyFlags
	lock      lockFlags
	backupKey string
}

func newDumpCmd(app *App) *cobra.Command {
	o := &dumpOptions{}
	cmd := &cobra.Command{
		Use:   "dump",
		Short: "Write a backup's records as JSON lines on standard output",
		Long: `Write the records of a backup (--backup KEY, as list prints it) as JSON lines
on standard output, one object per line, read as they stream: nothing is
held in memory but the line being written. Each line has a "type": "record"
(namespace, set, digest, partition, user key when stored, generation,
void-time when it expires, bins), "sindex" or "udf".

Values are typed so that nothing is lost to JSON: {"type": "int"|"float"|
"string"|"bool"|"bytes"|"geojson"|"hll"|"nil", "value": ...}; bytes and HLLs
in base64; lists and maps as {"type": "list"|"map", "order": ..., "value":
[...]}, a map's entries as {"key": ..., "value": ...} in stored order.

--set keeps one set's records and indexes; --key/--digest/--keys-file only
those records (and reads only the files that can hold them).`,
		Example: `  aerobackup dump --backup nightly/backup/1763712000000 > test.jsonl
  aerobackup dump --backup nightly/backup/1763712000000/data/test --set users | jq -c 'select(.type == "record") | .bins.name.value'
  aerobackup dump --backup nightly/incremental/1763715600000 --set users --key customer-42`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDump(cmd.Context(), app, o)
		},
	}
	o.target.register(cmd, true)
	o.records.register(cmd)
	o.key.register(cmd)
	o.lock.register(cmd)
	cmd.Flags().StringVar(&o.backupKey, "backup", "", "backup key as printed by list")
	_ = cmd.MarkFlagRequired("backup")
	return cmd
}

func runDump(ctx context.Context, app *App, o *dumpOptions) error {
	key, err := catalog.ParseKey(o.backupKey)
	if err != nil {
		return outcome.Usage("--backup %q: %v (take a key from 'aerobackup list')", o.backupKey, err)
	}
	sel, err := o.records.selection()
	if err != nil {
		return err
	}
	if o.target.routine == "" {
		o.target.routine = key.Routine
	}
	t, err := app.resolveTarget(&o.target, false)
	if err != nil {
		return err
	}
	so := app.sessionOptions(t, lock.Restore, o.lock)
	restoresource.BackupScope(key)(&so)
	sess, err := session.Open(ctx, app.runtime().Opener(t, nil), so)
	if err != nil {
		return err
	}
	src, err := restoresource.Backup(sess, plan.RestoreRequest{Key: key, Namespaces: o.target.namespaces})
	if err != nil {
		return err
	}
	defer src.Release()
	folders, err := src.Folders()
	if err != nil {
		return err
	}
	rd := o.key.reader(app, t)
	st, err := recordjson.Dump(src.Ctx, rd, folders, records.DumpOptions{Only: sel, Set: o.records.spec.Set}, app.IO.Out)
	if err != nil {
		return err
	}
	app.Log.Info("dumped", "backup", key.String(), "records", st.Records, "secondary-indexes", st.SIndexes, "udfs", st.UDFs,
		"files-read", rd.FilesRead(), "bytes-read", rd.BytesRead())
	return nil
}
