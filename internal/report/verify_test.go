package report

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aerobackup/aerobackup/internal/verify"
)

func TestVerifyHuman(t *testing.T) {
	ok := verify.Result{Key: "r/backup/1", Namespace: "test", Status: verify.OK, Checksums: true, Files: 2, FilesRead: 2,
		RecordsExpected: 10}
	abs := verify.Result{Key: "r/backup/2", Namespace: "test", Status: verify.OK, Files: 1, Notes: []string{"written by ABS: no manifest"}}
	bad := verify.Result{Key: "r/incremental/3", Namespace: "bar", Status: verify.Corrupt, Checksums: true, Files: 3, FilesRead: 1,
		RecordsExpected: 4, Problems: []verify.Problem{{Status: verify.Corrupt, File: "bar_0.asb", Fault: "crc32c mismatch"},
			{Status: verify.Incomplete, File: "bar_1.asb", Fault: "missing"}}}
	tests := []struct {
		name           string
		results        []verify.Result
		ok             bool
		stdout, stderr string
		logged         []string
	}{
		{"none", nil, true, "", "no backups found\n", nil},
		{"mixed", []verify.Result{ok, abs, bad}, false,
			"STATUS   KEY              NAMESPACE  FILES  READ  RECORDS  CHECKSUMS  REASON\n" +
				"ok       r/backup/1       test       2      2     10       yes        \n" +
				"ok       r/backup/2       test       1      0     0        no         written by ABS: no manifest\n" +
				"corrupt  r/incremental/3  bar        3      1     4        yes        bar_0.asb: crc32c mismatch (+1 more)\n",
			"", []string{"status=corrupt key=r/incremental/3 namespace=bar file=bar_0.asb fault=\"crc32c mismatch\"",
				"status=incomplete key=r/incremental/3 namespace=bar file=bar_1.asb fault=missing"}},
	}
	for _, tt := range tests {
		var out, errOut, logs bytes.Buffer
		d := NewVerify(tt.results, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			}})))
		if d.OK != tt.ok {
			t.Errorf("%s: OK %v, want %v", tt.name, d.OK, tt.ok)
		}
		if err := d.Human(&out, &errOut); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.stdout || errOut.String() != tt.stderr {
			t.Errorf("%s: stdout\n%s\nstderr %q, want\n%s\nstderr %q", tt.name, out.String(), errOut.String(), tt.stdout, tt.stderr)
		}
		lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
		if len(tt.logged) == 0 && logs.Len() != 0 || len(tt.logged) > 0 && len(lines) != len(tt.logged) {
			t.Fatalf("%s: logged %q, want %q", tt.name, logs.String(), tt.logged)
		}
		for i, want := range tt.logged {
			if !strings.HasSuffix(lines[i], "level=WARN msg=verify "+want) {
				t.Errorf("%s: log line %q, want it to end %q", tt.name, lines[i], want)
			}
		}
	}
}

// The document counts every status, at zero when absent, and lists no
// results as [] rather than null.
func TestVerifyJSON(t *testing.T) {
	b, err := json.Marshal(NewVerify(nil, slog.Default()))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"type":"verify","ok":true,"counts":{"corrupt":0,"incomplete":0,"ok":0},"results":[]}`; string(b) != want {
		t.Errorf("json %s, want %s", b, want)
	}
}
