package backupjob

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/io/storage/options"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/progress"
)

// streamBufferSize batches the stream's writes; small enough that a
// consumer sees data early and a closed pipe is noticed soon.
const streamBufferSize = 256 << 10

// Stream is one namespace backed up as a single ASB stream (backup-go's
// single-file mode: indexes and UDFs first, then the records) written to
// Out. Nothing goes to storage: no folder, no metadata, no retries (what
// was written cannot be taken back).
type Stream struct {
	Conn      *cluster.Conn
	Routine   string
	Type      catalog.Type
	Namespace Namespace
	Until     time.Time // upper bound (sealed), zero: none
	Out       io.Writer
	Progress  *progress.Reporter
	Log       *slog.Logger
}

// Run writes the stream and returns what it counted. The caller must not
// write anything else to Out.
func (s *Stream) Run(ctx context.Context) (NamespaceResult, error) {
	started := time.Now()
	ns := s.Namespace
	out := NamespaceResult{Namespace: ns.Name}
	cfg := namespaceConfig(ns, s.Type, s.Until)
	// A stream is one file: one writer, no size limit.
	cfg.ParallelWrite = 1
	cfg.FileLimit = 0

	w := &streamWriter{out: s.Out}
	h, err := s.Conn.Backup.Backup(ctx, cfg, w, nil)
	if err != nil {
		return out, fmt.Errorf("namespace %q: %w", ns.Name, err)
	}
	err = waitTracked(ctx, s.Progress, fmt.Sprintf("%s %s %s (stream)", s.Type, s.Routine, ns.Name), h)
	if err == nil {
		err = w.err()
	}
	if err != nil {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		return out, fmt.Errorf("namespace %q: %w", ns.Name, err)
	}
	out.setCounts(h.GetStats())
	out.Duration = time.Since(started)
	out.NoChanges = s.Type == catalog.Incremental && out.Records == 0
	s.Log.Info("namespace streamed", "routine", s.Routine, "type", string(s.Type), "namespace", ns.Name,
		"record-count", out.Records, "byte-count", out.Bytes, "duration", out.Duration.Round(time.Millisecond).String())
	return out, nil
}

// namespaceConfig is ns's backup-go configuration for a run of type typ:
// the namespace, the time window and, for an incremental, records only.
func namespaceConfig(ns Namespace, typ catalog.Type, until time.Time) *backup.ConfigBackup {
	cfg := *ns.Config
	cfg.Namespace = ns.Name
	cfg.MetricsEnabled = true
	if !ns.From.IsZero() {
		from := ns.From
		cfg.ModAfter = &from
	}
	if !until.IsZero() {
		u := until
		cfg.ModBefore = &u
	}
	if typ == catalog.Incremental {
		// ABS: incrementals carry records only.
		cfg.NoIndexes, cfg.NoUDFs = true, true
	}
	return &cfg
}

// errStreamOnce: backup-go asked for a second file, which a stream cannot
// hold (it would only happen if ParallelWrite or FileLimit were set).
var errStreamOnce = errors.New("standard output takes a single stream: backup-go asked for a second file")

// streamWriter is a backup.Writer in single-file mode over an io.Writer.
type streamWriter struct {
	out io.Writer

	mu     sync.Mutex
	opened bool
	file   *streamFile
}

// NewWriter implements backup.Writer: the one and only file.
func (w *streamWriter) NewWriter(context.Context, string) (io.WriteCloser, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.opened {
		return nil, errStreamOnce
	}
	w.opened = true
	w.file = &streamFile{buf: bufio.NewWriterSize(w.out, streamBufferSize)}
	return w.file, nil
}

// err is the first write error of the stream, seen when backup-go missed
// it (a failed flush on Close).
func (w *streamWriter) err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.file == nil {
		return nil
	}
	return w.file.err
}

// GetType implements backup.Writer (used in backup-go's logs).
func (w *streamWriter) GetType() string { return "stdout" }

// RemoveFiles implements backup.Writer: a stream has nothing to remove.
func (w *streamWriter) RemoveFiles(context.Context) error { return nil }

// Remove implements backup.Writer: a stream has nothing to remove.
func (w *streamWriter) Remove(context.Context, string) error { return nil }

// GetOptions implements backup.Writer: not a directory, so backup-go
// writes one file holding metadata and records.
func (w *streamWriter) GetOptions() options.Options { return options.Options{} }

// streamFile buffers writes; Close flushes but leaves Out open.
type streamFile struct {
	buf *bufio.Writer
	err error
}

func (f *streamFile) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.buf.Write(p)
	if err != nil {
		f.err = fmt.Errorf("writing the stream: %w", err)
		return n, f.err
	}
	return n, nil
}

func (f *streamFile) Close() error {
	if f.err != nil {
		return f.err
	}
	if err := f.buf.Flush(); err != nil {
		f.err = fmt.Errorf("writing the stream: %w", err)
	}
	return f.err
}
