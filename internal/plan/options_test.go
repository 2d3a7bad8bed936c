package plan

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
)

func TestBackupShape(t *testing.T) {
	for _, c := range []struct {
		name          string
		shape         BackupShape
		check, stream string
	}{
		{"full", BackupShape{}, "", `--output "": only - (standard output) is supported; backups to storage need no --output`},
		{"incremental, auto-full", BackupShape{Incremental: true, AutoFull: true, Output: "-"}, "",
			"--auto-full cannot go with --output -: the reader of the stream could not tell a full from an incremental"},
		{"auto-full alone", BackupShape{AutoFull: true}, "--auto-full goes with --incremental", ""},
		{"samples without estimate", BackupShape{SamplesGiven: true, EstimateSamples: 5}, "--estimate-samples goes with --estimate", ""},
		{"estimate", BackupShape{Estimate: true, EstimateSamples: 1, SamplesGiven: true}, "", ""},
		{"estimate of no samples", BackupShape{Estimate: true}, "--estimate-samples must be at least 1, got 0", ""},
		{"stream", BackupShape{Output: "-", Incremental: true}, "", ""},
		{"stream to a file", BackupShape{Output: "x.asb"}, "",
			`--output "x.asb": only - (standard output) is supported; backups to storage need no --output`},
		{"stream with --json", BackupShape{Output: "-", JSON: true}, "",
			"--json cannot go with --output -: standard output carries the backup stream (use --log-format json for machine-readable logs on stderr)"},
	} {
		if got := errText(c.shape.Check()); got != c.check {
			t.Errorf("%s: Check: %q, want %q", c.name, got, c.check)
		}
		if c.stream == "" && c.shape.Output == "" {
			continue // CheckStream is asked only with --output
		}
		if got := errText(c.shape.CheckStream()); got != c.stream {
			t.Errorf("%s: CheckStream: %q, want %q", c.name, got, c.stream)
		}
	}
}

func TestParseNamespaceMap(t *testing.T) {
	got, err := ParseNamespaceMap([]string{"test=copy", " bar = baz "})
	if want := map[string]string{"test": "copy", "bar": "baz"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("pairs: %v %v, want %v", got, err, want)
	}
	if got, err := ParseNamespaceMap(nil); err != nil || len(got) != 0 {
		t.Errorf("none: %v %v", got, err)
	}
	for _, c := range []struct {
		pairs []string
		want  string
	}{
		{[]string{"test"}, `--namespace-map "test": want SRC=DST`},
		{[]string{"=copy"}, `--namespace-map "=copy": want SRC=DST`},
		{[]string{"test= "}, `--namespace-map "test= ": want SRC=DST`},
		{[]string{"test=a", "test=b"}, `--namespace-map: namespace "test" mapped twice`},
	} {
		if _, err := ParseNamespaceMap(c.pairs); errText(err) != c.want {
			t.Errorf("%q: %v, want %q", c.pairs, err, c.want)
		}
	}
}

func TestPointInTimeCheckOrder(t *testing.T) {
	for _, r := range []PointInTimeRequest{{}, {Unique: true}, {DisableReordering: true}} {
		if err := r.CheckOrder(); err != nil {
			t.Errorf("%+v: %v", r, err)
		}
	}
	want := "--unique with --disable-reordering would keep the oldest copy of every record; drop one of them"
	if err := (PointInTimeRequest{Unique: true, DisableReordering: true}).CheckOrder(); errText(err) != want {
		t.Errorf("both: %v, want %q", err, want)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestListFilter(t *testing.T) {
	at := time.UnixMilli(1763712000000).UTC()
	tests := []struct {
		name          string
		typ, from, to string
		namespaces    []string
		want          catalog.Filter
		err           string
	}{
		{name: "no bounds", want: catalog.Filter{}},
		{name: "incremental from RFC 3339 to ms", typ: "incremental", from: "2025-11-21T08:00:00Z", to: "1763712000000",
			want: catalog.Filter{Type: catalog.Incremental, From: at, To: at}},
		{name: "one namespace narrows the scan", namespaces: []string{"test"}, want: catalog.Filter{Namespace: "test"}},
		{name: "several are kept after it", namespaces: []string{"a", "b"}, want: catalog.Filter{}},
		{name: "bad type", typ: "weekly", err: "--type: "},
		{name: "bad from", from: "yesterday", err: `--from "yesterday": `},
		{name: "bad to", to: "x", err: `--to "x": `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ListFilter(tt.typ, tt.from, tt.to, tt.namespaces, time.Now())
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to start %q", err, tt.err)
				}
				return
			}
			if err != nil || !got.From.Equal(tt.want.From) || !got.To.Equal(tt.want.To) ||
				got.Type != tt.want.Type || got.Namespace != tt.want.Namespace {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	if _, err := FlagTime("time", "", time.Now()); err == nil || !strings.HasPrefix(err.Error(), `--time "": `) {
		t.Errorf(`--time "": %v`, err)
	}
}

// Window reads either bound, or none, naming the flag it cannot read.
func TestWindow(t *testing.T) {
	now := time.UnixMilli(1763712000000).UTC()
	from, to, err := Window("1763700000000", "", now)
	if err != nil || !from.Equal(time.UnixMilli(1763700000000)) || !to.IsZero() {
		t.Errorf("from only: %v %v %v", from, to, err)
	}
	if from, to, err = Window("", "", now); err != nil || !from.IsZero() || !to.IsZero() {
		t.Errorf("none: %v %v %v", from, to, err)
	}
	if _, _, err = Window("", "yesterday-ish", now); err == nil || !strings.HasPrefix(err.Error(), `--to "yesterday-ish": `) {
		t.Errorf("bad --to: %v", err)
	}
}
