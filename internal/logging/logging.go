// Package logging owns the process logger: slog with tint on a terminal,
// plain text or JSON elsewhere, an optional log file, and the redaction of
// registered secrets from every record. It does not decide what to log.
package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/lmittmann/tint"
)

// Options select the logger's shape; zero values mean auto format, info level.
type Options struct {
	Format   string // auto, text or json
	Level    string // debug, info, warn, error
	File     string // also (or instead, see Stderr) write here
	Terminal bool   // stderr is a terminal: auto picks tint with colours
	// Quiet keeps stderr to warnings and errors (a quiet run under cron
	// mails nothing when it succeeds); the log file keeps Level.
	Quiet bool
}

// Formats and levels accepted on the command line.
var (
	Formats = []string{"auto", "text", "json"}
	Levels  = []string{"debug", "info", "warn", "error"}
)

// ParseLevel maps a level name to slog's level.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "", "info":
		return slog.LevelInfo, nil
	case "debug":
		return slog.LevelDebug, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("unknown log level %q (want one of %s)", s, strings.Join(Levels, ", "))
}

// New builds the logger writing to stderr (and to opts.File when set).
// The returned close function flushes and closes the log file.
func New(stderr io.Writer, opts Options) (*slog.Logger, func() error, error) {
	level, err := ParseLevel(opts.Level)
	if err != nil {
		return nil, nil, err
	}
	format := strings.ToLower(opts.Format)
	switch format {
	case "", "auto", "text", "json":
	default:
		return nil, nil, fmt.Errorf("unknown log format %q (want one of %s)", opts.Format, strings.Join(Formats, ", "))
	}

	var toStderr slog.Handler = handlerFor(stderr, format, level, opts.Terminal)
	if opts.Quiet {
		toStderr = quietHandler{next: toStderr}
	}
	handlers := []slog.Handler{toStderr}
	closeFn := func() error { return nil }
	if opts.File != "" {
		f, err := os.OpenFile(opts.File, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, nil, fmt.Errorf("log file: %w", err)
		}
		fileFormat := format
		if fileFormat == "auto" || fileFormat == "" {
			fileFormat = "text"
		}
		handlers = append(handlers, handlerFor(f, fileFormat, level, false))
		closeFn = f.Close
	}
	var h slog.Handler = handlers[0]
	if len(handlers) > 1 {
		h = fanout(handlers)
	}
	return slog.New(&redactor{next: h}), closeFn, nil
}

type askedKey struct{}

// Asked marks ctx's records as asked for by the operator (the status line
// of SIGUSR1): written even when quiet.
func Asked(ctx context.Context) context.Context { return context.WithValue(ctx, askedKey{}, true) }

func isAsked(ctx context.Context) bool {
	asked, _ := ctx.Value(askedKey{}).(bool)
	return asked
}

// quietHandler passes warnings, errors and asked-for records only.
type quietHandler struct{ next slog.Handler }

func (q quietHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return (l >= slog.LevelWarn || isAsked(ctx)) && q.next.Enabled(ctx, l)
}

func (q quietHandler) Handle(ctx context.Context, r slog.Record) error {
	if !q.Enabled(ctx, r.Level) {
		return nil // the fanout asks Enabled of each handler; a lone one may not
	}
	return q.next.Handle(ctx, r)
}

func (q quietHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quietHandler{next: q.next.WithAttrs(attrs)}
}

func (q quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{next: q.next.WithGroup(name)}
}

func handlerFor(w io.Writer, format string, level slog.Level, terminal bool) slog.Handler {
	switch {
	case format == "json":
		return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})
	case format == "text" || !terminal:
		return slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})
	default:
		return tint.NewHandler(w, &tint.Options{Level: level, TimeFormat: time.TimeOnly})
	}
}

type fanout []slog.Handler

func (f fanout) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range f {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	var first error
	for _, h := range f {
		if h.Enabled(ctx, r.Level) {
			if err := h.Handle(ctx, r.Clone()); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

func (f fanout) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithAttrs(attrs)
	}
	return out
}

func (f fanout) WithGroup(name string) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithGroup(name)
	}
	return out
}

// Discard returns a logger that drops everything (for tests and --quiet
// library internals).
func Discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// secrets is process-wide on purpose: a secret learnt anywhere (config,
// secret agent, flag) must be hidden from every logger and error message.
var secrets struct {
	sync.RWMutex
	values []string
}

// RegisterSecret marks a value that must never be printed. Values shorter
// than 4 characters are ignored: masking them would mangle ordinary text.
func RegisterSecret(v string) {
	if len(v) < 4 {
		return
	}
	secrets.Lock()
	defer secrets.Unlock()
	for _, s := range secrets.values {
		if s == v {
			return
		}
	}
	secrets.values = append(secrets.values, v)
}

// Redact replaces every registered secret in s with "****".
func Redact(s string) string {
	secrets.RLock()
	defer secrets.RUnlock()
	for _, v := range secrets.values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, "****")
		}
	}
	return s
}

type redactor struct{ next slog.Handler }

func (r *redactor) Enabled(ctx context.Context, l slog.Level) bool { return r.next.Enabled(ctx, l) }

func (r *redactor) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, Redact(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return r.next.Handle(ctx, out)
}

func (r *redactor) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = redactAttr(a)
	}
	return &redactor{next: r.next.WithAttrs(clean)}
}

func (r *redactor) WithGroup(name string) slog.Handler {
	return &redactor{next: r.next.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Redact(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, len(g))
		for i, ga := range g {
			out[i] = redactAttr(ga)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, Redact(err.Error()))
		}
		if s, ok := v.Any().(fmt.Stringer); ok {
			return slog.String(a.Key, Redact(s.String()))
		}
	}
	return a
}
