package report

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/aerobackup/aerobackup/internal/copyjob"
)

// CopyBackup is one row of the copy report.
type CopyBackup struct {
	// Action is "copy" (a dry run's, or not reached), "copied", "present"
	// (at the destination already) or "failed".
	Action     string    `json:"action"`
	Key        string    `json:"key"`
	Type       string    `json:"type"`
	Created    time.Time `json:"created"`
	Reason     string    `json:"reason"`
	Namespaces []string  `json:"namespaces,omitempty"` // copied (or to copy)
	Files      int       `json:"files"`
	Kept       int       `json:"kept"` // already at the destination, checked
	Bytes      int64     `json:"bytes"`
	// SizesOnly: no manifest (a backup written by ABS), so sizes were
	// checked and no checksums.
	SizesOnly bool `json:"sizes-only,omitempty"`
}

// Copy is what copy planned and did.
type Copy struct {
	Type        string       `json:"type"`
	Routine     string       `json:"routine"`
	Source      string       `json:"source"`
	Destination string       `json:"destination"`
	DryRun      bool         `json:"dry-run"`
	Outcome     string       `json:"outcome"` // success or failed
	Error       string       `json:"error,omitempty"`
	Backups     []CopyBackup `json:"backups"`
	Copied      int          `json:"copied"`
	Present     int          `json:"present"`
	Files       int          `json:"files"`
	Kept        int          `json:"kept"`
	Bytes       int64        `json:"bytes"`
	Seconds     float64      `json:"duration-seconds"`
}

// NewCopy reports a copy run's result.
func NewCopy(r *copyjob.Result) *Copy {
	d := &Copy{Type: "copy", Routine: r.Routine, Source: r.Source, Destination: r.Dest, DryRun: r.DryRun,
		Outcome: "success", Backups: []CopyBackup{}, Seconds: r.Duration.Seconds()}
	if r.Err != nil {
		d.Outcome, d.Error = "failed", r.Err.Error()
	}
	failed := r.Err != nil
	for _, b := range r.Backups {
		row := CopyBackup{Action: "present", Key: b.Backup.Key, Type: string(b.Backup.Type), Created: b.Backup.Time,
			Reason: b.Reason, Files: b.Result.Files, Kept: b.Result.Kept, Bytes: b.Result.Bytes, SizesOnly: b.Result.NoSums}
		switch {
		case !b.Copy:
			d.Present++
		case b.Copied:
			row.Action, row.Namespaces = "copied", b.Lacking
			d.Copied++
		case failed && firstUncopied(r) == b.Backup.Key:
			row.Action, row.Namespaces = "failed", b.Lacking
		default:
			row.Action, row.Namespaces = "copy", b.Lacking
		}
		d.Files += row.Files
		d.Kept += row.Kept
		d.Bytes += row.Bytes
		d.Backups = append(d.Backups, row)
	}
	return d
}

// firstUncopied is the backup a failed run stopped at.
func firstUncopied(r *copyjob.Result) string {
	for _, b := range r.Backups {
		if b.Copy && !b.Copied {
			return b.Backup.Key
		}
	}
	return ""
}

// Failed reports a copy that stopped.
func (d *Copy) Failed() bool { return d.Outcome != "success" }

// QuietHuman prints nothing: a failure says so in its error.
func (d *Copy) QuietHuman(io.Writer) error { return nil }

// Human prints the backups as a table and what the copy came to.
func (d *Copy) Human(out, errOut io.Writer) error {
	if len(d.Backups) == 0 {
		fmt.Fprintf(errOut, "routine %q: no backups to copy in %s\n", d.Routine, d.Source)
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tCREATED\tTYPE\tKEY\tFILES\tSIZE\tREASON")
	for _, b := range d.Backups {
		files, size := "-", "-"
		if b.Action == "copied" || b.Action == "failed" {
			files, size = fmt.Sprint(b.Files+b.Kept), humanBytes(uint64(b.Bytes))
		}
		reason := b.Reason
		if b.SizesOnly {
			reason += " (no manifest: sizes checked only)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", b.Action, b.Created.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
			b.Type, b.Key, files, size, reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if d.DryRun {
		n := 0
		for _, b := range d.Backups {
			if b.Action == "copy" {
				n++
			}
		}
		fmt.Fprintf(errOut, "routine %q: would copy %s to %s; %d present\n", d.Routine, plural(n, "backup"), d.Destination, d.Present)
		return nil
	}
	fmt.Fprintf(errOut, "routine %q: copied %s (%s, %s; %d kept from an earlier copy) to %s in %s; %d present\n",
		d.Routine, plural(d.Copied, "backup"), plural(d.Files, "file"), humanBytes(uint64(d.Bytes)), d.Kept, d.Destination,
		time.Duration(d.Seconds*float64(time.Second)).Round(time.Millisecond), d.Present)
	return nil
}
