package cli

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runAt runs a command line with the clock set to now.
func runAt(t *testing.T, now time.Time, args ...string) (int, string, string) {
	t.Helper()
	var out, errb lockedBuffer
	app := &App{IO: IO{In: strings.NewReader(""), Out: &out, Err: &errb},
		Getenv: func(string) string { return "" }, Now: func() time.Time { return now }}
	code := app.run(context.Background(), args, nil)
	return code, out.String(), errb.String()
}

// writeABSBackup writes a namespace folder as ABS would: metadata.yaml
// only (check reads nothing else).
func writeABSBackup(t *testing.T, root, typ string, created, from time.Time, records int) {
	t.Helper()
	dir := filepath.Join(root, "nightly", typ, strconv.FormatInt(created.UnixMilli(), 10), "data", "test")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	fromS := "0001-01-01T00:00:00Z"
	if !from.IsZero() {
		fromS = from.UTC().Format(time.RFC3339Nano)
	}
	md := "created: " + created.UTC().Format(time.RFC3339Nano) + "\nfinished: " + created.Add(time.Minute).UTC().Format(time.RFC3339Nano) +
		"\nfrom: " + fromS + "\nnamespace: test\nrecord-count: " + strconv.Itoa(records) +
		"\nbyte-count: 1\nfile-count: 1\nsecondary-index-count: 0\nudf-count: 0\ncompression: NONE\nencryption: NONE\n"
	if err := os.WriteFile(filepath.Join(dir, "metadata.yaml"), []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckThresholdEdges(t *testing.T) {
	root := t.TempDir()
	t0 := time.UnixMilli(1763712000000).UTC()
	writeABSBackup(t, root, "backup", t0, time.Time{}, 500)
	writeABSBackup(t, root, "incremental", t0.Add(time.Hour), t0, 3)
	base := []string{"check", "--storage", root, "--routine", "nightly"}
	cases := []struct {
		name string
		now  time.Time
		args []string
		code int
		want string
	}{
		{"younger than max-age by 1ms", t0.Add(3*time.Hour - time.Millisecond), []string{"--max-age", "2h"}, 0, "OK: routine \"nightly\""},
		{"exactly max-age", t0.Add(3 * time.Hour), []string{"--max-age", "2h"}, 1, "is 2h0m0s old, not younger than --max-age 2h0m0s"},
		{"min-records met exactly", t0.Add(2 * time.Hour), []string{"--max-age", "2h", "--min-records", "500"}, 0, "500 records"},
		{"min-records one short", t0.Add(2 * time.Hour), []string{"--max-age", "2h", "--min-records", "501"}, 1, "fewer than --min-records 501"},
		{"max-age must be positive", t0, []string{"--max-age", "0s"}, 2, "--max-age 0s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errb := runAt(t, c.now, append(append([]string{}, base...), c.args...)...)
			if code != c.code || !strings.Contains(out+errb, c.want) {
				t.Fatalf("exit %d, want %d with %q:\nstdout: %s\nstderr: %s", code, c.code, c.want, out, errb)
			}
			if code == 1 && strings.Count(strings.TrimSpace(errb), "\n") != 0 {
				t.Fatalf("failure is not one line: %q", errb)
			}
		})
	}
}
