package cli

import (
	"strings"
	"testing"

	"github.com/aerobackup/aerobackup/internal/outcome"
)

// --checksum defaults to crc32c, takes either name in any case, and
// refuses anything else as a usage error naming the flag, or the
// variable when the value came from AEROBACKUP_CHECKSUM.
func TestChecksumFlag(t *testing.T) {
	cmd := newBackupCmd(&App{Globals: &Globals{}})
	fl := cmd.Flags().Lookup("checksum")
	if fl == nil || fl.DefValue != "crc32c" {
		t.Fatalf("--checksum: %+v, want default crc32c", fl)
	}
	if err := cmd.ParseFlags([]string{"--checksum", "SHA256"}); err != nil || fl.Value.String() != "sha256" {
		t.Fatalf("--checksum SHA256: %v, value %q", err, fl.Value.String())
	}

	dir := t.TempDir()
	adHoc := []string{"backup", "--host", "127.0.0.1:1", "--storage", dir, "-n", "test"}
	const want = `invalid argument "md5" for "--checksum" flag: want crc32c or sha256`
	code, _, stderr := run(t, nil, append(adHoc, "--checksum", "md5")...)
	if code != outcome.ExitUsage || !strings.Contains(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("--checksum md5: exit %d, %q", code, stderr)
	}
	code, _, stderr = run(t, map[string]string{"AEROBACKUP_CHECKSUM": "md5"}, adHoc...)
	if code != outcome.ExitUsage || !strings.Contains(stderr, "environment variable AEROBACKUP_CHECKSUM: "+want) {
		t.Errorf("AEROBACKUP_CHECKSUM=md5: exit %d, %q", code, stderr)
	}
}
