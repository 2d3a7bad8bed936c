package report

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
)

// ListEntry is one row of list: ABS's BackupDetails fields plus routine,
// type and key.
type ListEntry struct {
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
	// Pinned is the backup's pin: no retention removes it.
	Pinned *catalog.Pin `json:"pinned,omitempty"`
}

// List is list's result: the backups of the storages listed, and the
// folders that are not backups.
type List struct {
	Type    string      `json:"type"`
	Backups []ListEntry `json:"backups"`
	// Incomplete folders are not backups: failed, interrupted or running
	// runs, and sliced runs still missing a slice.
	Incomplete []IncompleteEntry `json:"incomplete,omitempty"`
}

// IncompleteEntry is a run folder without metadata.yaml, and why.
type IncompleteEntry struct {
	Routine string    `json:"routine"`
	Type    string    `json:"type"`
	Time    time.Time `json:"time,omitzero"`
	Path    string    `json:"path"`
	Reason  string    `json:"reason"`
	Storage string    `json:"storage"`
	// Attempts of an interrupted resumable run so far.
	Attempts int `json:"attempts,omitempty"`
}

// NewList is an empty listing, whose backups print as [] in JSON.
func NewList() *List { return &List{Type: "list", Backups: []ListEntry{}} }

// Add lists one storage's listing: a row per namespace of each backup
// (only of namespaces, when given), and its incomplete runs.
func (d *List) Add(listing catalog.Listing, storage string, namespaces []string) {
	for _, inc := range listing.Incomplete {
		e := IncompleteEntry{Routine: inc.Routine, Type: string(inc.Type), Time: inc.Time,
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
			d.Backups = append(d.Backups, ListEntry{Routine: b.Routine, Type: string(b.Type), Key: n.Dir, Backup: b.Key,
				Created: m.Created, Finished: m.Finished, From: m.From, Namespace: n.Namespace,
				RecordCount: m.RecordCount, ByteCount: m.ByteCount, FileCount: m.FileCount,
				SecondaryIndexCount: m.SecondaryIndexCount, UDFCount: m.UDFCount,
				Compression: m.Compression, Encryption: m.Encryption, Storage: storage, Pinned: pinOf(listing, b.Key)})
		}
	}
}

func pinOf(l catalog.Listing, key string) *catalog.Pin {
	if p, ok := l.Pins[key]; ok {
		return &p
	}
	return nil
}

// Sort orders the rows oldest first, then by routine and namespace;
// incomplete runs keep the order their storages listed them in.
func (d *List) Sort() {
	rows := d.Backups
	sort.SliceStable(rows, func(i, j int) bool {
		if !rows[i].Created.Equal(rows[j].Created) {
			return rows[i].Created.Before(rows[j].Created)
		}
		if rows[i].Routine != rows[j].Routine {
			return rows[i].Routine < rows[j].Routine
		}
		return rows[i].Namespace < rows[j].Namespace
	})
}

// Human prints the backups, then any incomplete runs.
func (d *List) Human(out, errOut io.Writer) error {
	if len(d.Backups) == 0 {
		fmt.Fprintln(errOut, "no backups found")
	} else {
		// The PINNED column shows only when something is pinned.
		pinned := slices.ContainsFunc(d.Backups, func(r ListEntry) bool { return r.Pinned != nil })
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		header := "CREATED\tTYPE\tROUTINE\tNAMESPACE\tRECORDS\tSIZE\tDURATION\tKEY"
		if pinned {
			header += "\tPINNED"
		}
		fmt.Fprintln(tw, header)
		for _, r := range d.Backups {
			pin := ""
			if r.Pinned != nil {
				pin = "\t" + r.Pinned.Rule()
			} else if pinned {
				pin = "\t-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s%s\n", r.Created.UTC().Format(time.RFC3339), r.Type, r.Routine,
				r.Namespace, r.RecordCount, humanBytes(r.ByteCount), r.Finished.Sub(r.Created).Round(time.Millisecond), r.Backup, pin)
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
