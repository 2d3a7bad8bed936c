package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretsNeverReachOutput(t *testing.T) {
	const sentinel = "S3cr3t-sentinel-9b1f"
	RegisterSecret(sentinel)
	for _, format := range []string{"text", "json", "auto"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			file := filepath.Join(t.TempDir(), "log")
			log, closeFn, err := New(&buf, Options{Format: format, Level: "debug", File: file, Terminal: format == "auto"})
			if err != nil {
				t.Fatal(err)
			}
			log = log.With("password", sentinel)
			log.Info("connecting with "+sentinel,
				"error", errors.New("auth failed for "+sentinel),
				slog.Group("cluster", "secret", sentinel))
			if err := closeFn(); err != nil {
				t.Fatal(err)
			}
			fromFile, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for name, out := range map[string]string{"stderr": buf.String(), "file": string(fromFile)} {
				if strings.Contains(out, sentinel) {
					t.Errorf("%s output leaks the secret: %s", name, out)
				}
				if !strings.Contains(out, "****") {
					t.Errorf("%s output shows no mask: %s", name, out)
				}
			}
		})
	}
}

func TestJSONFormatIsOneObjectPerLine(t *testing.T) {
	var buf bytes.Buffer
	log, _, err := New(&buf, Options{Format: "json"})
	if err != nil {
		t.Fatal(err)
	}
	log.Info("backup done", "routine", "nightly", "record-count", 10)
	log.Debug("hidden at info level")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want 1 line, got %d: %q", len(lines), buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["routine"] != "nightly" || rec["msg"] != "backup done" {
		t.Errorf("unexpected record %v", rec)
	}
}

// Quiet keeps stderr to warnings and errors while the log file keeps the
// level asked for.
func TestQuietStderrKeepsWarningsAndErrors(t *testing.T) {
	for _, level := range []string{"debug", "info", "error"} {
		t.Run(level, func(t *testing.T) {
			var buf bytes.Buffer
			file := filepath.Join(t.TempDir(), "log")
			log, closeFn, err := New(&buf, Options{Format: "text", Level: level, File: file, Quiet: true})
			if err != nil {
				t.Fatal(err)
			}
			log.Debug("debug-line")
			log.Info("info-line")
			log.Warn("warn-line")
			log.Error("error-line")
			if err := closeFn(); err != nil {
				t.Fatal(err)
			}
			fromFile, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			stderr := buf.String()
			for _, hidden := range []string{"debug-line", "info-line"} {
				if strings.Contains(stderr, hidden) {
					t.Errorf("quiet stderr shows %s: %s", hidden, stderr)
				}
			}
			if strings.Contains(stderr, "warn-line") != (level != "error") || !strings.Contains(stderr, "error-line") {
				t.Errorf("quiet stderr at level %s: %s", level, stderr)
			}
			if level == "debug" && !strings.Contains(string(fromFile), "debug-line") {
				t.Errorf("log file lost the debug line under quiet: %s", fromFile)
			}
		})
	}
}

// A record the operator asked for (SIGUSR1's status line) is written to
// stderr even when quiet, and still not below the level asked for.
func TestQuietKeepsAskedRecords(t *testing.T) {
	var buf bytes.Buffer
	log, _, err := New(&buf, Options{Format: "text", Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := Asked(context.Background())
	log.InfoContext(ctx, "status-line")
	log.DebugContext(ctx, "debug-status")
	log.Info("plain-info")
	if out := buf.String(); !strings.Contains(out, "status-line") || strings.Contains(out, "debug-status") ||
		strings.Contains(out, "plain-info") {
		t.Errorf("quiet stderr: %s", out)
	}
}

func TestBadOptions(t *testing.T) {
	for _, opts := range []Options{{Format: "xml"}, {Level: "loud"}} {
		if _, _, err := New(&bytes.Buffer{}, opts); err == nil {
			t.Errorf("%+v: want error", opts)
		}
	}
}

func TestShortValuesAreNotMasked(t *testing.T) {
	RegisterSecret("ab")
	if got := Redact("abc"); got != "abc" {
		t.Errorf("short secret masked ordinary text: %q", got)
	}
}
