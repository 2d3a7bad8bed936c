package report

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/backupjob"
	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/verify"
)

// stub is a document whose human form is fixed, to watch Emit choose.
type stub struct {
	Type string `json:"type"`
	N    int    `json:"count"`
	fail error
}

func (s *stub) Human(out, errOut io.Writer) error {
	io.WriteString(out, "table\n")
	io.WriteString(errOut, "summary\n")
	return s.fail
}

// Emit writes the indented JSON document on stdout alone, or the human
// form on both streams, passing its error on.
func TestEmit(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := Emit(true, false, &out, &errOut, &stub{Type: "x", N: 2}); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"type\": \"x\",\n  \"count\": 2\n}\n"; out.String() != want || errOut.Len() != 0 {
		t.Errorf("json: stdout %q stderr %q, want %q", out.String(), errOut.String(), want)
	}
	out.Reset()
	boom := errors.New("boom")
	if err := Emit(false, false, &out, &errOut, &stub{fail: boom}); err != boom {
		t.Errorf("human: error %v, want %v", err, boom)
	}
	if out.String() != "table\n" || errOut.String() != "summary\n" {
		t.Errorf("human: stdout %q stderr %q", out.String(), errOut.String())
	}
}

// Quiet keeps the results on stdout and drops the summaries on stderr;
// --json is unchanged by it.
func TestEmitQuiet(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := Emit(false, true, &out, &errOut, &stub{}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "table\n" || errOut.Len() != 0 {
		t.Errorf("quiet human: stdout %q stderr %q, want the table alone", out.String(), errOut.String())
	}
	out.Reset()
	if err := Emit(true, true, &out, &errOut, &stub{Type: "x"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out.Bytes(), []byte(`"type": "x"`)) || errOut.Len() != 0 {
		t.Errorf("quiet json: stdout %q stderr %q", out.String(), errOut.String())
	}
}

// failedStub is a run's document that can say it failed.
type failedStub struct {
	stub
	failed bool
}

func (f *failedStub) Failed() bool { return f.failed }

// Quiet keeps the summary of a run that failed, and of no other.
func TestEmitQuietKeepsFailedSummary(t *testing.T) {
	for _, failed := range []bool{false, true} {
		var out, errOut bytes.Buffer
		if err := Emit(false, true, &out, &errOut, &failedStub{failed: failed}); err != nil {
			t.Fatal(err)
		}
		if got := errOut.String() == "summary\n"; got != failed {
			t.Errorf("failed=%v: quiet stderr %q", failed, errOut.String())
		}
	}
	for doc, want := range map[interface{ Failed() bool }]bool{
		&Backup{Outcome: "success"}: false, &Backup{Outcome: "no-changes"}: false, &Backup{Outcome: "partial"}: true,
		&Restore{Outcome: "success"}: false, &Restore{Outcome: "failed"}: true, &Restore{Outcome: "interrupted"}: true,
		&Verify{OK: true}: false, &Verify{OK: false}: true,
	} {
		if doc.Failed() != want {
			t.Errorf("%+v: Failed() = %v, want %v", doc, !want, want)
		}
	}
}

// Under quiet a successful prune, verify or check prints no table, a
// failed verify its table; a successful backup prints not even its key.
func TestEmitQuietReports(t *testing.T) {
	prune := &Prune{Routine: "r", Decisions: []PruneDecision{{Action: "removed", Key: "r/backup/1"}}, Removed: 1}
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	bad := verify.Result{Key: "r/backup/2", Namespace: "test", Status: verify.Corrupt,
		Problems: []verify.Problem{{Status: verify.Corrupt, File: "a.asb", Fault: "checksum"}}}
	good := verify.Result{Key: "r/backup/1", Namespace: "test", Status: verify.OK}
	res := &backupjob.Result{Type: catalog.Full, Routine: "r", Key: "r/backup/1"}
	for _, c := range []struct {
		name        string
		doc         Document
		out, logged string // substrings; "" wants nothing
	}{
		{"prune", prune, "", ""},
		{"check", NewCheck(verify.Freshness{OK: true, Reason: "fresh"}), "", ""},
		{"verify ok", NewVerify([]verify.Result{good}, log), "", ""},
		{"verify corrupt", NewVerify([]verify.Result{good, bad}, log), "STATUS", "checksum"},
		{"backup", NewBackup(res, false, false, time.Second), "", ""},
	} {
		var out, errOut bytes.Buffer
		logged.Reset()
		if err := Emit(false, true, &out, &errOut, c.doc); err != nil {
			t.Fatal(err)
		}
		if c.out == "" && out.Len() > 0 || !strings.Contains(out.String(), c.out) {
			t.Errorf("%s: quiet stdout %q, want %q", c.name, out.String(), c.out)
		}
		if c.logged == "" && logged.Len() > 0 || !strings.Contains(logged.String(), c.logged) {
			t.Errorf("%s: quiet log %q, want %q", c.name, logged.String(), c.logged)
		}
		if errOut.Len() > 0 {
			t.Errorf("%s: quiet stderr %q", c.name, errOut.String())
		}
	}
}

func TestVersionHuman(t *testing.T) {
	v := Version{Version: "1.2.3", Commit: "abc1234", Date: "2026-11-21T10:00:00Z", Go: "go1.26.8",
		BackupGo: "v0.11.0", AerospikeClient: "v8.2.0"}
	var out, errOut bytes.Buffer
	if err := v.Human(&out, &errOut); err != nil {
		t.Fatal(err)
	}
	want := "aerobackup 1.2.3\ncommit:           abc1234\nbuilt:            2026-11-21T10:00:00Z\n" +
		"go:               go1.26.8\nbackup-go:        v0.11.0\naerospike-client: v8.2.0\n"
	if out.String() != want || errOut.Len() != 0 {
		t.Errorf("stdout %q stderr %q, want %q", out.String(), errOut.String(), want)
	}
}
