package plan

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/stdinstore"
)

func restoreBase(t *testing.T) RestoreRequest {
	t.Helper()
	base, err := policy.NewRestore(policy.DefaultRestoreOptions())
	if err != nil {
		t.Fatal(err)
	}
	return RestoreRequest{Storage: "local /b", Base: base}
}

func mustKey(t *testing.T, s string) catalog.Key {
	t.Helper()
	k, err := catalog.ParseKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// describe renders a plan's steps as "label source->destination", one a
// step, and checks every step carries the restore's configuration.
func describe(t *testing.T, r RestoreRequest, p *RestorePlan) string {
	t.Helper()
	var out []string
	for _, s := range p.Steps {
		if s.Config != r.Base {
			t.Errorf("step %s: configuration is not the restore's", s.Label)
		}
		out = append(out, fmt.Sprintf("%s %s->%s", s.Label, s.Source, s.Destination))
	}
	if c := p.Chains(); len(c) != len(p.Steps) {
		t.Errorf("%d chains for %d steps", len(c), len(p.Steps))
	}
	return strings.Join(out, "; ")
}

// Which namespaces of which backup, to where; what is refused and why.
func TestRestoreBackup(t *testing.T) {
	bs := []catalog.Backup{full(100, "test", "bar"), incr(200, 100, "test")}
	sliced := catalog.Incomplete{Routine: "r", Type: catalog.Full, Path: "r/backup/300/data/bar", Reason: "sliced run: 1 of 2 slices complete"}
	tests := []struct {
		name   string
		key    string
		change func(*RestoreRequest)
		inc    []catalog.Incomplete
		want   string
		err    string // an error's text; "usage: " marks a usage error
	}{
		{name: "every namespace of the run", key: "r/backup/100",
			want: "r/backup/100 test->test; r/backup/100 bar->bar"},
		{name: "an incremental", key: "r/incremental/200", want: "r/incremental/200 test->test"},
		{name: "the namespace the key names", key: "r/backup/100/data/bar", want: "r/backup/100 bar->bar"},
		{name: "those --namespace names", key: "r/backup/100",
			change: func(r *RestoreRequest) { r.Namespaces = []string{"bar", "nope"} }, want: "r/backup/100 bar->bar"},
		{name: "mapped", key: "r/backup/100", change: func(r *RestoreRequest) { r.Map = map[string]string{"test": "copy"} },
			want: "r/backup/100 test->copy; r/backup/100 bar->bar"},
		{name: "none of --namespace", key: "r/backup/100",
			change: func(r *RestoreRequest) { r.Namespaces = []string{"x", "y"} },
			err:    "usage: backup r/backup/100 holds none of the namespaces x, y"},
		{name: "a map from a namespace the run lacks", key: "r/backup/100",
			change: func(r *RestoreRequest) { r.Map = map[string]string{"test": "copy", "nope": "x"} },
			err:    `usage: --namespace-map nope=x: the backup holds no namespace "nope" (it holds bar, test)`},
		{name: "a map from a namespace left out", key: "r/backup/100/data/bar",
			change: func(r *RestoreRequest) { r.Map = map[string]string{"test": "copy"} },
			err:    `usage: --namespace-map test=copy: the backup holds no namespace "test" (it holds bar)`},
		{name: "not in the catalog", key: "r/backup/150", err: "backup r/backup/150 not found in local /b"},
		{name: "an unfinished namespace refuses the run", key: "r/backup/100",
			inc: []catalog.Incomplete{{Path: "r/backup/100/data/bar", Reason: "no metadata.yaml"}},
			err: "backup r/backup/100 is incomplete, refusing to restore it: r/backup/100/data/bar: no metadata.yaml"},
		{name: "an unfinished run", key: "r/backup/300", inc: []catalog.Incomplete{sliced},
			err: "backup r/backup/300 is incomplete, refusing to restore it: r/backup/300/data/bar: sliced run: 1 of 2 slices complete"},
		{name: "an unfinished other namespace does not matter", key: "r/backup/300/data/test", inc: []catalog.Incomplete{sliced},
			err: "backup r/backup/300 not found in local /b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := restoreBase(t)
			req.Key = mustKey(t, tt.key)
			if tt.change != nil {
				tt.change(&req)
			}
			p, err := RestoreBackup(req, listing(bs, tt.inc...))
			checkPlanErr(t, err, tt.err)
			if err == nil && describe(t, req, p) != tt.want {
				t.Errorf("plan %q, want %q", describe(t, req, p), tt.want)
			}
		})
	}
}

// checkPlanErr compares err to want ("" for none; "usage: " for a usage
// error).
func checkPlanErr(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	got := fmt.Sprint(err)
	if exitOf(err) == "usage" {
		got = "usage: " + got
	}
	if got != want {
		t.Fatalf("err = %s, want %s", got, want)
	}
}

// A folder is restored as its metadata.yaml says, or as the flags say
// without one; an unfinished sliced folder is refused.
func TestRestoreFolder(t *testing.T) {
	meta := &catalog.Metadata{Namespace: "test", Compression: "ZSTD", Encryption: "NONE", RecordCount: 7}
	incomplete := &catalog.IncompleteSlicesError{Set: catalog.SliceSet{Dir: "/f", Count: 2,
		Records: []catalog.SliceRecord{{Slice: 0}}}}
	tests := []struct {
		name    string
		meta    *catalog.Metadata
		loadErr error
		change  func(*RestoreRequest)
		want    string // "source->destination compression/encryption records"
		err     string
	}{
		{name: "metadata", meta: meta, want: "test->test ZSTD/NONE 7"},
		{name: "flags override metadata", meta: meta, change: func(r *RestoreRequest) { r.Compress, r.Encrypt = "none", "aes256" },
			want: "test->test NONE/AES256 7"},
		{name: "mapped", meta: meta, change: func(r *RestoreRequest) { r.Map = map[string]string{"test": "copy"} },
			want: "test->copy ZSTD/NONE 7"},
		{name: "no metadata: --namespace", loadErr: storage.ErrNotFound,
			change: func(r *RestoreRequest) { r.Namespaces, r.Compress = []string{"bar"}, "zstd" }, want: "bar->bar ZSTD/ 0"},
		{name: "no metadata, no --namespace", loadErr: storage.ErrNotFound,
			err: `usage: --path "/f" has no metadata.yaml: name the backup's namespace with --namespace`},
		{name: "no metadata, two namespaces", loadErr: fmt.Errorf("reading: %w", storage.ErrNotFound),
			change: func(r *RestoreRequest) { r.Namespaces = []string{"a", "b"} },
			err:    `usage: --path "/f" has no metadata.yaml: name the backup's namespace with --namespace`},
		{name: "unfinished slices", loadErr: fmt.Errorf("x: %w", incomplete),
			err: `--path "/f" is incomplete, refusing to restore it: sliced run: 1 of 2 slices complete (missing slice 1; failed, interrupted or still running)`},
		{name: "unreadable metadata", loadErr: errors.New("yaml: bad"), err: `--path "/f": yaml: bad`},
		{name: "a map from another namespace", meta: meta, change: func(r *RestoreRequest) { r.Map = map[string]string{"bar": "x"} },
			err: `usage: --namespace-map bar=x: the backup holds no namespace "bar" (it holds test)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := restoreBase(t)
			req.Path = "/f"
			if tt.change != nil {
				tt.change(&req)
			}
			p, err := RestoreFolder(req, tt.meta, tt.loadErr)
			checkPlanErr(t, err, tt.err)
			if err != nil {
				return
			}
			s := p.Steps[0]
			got := fmt.Sprintf("%s->%s %s/%s %d", s.Source, s.Destination, s.Compression, s.Encryption, s.ExpectedRecords)
			if len(p.Steps) != 1 || s.Label != "/f" || s.Dir != "" || got != tt.want {
				t.Errorf("%d steps, first %s %q: %q, want %q", len(p.Steps), s.Label, s.Dir, got, tt.want)
			}
			describe(t, req, p)
		})
	}
}

// A stream's namespace: its header's, checked against --namespace; an
// encrypted one's is --namespace's, without reading ahead.
func TestRestoreStream(t *testing.T) {
	header := func(ns string, err error) func(bool) (string, error) {
		return func(bool) (string, error) { return ns, err }
	}
	notASB := fmt.Errorf("standard input %w (it starts %q)", stdinstore.ErrNotASB, "junk")
	tests := []struct {
		name   string
		change func(*RestoreRequest)
		peek   func(bool) (string, error)
		want   string // "source->destination", and "peeked" when the header was read
		err    string
	}{
		{name: "the header's namespace", peek: header("test", nil), want: "test->test peeked"},
		{name: "mapped", change: func(r *RestoreRequest) { r.Map = map[string]string{"test": "copy"} },
			peek: header("test", nil), want: "test->copy peeked"},
		{name: "--namespace agrees", change: func(r *RestoreRequest) { r.Namespaces = []string{"test"} },
			peek: header("test", nil), want: "test->test peeked"},
		{name: "--namespace disagrees", change: func(r *RestoreRequest) { r.Namespaces = []string{"bar"} },
			peek: header("test", nil),
			err:  `usage: --namespace bar: the stream on standard input holds namespace "test", not "bar"`},
		{name: "two namespaces", change: func(r *RestoreRequest) { r.Namespaces = []string{"a", "b"} },
			err: "usage: --path - reads one namespace's stream; --namespace names 2 (a, b)"},
		{name: "encrypted, named", change: func(r *RestoreRequest) { r.Encrypt, r.Namespaces = "aes128", []string{"bar"} },
			want: "bar->bar"},
		{name: "encrypted, unnamed", change: func(r *RestoreRequest) { r.Encrypt = "AES256" },
			err: "usage: --path - with --encrypt AES256: the stream's namespace cannot be read before it is decrypted; name it with --namespace"},
		{name: "unreadable header, --namespace given", change: func(r *RestoreRequest) { r.Namespaces = []string{"bar"} },
			peek: header("", notASB), want: "bar->bar peeked"},
		{name: "not ASB: the flags that may help", peek: header("", notASB),
			err: `--path -: standard input does not start with an ASB header (it starts "junk"): for a compressed stream add --compress ZSTD, for an encrypted one --encrypt and --namespace`},
		{name: "not ASB after decompressing", change: func(r *RestoreRequest) { r.Compress = "zstd" }, peek: header("", notASB),
			err: `--path -: standard input does not start with an ASB header (it starts "junk")`},
		{name: "empty input", peek: header("", errors.New("standard input is empty")), err: "--path -: standard input is empty"},
		{name: "a map from another namespace", change: func(r *RestoreRequest) { r.Map = map[string]string{"bar": "x"} },
			peek: header("test", nil),
			err:  `usage: --namespace-map bar=x: the stream on standard input holds no namespace "bar" (it holds test)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := restoreBase(t)
			req.Path = "-"
			if tt.change != nil {
				tt.change(&req)
			}
			peeked, compressed := false, false
			p, err := RestoreStream(req, func(c bool) (string, error) {
				peeked, compressed = true, c
				return tt.peek(c)
			})
			checkPlanErr(t, err, tt.err)
			if peeked && compressed != strings.EqualFold(req.Compress, "zstd") {
				t.Errorf("peeked compressed=%v with --compress %q", compressed, req.Compress)
			}
			if err != nil {
				return
			}
			s := p.Steps[0]
			got := s.Source + "->" + s.Destination
			if peeked {
				got += " peeked"
			}
			if len(p.Steps) != 1 || s.Label != "stdin" || got != tt.want {
				t.Errorf("%d steps, first %s: %q, want %q", len(p.Steps), s.Label, got, tt.want)
			}
			describe(t, req, p)
		})
	}
}
