package copyjob

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
)

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

// bk is a run of routine "r": "F" or "I" at at (ms), an incremental
// from from, of the namespaces given (default "test"), with records
// records in each.
func bk(kind string, at, from int64, namespaces ...string) catalog.Backup {
	typ, f := catalog.Full, time.Time{}
	if kind == "I" {
		typ, f = catalog.Incremental, ms(from)
	}
	if len(namespaces) == 0 {
		namespaces = []string{"test"}
	}
	b := catalog.Backup{Routine: "r", Type: typ, Time: ms(at), Key: catalog.RunDir("r", typ, ms(at))}
	for _, ns := range namespaces {
		b.Namespaces = append(b.Namespaces, catalog.NamespaceBackup{Namespace: ns, Dir: catalog.NamespaceDir(b.Key, ns),
			Metadata: catalog.Metadata{Created: ms(at), Finished: ms(at + 5), From: f, Namespace: ns, RecordCount: 10, ByteCount: 100}})
	}
	return b
}

func key(kind string, at int64) string {
	typ := catalog.Full
	if kind == "I" {
		typ = catalog.Incremental
	}
	return catalog.RunDir("r", typ, ms(at))
}

// steps renders a plan as "key action reason" lines.
func steps(p Plan) string {
	var out []string
	for _, s := range p.Steps {
		action := "skip"
		if s.Copy {
			action = "copy"
		}
		out = append(out, fmt.Sprintf("%s %s %s", strings.TrimPrefix(s.Backup.Key, "r/"), action, s.Reason))
	}
	return strings.Join(out, "\n")
}

func TestNewPlan(t *testing.T) {
	chain := []catalog.Backup{bk("F", 100, 0), bk("I", 200, 100), bk("I", 300, 200), bk("F", 400, 0), bk("I", 500, 400)}
	tests := []struct {
		name     string
		src, dst []catalog.Backup
		sel      Selection
		want     string
	}{
		{name: "nothing anywhere", want: ""},
		{name: "everything lacking, oldest first", src: chain, want: `backup/100 copy lacking
incremental/200 copy lacking
incremental/300 copy lacking
backup/400 copy lacking
incremental/500 copy lacking`},
		{name: "only the new one", src: chain, dst: chain[:4], want: `backup/100 skip present
incremental/200 skip present
incremental/300 skip present
backup/400 skip present
incremental/500 copy lacking`},
		{name: "all present", src: chain[:2], dst: chain[:2], want: "backup/100 skip present\nincremental/200 skip present"},
		{name: "a full and an incremental of the same millisecond, full first",
			src: []catalog.Backup{bk("F", 100, 0), bk("I", 100, 50)}, want: "backup/100 copy lacking\nincremental/100 copy lacking"},
		{name: "--backup of an incremental brings its chain", src: chain, sel: Selection{Backup: key("I", 300)}, want: `backup/100 copy chain of r/incremental/300
incremental/200 copy chain of r/incremental/300
incremental/300 copy lacking`},
		{name: "--backup of an incremental whose full is there", src: chain, dst: chain[:1], sel: Selection{Backup: key("I", 300)},
			want: "backup/100 skip present\nincremental/200 copy chain of r/incremental/300\nincremental/300 copy lacking"},
		{name: "--backup of a full alone", src: chain, sel: Selection{Backup: key("F", 400)}, want: "backup/400 copy lacking"},
		{name: "--from brings the chains of what it chooses", src: chain, sel: Selection{From: ms(250)}, want: `backup/100 copy chain of r/incremental/300
incremental/200 copy chain of r/incremental/300
incremental/300 copy lacking
backup/400 copy lacking
incremental/500 copy lacking`},
		{name: "--from and --to", src: chain, sel: Selection{From: ms(350), To: ms(450)}, want: "backup/400 copy lacking"},
		{name: "--to is inclusive", src: chain, sel: Selection{To: ms(100)}, want: "backup/100 copy lacking"},
		{name: "a namespace the destination lacks",
			src: []catalog.Backup{bk("F", 100, 0, "a", "b")}, dst: []catalog.Backup{bk("F", 100, 0, "a")},
			want: "backup/100 copy lacking namespace(s) [b]"},
		{name: "the destination's extra namespaces do not matter",
			src: []catalog.Backup{bk("F", 100, 0, "a")}, dst: []catalog.Backup{bk("F", 100, 0, "a", "b")}, want: "backup/100 skip present"},
		{name: "backups only the destination has are left alone", src: chain[3:4], dst: chain[:2], want: "backup/400 copy lacking"},
		{name: "an incremental without a full is copied as it is",
			src: []catalog.Backup{bk("I", 200, 100)}, sel: Selection{Backup: key("I", 200)}, want: "incremental/200 copy lacking"},
		{name: "the chain of each namespace",
			src:  []catalog.Backup{bk("F", 100, 0, "a"), bk("F", 150, 0, "b"), bk("I", 200, 100, "a", "b"), bk("F", 300, 0, "a", "b")},
			sel:  Selection{Backup: key("I", 200)},
			want: "backup/100 copy chain of r/incremental/200\nbackup/150 copy chain of r/incremental/200\nincremental/200 copy lacking"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPlan(tt.src, tt.dst, tt.sel, "src")
			if err != nil {
				t.Fatal(err)
			}
			if got := steps(p); got != tt.want {
				t.Errorf("plan:\n%s\nwant:\n%s", got, tt.want)
			}
			for _, s := range p.ToCopy() {
				if !s.Copy || len(s.Lacking) == 0 {
					t.Errorf("ToCopy holds %s (copy %v, lacking %v)", s.Backup.Key, s.Copy, s.Lacking)
				}
			}
		})
	}
}

func TestNewPlanRefuses(t *testing.T) {
	src := []catalog.Backup{bk("F", 100, 0)}
	other := bk("F", 100, 0)
	other.Namespaces[0].Metadata.RecordCount = 9
	_, err := NewPlan(src, []catalog.Backup{other}, Selection{}, "src")
	var mm *MismatchError
	if !errors.As(err, &mm) || err.Error() != `backup r/backup/100 namespace "test": the destination's metadata.yaml records 9 records and 100 bytes, the source's 10 and 100; not overwritten (remove it at the destination to copy it again)` {
		t.Errorf("a destination backup with other counts: %v", err)
	}
	_, err = NewPlan(src, nil, Selection{Backup: key("F", 999)}, `local "/src"`)
	var nf *NotFoundError
	if !errors.As(err, &nf) || err.Error() != `backup r/backup/999 is not a complete backup in local "/src" (see list)` {
		t.Errorf("--backup of a missing key: %v", err)
	}
}

func TestEstimateFiles(t *testing.T) {
	a, b := bk("F", 100, 0, "a", "b"), bk("I", 200, 100, "a")
	a.Namespaces[0].Metadata.FileCount, a.Namespaces[1].Metadata.FileCount, b.Namespaces[0].Metadata.FileCount = 4, 3, 1
	p := Plan{Steps: []Step{
		{Backup: a, Copy: true, Lacking: []string{"b"}},
		{Backup: b, Copy: false},
	}}
	if got := estimateFiles(p); got != 5 {
		t.Errorf("estimate = %d, want namespace b's 3 files, its manifest and metadata.yaml", got)
	}
}
