package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aerospike/backup-go"
)

// DefaultPollInterval is how often a reader waiting for archived files
// checks them, as backup-go and ABS do.
const DefaultPollInterval = time.Minute

// Access tiers by storage kind (ABS's storage field names). S3 restores an
// archived copy with a retrieval tier; Azure rehydrates the blob to an
// online tier (backup-go asks for high priority). GCS serves archived
// objects directly, so it has none.
var accessTiers = map[string][]string{
	"s3-storage":    {"Standard", "Bulk", "Expedited"},
	"azure-storage": {"Hot", "Cool", "Cold"},
}

// CheckAccessTier validates tier for a storage of kind ("s3-storage",
// "azure-storage", "gcp-storage", "local-storage") and returns it spelled
// as the provider does. The error says what is allowed instead.
func CheckAccessTier(kind, tier string) (string, error) {
	allowed, ok := accessTiers[kind]
	if !ok {
		switch kind {
		case "gcp-storage":
			return "", fmt.Errorf("GCS reads archived objects directly: drop the access tier")
		default:
			return "", fmt.Errorf("%s has no archived tiers: the access tier is for S3 and Azure", kind)
		}
	}
	for _, a := range allowed {
		if strings.EqualFold(a, tier) {
			return a, nil
		}
	}
	return "", fmt.Errorf("%s access tier %q: want one of %s", kind, tier, strings.Join(allowed, ", "))
}

// CheckRestoreTier validates a restore's access tier and poll interval
// for a storage of kind and returns the tier spelled as the provider does
// ("" for none). The messages name the command line's flags.
func CheckRestoreTier(kind, tier string, poll time.Duration) (string, error) {
	if poll <= 0 {
		return "", fmt.Errorf("--restore-poll-duration %s: want a positive duration", poll)
	}
	if tier == "" {
		if poll != DefaultPollInterval {
			return "", errors.New("--restore-poll-duration needs --access-tier")
		}
		return "", nil
	}
	t, err := CheckAccessTier(kind, tier)
	if err != nil {
		return "", fmt.Errorf("--access-tier: %w", err)
	}
	return t, nil
}

// WithAccessTier returns st whose RestoreReader brings archived files back
// with tier before reading, checking every poll and reporting to log. Each
// call waits until its files are readable; a cancelled context ends the
// wait with the context's error.
func WithAccessTier(st Store, tier string, poll time.Duration, log *slog.Logger) Store {
	if tier == "" {
		return st
	}
	return &tieredStore{Store: st, tier: tier, poll: poll, log: log}
}

type tieredStore struct {
	Store
	tier string
	poll time.Duration
	log  *slog.Logger
}

func (t *tieredStore) RestoreReader(ctx context.Context, dir string, ro ReaderOptions) (backup.StreamingReader, error) {
	if ro.AccessTier == "" {
		ro.AccessTier, ro.PollInterval = t.tier, t.poll
	}
	if ro.Log == nil {
		ro.Log = t.log
	}
	r, err := t.Store.RestoreReader(ctx, dir, ro)
	// backup-go's wait returns no error when cancelled; say why it ended.
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("%s: interrupted while waiting for archived files in %q: %w", t.Store, dir, context.Cause(ctx))
	}
	return r, err
}

// pollInterval is ro.PollInterval or the default.
func (ro ReaderOptions) pollInterval() time.Duration {
	if ro.PollInterval > 0 {
		return ro.PollInterval
	}
	return DefaultPollInterval
}

// archiveLog turns backup-go's terse warm-up log lines into ours: one
// line naming how many files are archived, what was requested and how long
// it may take, one when they are readable; the rest at debug level.
type archiveLog struct {
	base  slog.Handler
	state *archiveState
}

type archiveState struct {
	tier    string
	poll    time.Duration
	dir     string
	waiting atomic.Int64
}

func newArchiveLogger(log *slog.Logger, ro ReaderOptions, dir string) *slog.Logger {
	if log == nil {
		log = slog.Default()
	}
	return slog.New(&archiveLog{base: log.Handler(),
		state: &archiveState{tier: ro.AccessTier, poll: ro.pollInterval(), dir: dir}})
}

func (h *archiveLog) Enabled(context.Context, slog.Level) bool { return true }

func (h *archiveLog) WithAttrs(as []slog.Attr) slog.Handler {
	return &archiveLog{base: h.base.WithAttrs(as), state: h.state}
}

func (h *archiveLog) WithGroup(name string) slog.Handler {
	return &archiveLog{base: h.base.WithGroup(name), state: h.state}
}

func (h *archiveLog) Handle(ctx context.Context, r slog.Record) error {
	s := h.state
	out := slog.NewRecord(r.Time, slog.LevelDebug, r.Message, r.PC)
	switch r.Message {
	case "objects to restore":
		var n int64
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "number" {
				n = a.Value.Int64()
			}
			return true
		})
		s.waiting.Store(n)
		if n == 0 {
			out.Message = "no archived files"
			out.AddAttrs(slog.String("dir", s.dir))
			break
		}
		out.Level = slog.LevelInfo
		out.Message = fmt.Sprintf("%d files are archived; %s, polling every %s; %s",
			n, requested(s.tier), s.poll, expectedWait(s.tier))
		out.AddAttrs(slog.String("dir", s.dir), slog.String("access-tier", s.tier), slog.Int64("files", n))
	case "storage warm up finished":
		if n := s.waiting.Load(); n > 0 {
			out.Level = slog.LevelInfo
			out.Message = fmt.Sprintf("%d archived files are readable now", n)
			out.AddAttrs(slog.String("dir", s.dir))
		}
	case "start polling status":
		out.Message = "waiting for archived file"
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "object" {
				out.AddAttrs(slog.String("file", a.Value.String()))
			}
			return true
		})
	default:
		r.Attrs(func(a slog.Attr) bool { out.AddAttrs(a); return true })
	}
	if !h.base.Enabled(ctx, out.Level) {
		return nil
	}
	return h.base.Handle(ctx, out)
}

// requested says what was asked of the provider for tier.
func requested(tier string) string {
	switch tier {
	case "Standard", "Bulk", "Expedited":
		return "requested a " + tier + " restore"
	}
	return "requested rehydration to " + tier + " (high priority)"
}

// expectedWait gives the provider's documented order of magnitude.
func expectedWait(tier string) string {
	if tier == "Expedited" {
		return "this usually takes minutes"
	}
	return "this can take hours"
}
