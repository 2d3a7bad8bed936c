package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
)

type completionFunc = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective)

// registerCompletions gives every flag that names something in the config
// (routines, clusters, storage), a backup key, or one of a few fixed values
// its shell completion, on whichever command has the flag. A completion the
// command registered itself wins.
func registerCompletions(app *App, root *cobra.Command) {
	byFlag := map[string]completionFunc{
		"routine":     app.completeRoutines,
		"destination": app.completeClusters,
		"storage":     app.completeStorage,
		"backup":      app.completeBackupKeys,
		"compress":    fixedCompletion("NONE", "ZSTD"),
		"encrypt":     fixedCompletion("NONE", "AES128", "AES256"),
		"auth-mode":   fixedCompletion("INTERNAL", "EXTERNAL", "PKI"),
		"type":        fixedCompletion("full", "incremental"),
	}
	_ = root.RegisterFlagCompletionFunc("config", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"yml", "yaml"}, cobra.ShellCompDirectiveFilterFileExt
	})
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		// Built anew on every call: once per command, not once per name.
		local := c.LocalNonPersistentFlags()
		for name, fn := range byFlag {
			if local.Lookup(name) == nil {
				continue
			}
			if _, ok := c.GetFlagCompletionFunc(name); ok {
				continue
			}
			_ = c.RegisterFlagCompletionFunc(name, fn)
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
}

// completionConfig loads the config quietly: a completion never prints an
// error, it offers nothing.
func (a *App) completionConfig() *config.Config {
	path, err := config.Locate(a.Globals.ConfigFile)
	if err != nil {
		return nil
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil
	}
	return cfg
}

func (a *App) completeRoutines(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
	cfg := a.completionConfig()
	if cfg == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, n := range cfg.RoutineNames() {
		r := cfg.BackupRoutines[n]
		if strings.HasPrefix(n, prefix) {
			out = append(out, fmt.Sprintf("%s\t%s to %s, %s", n, r.SourceCluster, r.StorageName, r.IntervalCron))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func (a *App) completeClusters(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
	cfg := a.completionConfig()
	if cfg == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for n, c := range cfg.AerospikeClusters {
		if !strings.HasPrefix(n, prefix) {
			continue
		}
		var seeds []string
		for _, s := range c.SeedNodes {
			seeds = append(seeds, fmt.Sprintf("%s:%d", s.HostName, s.Port))
		}
		out = append(out, n+"\t"+strings.Join(seeds, ","))
	}
	sort.Strings(out)
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeStorage offers the config's storage entries as the URLs --storage
// takes, described by their names; without a config, the URL schemes.
func (a *App) completeStorage(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
	cfg := a.completionConfig()
	if cfg == nil {
		return []string{"file://", "s3://", "gs://", "azblob://"}, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for n, s := range cfg.Storage {
		u := storageURL(s)
		if u != "" && strings.HasPrefix(u, prefix) {
			out = append(out, u+"\tstorage "+n)
		}
	}
	sort.Strings(out)
	return out, cobra.ShellCompDirectiveNoFileComp
}

func storageURL(s *config.Storage) string {
	p := strings.Trim(s.RootPath(), "/")
	join := func(scheme, bucket string) string {
		if p == "" {
			return scheme + bucket
		}
		return scheme + bucket + "/" + p
	}
	switch {
	case s.Local != nil:
		return s.Local.Path
	case s.S3 != nil:
		return join("s3://", s.S3.Bucket)
	case s.GCP != nil:
		return join("gs://", s.GCP.BucketName)
	case s.Azure != nil:
		return join("azblob://", s.Azure.ContainerName)
	}
	return ""
}

// completeBackupKeys lists the backups of the --routine given (or every
// routine) from storage, newest first, the way list finds them.
func (a *App) completeBackupKeys(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
	if a.Log == nil {
		a.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	o := &listOptions{}
	o.target.routine, _ = cmd.Flags().GetString("routine")
	o.target.storageURL, _ = cmd.Flags().GetString("storage")
	stores, err := a.listStores(ctx, o, o.target.routine != "", nil)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var backups []catalog.Backup
	for _, ls := range stores {
		listing, err := catalog.Scan(ctx, ls.store, catalog.Filter{Routines: ls.routines})
		ls.store.Close()
		if err != nil {
			continue
		}
		backups = append(backups, listing.Backups...)
	}
	sort.SliceStable(backups, func(i, j int) bool { return backups[i].Time.After(backups[j].Time) })
	var out []string
	for _, b := range backups {
		if !strings.HasPrefix(b.Key, prefix) {
			continue
		}
		var records uint64
		var nss []string
		for _, n := range b.Namespaces {
			records += n.Metadata.RecordCount
			nss = append(nss, n.Namespace)
		}
		out = append(out, fmt.Sprintf("%s\t%s %s, %s, %d records", b.Key, b.Type,
			b.Time.UTC().Format(time.RFC3339), strings.Join(nss, ","), records))
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
}
