package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aerobackup/aerobackup/internal/recordjson"
	"github.com/aerobackup/aerobackup/internal/records"
)

// Find is every backup holding each selected record, newest first: the
// --json document of find, or a table per record.
type Find struct {
	Type            string        `json:"type"`
	Routine         string        `json:"routine"`
	Records         []FoundRecord `json:"records"`
	BackupsSearched int           `json:"backups-searched"`
	FilesRead       int           `json:"files-read"`
	FilesHeld       int           `json:"files-held"`
	BytesRead       int64         `json:"bytes-read"`
}

// FoundRecord is one selected record and its copies.
type FoundRecord struct {
	Record    string         `json:"record"`
	Digest    string         `json:"digest"`
	Partition int            `json:"partition"`
	Found     bool           `json:"found"`
	Versions  []FoundVersion `json:"versions"`
}

// FoundVersion is one backup's copy of a record.
type FoundVersion struct {
	Backup     string    `json:"backup"`
	Type       string    `json:"type"`
	Time       time.Time `json:"time"`
	Namespace  string    `json:"namespace"`
	Set        string    `json:"set,omitempty"`
	Generation uint32    `json:"generation"`
	// VoidTime is when the copy expires (absent: never); TTL is what was
	// left of its life when the backup took it.
	VoidTime *time.Time `json:"void-time,omitempty"`
	TTL      int64      `json:"ttl-seconds,omitempty"`
	// Key is the user key, when the record stores it.
	Key  *recordjson.TypedValue `json:"key,omitempty"`
	Bins []recordjson.BinInfo   `json:"bins"`
	Gone *records.Gone          `json:"gone,omitempty"`
}

// NewFind builds find's document.
func NewFind(routine string, r *records.FindResult) (*Find, error) {
	d := &Find{Type: "find", Routine: routine, Records: []FoundRecord{}, BackupsSearched: r.BackupsSearched,
		FilesRead: r.FilesRead, FilesHeld: r.FilesHeld, BytesRead: r.BytesRead}
	for _, f := range r.Records {
		fr := FoundRecord{Record: f.Want.Label, Digest: f.Want.DigestHex(), Partition: f.Want.Partition(),
			Found: len(f.Versions) > 0, Versions: []FoundVersion{}}
		for _, v := range f.Versions {
			fv, err := foundVersion(v)
			if err != nil {
				return nil, fmt.Errorf("%s in %s: %w", f.Want.Label, v.Backup, err)
			}
			fr.Versions = append(fr.Versions, fv)
		}
		d.Records = append(d.Records, fr)
	}
	return d, nil
}

func foundVersion(v records.Version) (FoundVersion, error) {
	fv := FoundVersion{Backup: v.Backup, Type: string(v.Type), Time: v.Time.UTC(), Namespace: v.Namespace,
		Generation: v.Record.Generation, Set: v.Record.Key.SetName(), Gone: v.Gone}
	if vt := records.VoidTime(v.Record); !vt.IsZero() {
		vt = vt.UTC()
		fv.VoidTime = &vt
		fv.TTL = max(int64(vt.Sub(v.Time)/time.Second), 0)
	}
	if uk := v.Record.Key.Value(); uk != nil && uk.GetObject() != nil {
		k, err := recordjson.Value(uk)
		if err != nil {
			return fv, fmt.Errorf("user key: %w", err)
		}
		fv.Key = &k
	}
	bins, err := recordjson.Bins(v.Record)
	if err != nil {
		return fv, err
	}
	fv.Bins = bins
	return fv, nil
}

// Human writes a table of each record's copies on stdout.
func (d *Find) Human(out, errOut io.Writer) error {
	for i, r := range d.Records {
		if i > 0 {
			fmt.Fprintln(out)
		}
		fmt.Fprintf(out, "%s: digest %s, partition %d\n", r.Record, r.Digest, r.Partition)
		if !r.Found {
			fmt.Fprintln(out, "  in no backup searched")
			continue
		}
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  BACKUP\tTYPE\tTIME\tNAMESPACE\tGEN\tEXPIRES\tBINS\tLATER")
		for _, v := range r.Versions {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", v.Backup, v.Type, v.Time.Format(time.RFC3339), v.Namespace,
				v.Generation, expires(v), binList(v.Bins), later(v.Gone))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(errOut, "searched %s: read %d of %d data files (%s)\n", plural(d.BackupsSearched, "backup"), d.FilesRead, d.FilesHeld,
		humanBytes(uint64(d.BytesRead)))
	return nil
}

func expires(v FoundVersion) string {
	if v.VoidTime == nil {
		return "never"
	}
	return fmt.Sprintf("%s (ttl %s)", v.VoidTime.Format(time.RFC3339), time.Duration(v.TTL)*time.Second)
}

func binList(bins []recordjson.BinInfo) string {
	parts := make([]string, 0, len(bins))
	for _, b := range bins {
		parts = append(parts, fmt.Sprintf("%s(%s,%dB)", b.Name, b.Type, b.Size))
	}
	return strings.Join(parts, " ")
}

func later(g *records.Gone) string {
	if g == nil {
		return "-"
	}
	return fmt.Sprintf("%s before %s", g.Reason, g.Backup)
}
