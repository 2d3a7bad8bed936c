package backupjob

import (
	"context"
	"hash"
	"io"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/aerospike/backup-go"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/checksum"
)

// checksumWriter wraps the storage's backup-go Writer and records the name,
// size and checksum of every file as backup-go writes it, so the manifest
// holds checksums of the bytes that left this process without reading the
// files back. backup-go opens files from several goroutines at once.
type checksumWriter struct {
	backup.Writer
	// alg is the one algorithm computed: hashing is aerobackup's only
	// per-byte cost on the write path.
	alg checksum.Algorithm

	mu    sync.Mutex
	files map[string]catalog.ManifestEntry

	// hooks of a resumable run (see resumable.go); nil otherwise.
	resume *resumeHooks
	// parts names each file's partition ranges (zero: none recorded).
	parts filePartitions
}

func newChecksumWriter(w backup.Writer, alg checksum.Algorithm, parts filePartitions) *checksumWriter {
	return &checksumWriter{Writer: w, alg: alg, parts: parts, files: map[string]catalog.ManifestEntry{}}
}

// NewWriter implements backup.Writer.
func (c *checksumWriter) NewWriter(ctx context.Context, filename string) (io.WriteCloser, error) {
	if c.resume != nil && c.resume.isState(filename) {
		return c.resume.newStateFile(ctx), nil
	}
	w, err := c.Writer.NewWriter(ctx, filename)
	if err != nil {
		return nil, err
	}
	return &hashingFile{WriteCloser: w, name: path.Base(strings.ReplaceAll(filename, "\\", "/")), h: c.alg.New(), owner: c}, nil
}

// Entries returns the files closed so far, sorted by name.
func (c *checksumWriter) Entries() []catalog.ManifestEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entriesLocked()
}

func (c *checksumWriter) entriesLocked() []catalog.ManifestEntry {
	out := make([]catalog.ManifestEntry, 0, len(c.files))
	for _, e := range c.files {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b catalog.ManifestEntry) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Remove implements backup.Writer: backup-go removes its state file
// through it when a backup completes.
func (c *checksumWriter) Remove(ctx context.Context, p string) error {
	if c.resume != nil && c.resume.isState(p) {
		return c.resume.removeState(ctx)
	}
	return c.Writer.Remove(ctx, p)
}

// record adds a closed file; in a resumable run the list of kept files is
// stored before the file counts as closed, so that backup-go saves no
// scan state past a file the list lacks.
func (c *checksumWriter) record(e catalog.ManifestEntry) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files[e.Name] = e
	if c.resume != nil {
		return c.resume.fileClosed(c.entriesLocked())
	}
	return nil
}

// hashingFile hashes what passes through to one stored file. A single file
// is written by one goroutine at a time, as io.Writer requires.
type hashingFile struct {
	io.WriteCloser
	name   string
	h      hash.Hash
	size   int64
	closed bool
	// broken: a write failed, so the file may end inside a record.
	broken bool
	owner  *checksumWriter
}

func (f *hashingFile) Write(p []byte) (int, error) {
	n, err := f.WriteCloser.Write(p)
	// Hash exactly what the storage accepted.
	f.h.Write(p[:n])
	f.size += int64(n)
	if err != nil {
		f.broken = true
	}
	return n, err
}

// Close records the file only when the storage kept it: a failed close
// fails the backup anyway. A resumable run does not keep a file that a
// write failed on either (it may end inside a record).
func (f *hashingFile) Close() error {
	if err := f.WriteCloser.Close(); err != nil {
		return err
	}
	if f.broken && f.owner.resume != nil {
		return nil
	}
	if !f.closed {
		f.closed = true
		e := catalog.ManifestEntry{Name: f.name, Size: f.size, Partitions: f.owner.parts.of(f.name)}
		e.SetSum(checksum.Sum{Algorithm: f.owner.alg, Hex: checksum.Format(f.h)})
		return f.owner.record(e)
	}
	return nil
}
