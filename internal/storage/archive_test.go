package storage

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/io/storage/options"
)

func TestCheckAccessTier(t *testing.T) {
	for _, c := range []struct {
		kind, tier, want, err string
	}{
		{"s3-storage", "bulk", "Bulk", ""},
		{"s3-storage", "EXPEDITED", "Expedited", ""},
		{"s3-storage", "Standard", "Standard", ""},
		{"s3-storage", "Hot", "", "want one of Standard, Bulk, Expedited"},
		{"azure-storage", "cool", "Cool", ""},
		{"azure-storage", "Archive", "", "want one of Hot, Cool, Cold"},
		{"azure-storage", "Bulk", "", "want one of Hot, Cool, Cold"},
		{"gcp-storage", "Bulk", "", "GCS reads archived objects directly"},
		{"local-storage", "Bulk", "", "local-storage has no archived tiers"},
	} {
		got, err := CheckAccessTier(c.kind, c.tier)
		if got != c.want || (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("CheckAccessTier(%q, %q) = %q, %v; want %q, %q", c.kind, c.tier, got, err, c.want, c.err)
		}
	}
}

func TestCheckRestoreTier(t *testing.T) {
	for _, c := range []struct {
		kind, tier string
		poll       time.Duration
		want, err  string
	}{
		{"s3-storage", "", DefaultPollInterval, "", ""},
		{"local-storage", "", DefaultPollInterval, "", ""},
		{"s3-storage", "bulk", DefaultPollInterval, "Bulk", ""},
		{"azure-storage", "hot", time.Second, "Hot", ""},
		{"s3-storage", "", time.Second, "", "--restore-poll-duration needs --access-tier"},
		{"s3-storage", "Bulk", 0, "", "--restore-poll-duration 0s: want a positive duration"},
		{"s3-storage", "", -time.Second, "", "--restore-poll-duration -1s: want a positive duration"},
		{"local-storage", "Bulk", DefaultPollInterval, "", "--access-tier: local-storage has no archived tiers: the access tier is for S3 and Azure"},
		{"s3-storage", "Hot", DefaultPollInterval, "", `--access-tier: s3-storage access tier "Hot": want one of Standard, Bulk, Expedited`},
	} {
		got, err := CheckRestoreTier(c.kind, c.tier, c.poll)
		if got != c.want || (err == nil) != (c.err == "") || (err != nil && err.Error() != c.err) {
			t.Errorf("CheckRestoreTier(%q, %q, %s) = %q, %v; want %q, %q", c.kind, c.tier, c.poll, got, err, c.want, c.err)
		}
	}
}

func apply(opts []options.Opt) options.Options {
	var o options.Options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

func TestReaderOptsAccessTier(t *testing.T) {
	root := NewPrefix("base")
	o := apply(ReaderOpts(root, "r/backup/1", ReaderOptions{}))
	if o.AccessTier != "" || o.PollWarmDuration != 0 || o.Logger != nil {
		t.Errorf("no tier: got tier %q, poll %s, logger %v", o.AccessTier, o.PollWarmDuration, o.Logger)
	}
	o = apply(ReaderOpts(root, "r/backup/1", ReaderOptions{AccessTier: "Bulk"}))
	if o.AccessTier != "Bulk" || o.PollWarmDuration != DefaultPollInterval || o.Logger == nil {
		t.Errorf("tier: got tier %q, poll %s, logger %v", o.AccessTier, o.PollWarmDuration, o.Logger)
	}
	o = apply(ReaderOpts(root, "", ReaderOptions{Dirs: []string{"a", "b"}, AccessTier: "Hot", PollInterval: 5 * time.Second}))
	if o.AccessTier != "Hot" || o.PollWarmDuration != 5*time.Second || len(o.PathList) != 2 {
		t.Errorf("dirs: got tier %q, poll %s, paths %v", o.AccessTier, o.PollWarmDuration, o.PathList)
	}
}

func TestArchiveLog(t *testing.T) {
	var buf bytes.Buffer
	base := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	log := newArchiveLogger(base, ReaderOptions{AccessTier: "Hot", PollInterval: time.Minute}, "p/r/backup/1/")
	// backup-go's lines, as its Azure reader writes them.
	log.Debug("start warming storage")
	log.Info("objects to restore", slog.Int("number", 3))
	log.Info("start polling status", slog.String("object", "p/r/backup/1/a.asb"))
	log.Info("storage warm up finished")
	out := buf.String()
	for _, want := range []string{
		`"3 files are archived; requested rehydration to Hot (high priority), polling every 1m0s; this can take hours"`,
		`files=3`, `"3 archived files are readable now"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "warming") || strings.Contains(out, "a.asb") {
		t.Errorf("backup-go's detail lines shown at info level:\n%s", out)
	}

	buf.Reset()
	log = newArchiveLogger(base, ReaderOptions{AccessTier: "Expedited"}, "d")
	log.Info("objects to restore", slog.Int("number", 0))
	log.Info("storage warm up finished")
	if buf.Len() != 0 {
		t.Errorf("nothing archived, yet logged at info level:\n%s", buf.String())
	}
	if got := expectedWait("Expedited"); !strings.Contains(got, "minutes") {
		t.Errorf("Expedited wait %q", got)
	}
}

func TestWithAccessTierInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st := WithAccessTier(cancelled{}, "Bulk", time.Second, nil)
	if _, err := st.RestoreReader(ctx, "d", ReaderOptions{}); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("got %v, want an interruption", err)
	}
	if WithAccessTier(cancelled{}, "", 0, nil) != (cancelled{}) {
		t.Error("no tier should leave the store unwrapped")
	}
}

// cancelled is a Store whose reader, like backup-go's, returns no error
// when its wait is cancelled.
type cancelled struct{ Store }

func (cancelled) String() string { return "fake" }

func (cancelled) RestoreReader(_ context.Context, _ string, ro ReaderOptions) (backup.StreamingReader, error) {
	if ro.AccessTier != "Bulk" || ro.PollInterval != time.Second {
		return nil, errors.New("tier and poll interval not passed on")
	}
	return nil, nil
}
