package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/storage"
)

type listOptions struct {
	target   targetFlags
	typ      string
	from, to string
}

func newListCmd(app *App) *cobra.Command {
	o := &listOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the backups of every routine (or --routine), newest last",
		Long: `List the catalog: one row per namespace of each backup, read from the
metadata.yaml files in storage (backups written by ABS included). Folders
without metadata.yaml are failed, interrupted or running backups, or sliced
runs still missing a slice: they are listed apart as incomplete, with the
reason, and are never restored or built on.`,
		Example: `  aerobackup list
  aerobackup list -r daily --type incremental --from 2026-11-01T00:00:00Z
  aerobackup list --json | jq '.backups[].key'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runList(cmd.Context(), app, o, cmd.Flags().Changed("routine"))
		},
	}
	o.target.register(cmd, false)
	f := cmd.Flags()
	f.StringVar(&o.typ, "type", "", "full or incremental (default: both)")
	f.StringVar(&o.from, "from", "", "only backups taken at or after this time (RFC 3339 or Unix ms)")
	f.StringVar(&o.to, "to", "", "only backups taken at or before this time")
	_ = cmd.RegisterFlagCompletionFunc("type", fixedCompletion("full", "incremental"))
	return cmd
}

// listEntry is one row: ABS's BackupDetails fields plus routine, type, key.
type listEntry struct {
	Routine string `json:"routine"`
	Type    string `json:"type"`
	// Key is ABS's per-namespace key; Backup is the run key restore takes.
	Key                 string    `json:"key"`
	Backup              string    `json:"backup"`
	Created             time.Time `json:"created"`
	Finished            time.Time `json:"finished"`
	From                time.Time `json:"from"`
	Namespace           string    `json:"namespace"`
	RecordCount         uint64    `json:"record-count"`
	ByteCount           uint64    `json:"byte-count"`
	FileCount           uint64    `json:"file-count"`
	SecondaryIndexCount uint64    `json:"secondary-index-count"`
	UDFCount            uint64    `json:"udf-count"`
	Compression         string    `json:"compression"`
	Encryption          string    `json:"encryption"`
	Storage             string    `json:"storage"`
}

type listDocument struct {
	Type    string      `json:"type"`
	Backups []listEntry `json:"backups"`
	// Incomplete folders are not backups: failed, interrupted or running
	// runs, and sliced runs still missing a slice.
	Incomplete []incompleteEntry `json:"incomplete,omitempty"`
}

type incompleteEntry struct {
	Routine string    `json:"routine"`
	Type    string    `json:"type"`
	Time    time.Time `json:"time,omitzero"`
	Path    string    `json:"path"`
	Reason  string    `json:"reason"`
	Storage string    `json:"storage"`
	// Attempts of an interrupted resumable run so far.
	Attempts int `json:"attempts,omitempty"`
}

func runList(ctx context.Context, app *App, o *listOptions, routineGiven bool) error {
	typ, err := catalog.ParseType(o.typ)
	if err != nil {
		return outcome.Usage("--type: %v", err)
	}
	filter := catalog.Filter{Type: typ}
	if o.from != "" {
		if filter.From, err = parseTime("from", o.from); err != nil {
			return err
		}
	}
	if o.to != "" {
		if filter.To, err = parseTime("to", o.to); err != nil {
			return err
		}
	}
	if len(o.target.namespaces) == 1 {
		filter.Namespace = o.target.namespaces[0]
	}

	stores, err := app.listStores(ctx, o, routineGiven, &filter)
	if err != nil {
		return err
	}
	doc := &listDocument{Type: "list", Backups: []listEntry{}}
	for _, ls := range stores {
		defer ls.store.Close()
		f := filter
		f.Routines = ls.routines
		listing, err := catalog.Scan(ctx, ls.store, f)
		if err != nil {
			return fmt.Errorf("listing %s: %w", ls.store, err)
		}
		doc.add(listing, ls.name, o.target.namespaces)
	}
	rows := doc.Backups
	sort.SliceStable(rows, func(i, j int) bool {
		if !rows[i].Created.Equal(rows[j].Created) {
			return rows[i].Created.Before(rows[j].Created)
		}
		if rows[i].Routine != rows[j].Routine {
			return rows[i].Routine < rows[j].Routine
		}
		return rows[i].Namespace < rows[j].Namespace
	})
	return app.emit(doc)
}

// add lists one storage's listing: a row per namespace of each backup
// (only of namespaces, when given), and its incomplete runs.
func (d *listDocument) add(listing catalog.Listing, storage string, namespaces []string) {
	for _, inc := range listing.Incomplete {
		e := incompleteEntry{Routine: inc.Routine, Type: string(inc.Type), Time: inc.Time,
			Path: inc.Path, Reason: inc.Reason, Storage: storage}
		if inc.Resume != nil {
			e.Attempts = inc.Resume.Attempts
		}
		d.Incomplete = append(d.Incomplete, e)
	}
	for _, b := range listing.Backups {
		for _, n := range b.Namespaces {
			if len(namespaces) > 0 && !slices.Contains(namespaces, n.Namespace) {
				continue
			}
			m := n.Metadata
			d.Backups = append(d.Backups, listEntry{Routine: b.Routine, Type: string(b.Type), Key: n.Dir, Backup: b.Key,
				Created: m.Created, Finished: m.Finished, From: m.From, Namespace: n.Namespace,
				RecordCount: m.RecordCount, ByteCount: m.ByteCount, FileCount: m.FileCount,
				SecondaryIndexCount: m.SecondaryIndexCount, UDFCount: m.UDFCount,
				Compression: m.Compression, Encryption: m.Encryption, Storage: storage})
		}
	}
}

// human prints the backups, oldest first, then any incomplete runs.
func (d *listDocument) human(out, errOut io.Writer) error {
	if len(d.Backups) == 0 {
		fmt.Fprintln(errOut, "no backups found")
	} else {
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "CREATED\tTYPE\tROUTINE\tNAMESPACE\tRECORDS\tSIZE\tDURATION\tKEY")
		for _, r := range d.Backups {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", r.Created.UTC().Format(time.RFC3339), r.Type, r.Routine,
				r.Namespace, r.RecordCount, humanBytes(r.ByteCount), r.Finished.Sub(r.Created).Round(time.Millisecond), r.Backup)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(d.Incomplete) == 0 {
		return nil
	}
	// Not backups, but an operator wants to see a run that is stuck.
	fmt.Fprintf(out, "\nincomplete (not backups; never restored or built on):\n")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STARTED\tTYPE\tROUTINE\tPATH\tREASON")
	for _, inc := range d.Incomplete {
		started := "-"
		if !inc.Time.IsZero() {
			started = inc.Time.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", started, inc.Type, inc.Routine, inc.Path, inc.Reason)
	}
	return tw.Flush()
}

type listStore struct {
	name     string
	store    storage.Store
	routines []string
}

// listStores opens the storage of each routine to list: the one asked
// for, or every routine in the config grouped by storage, or the ad-hoc
// --storage.
func (a *App) listStores(ctx context.Context, o *listOptions, routineGiven bool, _ *catalog.Filter) ([]listStore, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	if cfg == nil || routineGiven || o.target.storageURL != "" {
		t, err := a.resolveTarget(&o.target, false)
		if err != nil {
			return nil, err
		}
		st, err := a.openStore(ctx, t)
		if err != nil {
			return nil, err
		}
		var routines []string
		if routineGiven || cfg != nil {
			routines = []string{t.routine.Name}
		}
		return []listStore{{name: t.routine.StorageName, store: st, routines: routines}}, nil
	}
	var out []listStore
	for _, g := range cfg.RoutinesByStorage() {
		t := &target{cfg: cfg, routine: cfg.BackupRoutines[g.Routines[0]]}
		st, err := a.openStore(ctx, t)
		if err != nil {
			for _, o := range out {
				o.store.Close()
			}
			return nil, err
		}
		out = append(out, listStore{name: g.Storage, store: st, routines: g.Routines})
	}
	return out, nil
}
