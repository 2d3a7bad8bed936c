package cli

import (
	"encoding/json"
	"regexp"
	"runtime"
	"testing"

	"github.com/aerobackup/aerobackup/internal/report"
)

func TestVersion(t *testing.T) {
	old := [3]string{version, commit, date}
	version, commit, date = "1.2.3", "abc1234", "2026-11-21T10:00:00Z"
	t.Cleanup(func() { version, commit, date = old[0], old[1], old[2] })

	code, out, _ := run(t, nil, "version")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, re := range []string{`(?m)^aerobackup 1\.2\.3$`, `(?m)^commit: +abc1234$`, `(?m)^built: +2026-11-21T10:00:00Z$`,
		`(?m)^go: +` + regexp.QuoteMeta(runtime.Version()) + `$`, `(?m)^backup-go: +\S+$`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output does not match %s:\n%s", re, out)
		}
	}

	code, out, _ = run(t, nil, "version", "--json")
	if code != 0 {
		t.Fatalf("--json: exit %d", code)
	}
	var v report.Version
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	if v.Version != "1.2.3" || v.Commit != "abc1234" || v.Date != "2026-11-21T10:00:00Z" || v.Go != runtime.Version() || v.BackupGo == "" {
		t.Errorf("--json: %+v", v)
	}
}

func TestVersionRejectsArguments(t *testing.T) {
	if code, _, _ := run(t, nil, "version", "extra"); code != 2 {
		t.Errorf("version extra: exit %d, want 2", code)
	}
}
