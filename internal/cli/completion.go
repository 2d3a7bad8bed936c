package cli

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/routine"
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

func (a *App) completeRoutines(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
	return offer(config.Offered(a.Globals.ConfigFile), (*config.Config).RoutineChoices, prefix)
}

func (a *App) completeClusters(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
	return offer(config.Offered(a.Globals.ConfigFile), (*config.Config).ClusterChoices, prefix)
}

// completeStorage offers the config's storage entries as the URLs --storage
// takes, described by their names; without a config, the URL schemes.
func (a *App) completeStorage(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
	cfg := config.Offered(a.Globals.ConfigFile)
	if cfg == nil {
		return []string{"file://", "s3://", "gs://", "azblob://"}, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
	}
	return offer(cfg, (*config.Config).StorageChoices, prefix)
}

// offer gives what choices finds in cfg as cobra spells a value and its
// description; nothing without a config.
func offer(cfg *config.Config, choices func(*config.Config, string) []config.Choice, prefix string) ([]string, cobra.ShellCompDirective) {
	var out []string
	if cfg != nil {
		for _, c := range choices(cfg, prefix) {
			out = append(out, c.Value+"\t"+c.Description)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeBackupKeys lists the backups of the --routine given (or every
// routine) from storage, newest first, the way list finds them.
func (a *App) completeBackupKeys(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
	if a.Log == nil {
		a.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var f targetFlags
	f.routine, _ = cmd.Flags().GetString("routine")
	f.storageURL, _ = cmd.Flags().GetString("storage")
	stores, err := a.openStores(ctx, &f, f.routine != "")
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, c := range catalog.KeyChoices(routine.ReadableBackups(ctx, stores), prefix) {
		out = append(out, c.Key+"\t"+c.Description)
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
}
