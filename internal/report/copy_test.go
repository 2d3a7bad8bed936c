package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/copyjob"
)

func copyResult(dryRun bool, err error) *copyjob.Result {
	b := func(typ catalog.Type, ms int64) catalog.Backup {
		t := time.UnixMilli(ms).UTC()
		return catalog.Backup{Routine: "r", Type: typ, Time: t, Key: catalog.RunDir("r", typ, t)}
	}
	r := &copyjob.Result{Routine: "r", Source: "main", Dest: "offsite", DryRun: dryRun, Duration: 1500 * time.Millisecond, Err: err}
	r.Backups = []copyjob.Done{
		{Step: copyjob.Step{Backup: b(catalog.Full, 1000), Reason: "present"}},
		{Step: copyjob.Step{Backup: b(catalog.Incremental, 2000), Copy: true, Lacking: []string{"test"}, Reason: "lacking"},
			Result: copyjob.BackupResult{Files: 3, Kept: 1, Bytes: 2048, NoSums: true}, Copied: !dryRun && err == nil},
		{Step: copyjob.Step{Backup: b(catalog.Incremental, 3000), Copy: true, Lacking: []string{"test"}, Reason: "lacking"}},
	}
	if !dryRun && err == nil {
		r.Backups[2].Copied = true
	}
	return r
}

func TestCopyReport(t *testing.T) {
	tests := []struct {
		name       string
		res        *copyjob.Result
		actions    []string
		out, errs  string
		outcome    string
		copied     int
		failedLine bool
	}{
		{name: "dry run", res: copyResult(true, nil), actions: []string{"present", "copy", "copy"},
			errs: `routine "r": would copy 2 backups to offsite; 1 present`, outcome: "success"},
		{name: "copied", res: copyResult(false, nil), actions: []string{"present", "copied", "copied"},
			out: "(no manifest: sizes checked only)", outcome: "success", copied: 2,
			errs: `routine "r": copied 2 backups (3 files, 2.0 KiB; 1 kept from an earlier copy) to offsite in 1.5s; 1 present`},
		{name: "failed", res: copyResult(false, errors.New("checksum mismatch: x")), actions: []string{"present", "failed", "copy"},
			outcome: "failed", failedLine: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewCopy(tt.res)
			var got []string
			for _, b := range d.Backups {
				got = append(got, b.Action)
			}
			if strings.Join(got, " ") != strings.Join(tt.actions, " ") || d.Outcome != tt.outcome || d.Copied != tt.copied || d.Present != 1 {
				t.Errorf("actions %v outcome %s copied %d present %d", got, d.Outcome, d.Copied, d.Present)
			}
			if d.Failed() != (tt.outcome == "failed") {
				t.Errorf("Failed() = %v", d.Failed())
			}
			var out, errs bytes.Buffer
			if err := d.Human(&out, &errs); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(out.String(), "ACTION ") || !strings.Contains(out.String(), tt.out) {
				t.Errorf("table:\n%s", out.String())
			}
			if tt.errs != "" && strings.TrimSpace(errs.String()) != tt.errs {
				t.Errorf("summary %q\nwant    %q", errs.String(), tt.errs)
			}
			js, _ := json.Marshal(d)
			if !strings.Contains(string(js), `"type":"copy"`) || !strings.Contains(string(js), `"destination":"offsite"`) ||
				tt.failedLine != strings.Contains(string(js), `"error":"checksum mismatch: x"`) {
				t.Errorf("json %s", js)
			}
		})
	}
}

func TestCopyReportNothing(t *testing.T) {
	var out, errs bytes.Buffer
	d := NewCopy(&copyjob.Result{Routine: "r", Source: "main", Dest: "offsite"})
	if err := d.Human(&out, &errs); err != nil || out.Len() != 0 || errs.String() != "routine \"r\": no backups to copy in main\n" {
		t.Errorf("%q %q %v", out.String(), errs.String(), err)
	}
	if js, _ := json.Marshal(d); !strings.Contains(string(js), `"backups":[]`) {
		t.Errorf("json %s", js)
	}
}
