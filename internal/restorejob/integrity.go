package restorejob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/checksum"
	"github.com/aerobackup/aerobackup/internal/records"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// backup-go restores whatever .asb files it finds and stops quietly at the
// end of a truncated one, so a backup that lost a file or its tail would
// restore "successfully". These checks make such a restore fail, naming
// the file:
//
//   - before anything is written: every file the manifest (aerobackup.yaml)
//     lists is present with the size the backup wrote; without a manifest
//     (ABS backups), at least metadata.yaml's file-count .asb files exist;
//   - while reading: each file's checksums (CRC32C, or SHA-256 as older
//     and --checksum sha256 backups record) are compared with the
//     manifest's at its end (altered bytes the decoder would accept are
//     caught too);
//   - after: every manifest file was read to its end, and the records read
//     equal metadata.yaml's record-count (backup-go counts records as they
//     are read, before any filter, both when backing up and restoring).
//
// Folders without metadata.yaml (restore --path of foreign files) are only
// restored, not checked: nothing says what they should hold.

// expectations is what a step's folder should hold.
type expectations struct {
	meta  *catalog.Metadata
	files map[string]catalog.ManifestEntry // by file name; nil: no manifest
}

// expect reads metadata.yaml and aerobackup.yaml of dir and checks the data
// files' presence and sizes against them (records.Open). nil, nil: a
// folder without metadata.yaml, nothing to check.
func expect(ctx context.Context, store storage.Store, dir string) (*expectations, error) {
	f, err := records.Open(ctx, store, dir)
	var sliced *catalog.IncompleteSlicesError
	switch {
	case errors.As(err, &sliced):
		return nil, err
	case errors.Is(err, storage.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	e := &expectations{meta: f.Meta}
	for _, file := range f.Files {
		if file.Entry != nil {
			if e.files == nil {
				e.files = map[string]catalog.ManifestEntry{}
			}
			e.files[file.Name] = *file.Entry
		}
	}
	return e, nil
}

// checkingReader hands backup-go the store's readers wrapped so that each
// file is hashed as it is read and checked at its end.
type checkingReader struct {
	backup.StreamingReader
	dir   string
	files map[string]catalog.ManifestEntry // nil: no manifest, only track

	mu       sync.Mutex
	open     map[string]bool // being read
	verified map[string]bool // read to the end, matching the manifest
}

func newCheckingReader(r backup.StreamingReader, dir string, e *expectations) *checkingReader {
	c := &checkingReader{StreamingReader: r, dir: dir, open: map[string]bool{}, verified: map[string]bool{}}
	if e != nil {
		c.files = e.files
	}
	return c
}

func (c *checkingReader) StreamFiles(ctx context.Context, out chan<- models.File, errs chan<- error, skip []string) {
	in := make(chan models.File)
	go c.StreamingReader.StreamFiles(ctx, in, errs, skip)
	defer close(out)
	for f := range in {
		select {
		case out <- c.wrap(f):
		case <-ctx.Done():
			f.Reader.Close()
			for f := range in { // let the inner reader finish
				f.Reader.Close()
			}
			return
		}
	}
}

func (c *checkingReader) StreamFile(ctx context.Context, name string, out chan<- models.File, errs chan<- error) {
	in := make(chan models.File)
	done := make(chan struct{})
	go func() { c.StreamingReader.StreamFile(ctx, name, in, errs); close(done) }()
	for {
		select {
		case f := <-in:
			select {
			case out <- c.wrap(f):
			case <-ctx.Done():
				f.Reader.Close()
			}
		case <-done:
			return
		}
	}
}

func (c *checkingReader) wrap(f models.File) models.File {
	name := path.Base(f.Name)
	c.mu.Lock()
	c.open[name] = true
	c.mu.Unlock()
	hr := &hashingReader{r: f.Reader, c: c, name: name}
	if c.files != nil {
		if want, ok := c.files[name]; ok {
			hr.want = &want
		}
	}
	// Only the algorithms the entry records are computed; a file the
	// manifest does not list (or no manifest) is not hashed at all.
	var sums []checksum.Sum
	if hr.want != nil {
		sums = hr.want.Sums()
	}
	hr.sums = checksum.NewVerifier(sums)
	f.Reader = hr
	return f
}

// inFlight lists the files opened and not yet read to their end.
func (c *checkingReader) inFlight() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for n, open := range c.open {
		if open {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// unverified lists the manifest's files not read to a matching end.
func (c *checkingReader) unverified() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for n := range c.files {
		if !c.verified[n] {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

type hashingReader struct {
	r    io.ReadCloser
	c    *checkingReader
	name string
	want *catalog.ManifestEntry
	sums *checksum.Verifier
	n    int64
	done bool
}

func (r *hashingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.sums.Write(p[:n])
	r.n += int64(n)
	if errors.Is(err, io.EOF) && !r.done {
		r.done = true
		if cerr := r.check(); cerr != nil {
			return n, cerr
		}
	}
	return n, err
}

// check runs at the file's end.
func (r *hashingReader) check() error {
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	r.c.open[r.name] = false
	if r.want == nil {
		return nil
	}
	file := path.Join(r.c.dir, r.name)
	if r.n != r.want.Size {
		return fmt.Errorf("data file %s: read %d bytes, the backup wrote %d (truncated or altered)", file, r.n, r.want.Size)
	}
	if m := r.sums.Check(); m != nil {
		return fmt.Errorf("data file %s: %s %s differs from the %s the backup wrote (the file was altered)",
			file, m.Algorithm.Name(), m.Got, m.Want)
	}
	r.c.verified[r.name] = true
	return nil
}

func (r *hashingReader) Close() error { return r.r.Close() }

// after checks a finished restore against what the folder should hold.
func (c *checkingReader) after(e *expectations, read uint64) error {
	if e == nil {
		return nil
	}
	if left := c.unverified(); len(left) > 0 {
		for i, n := range left {
			left[i] = path.Join(c.dir, n)
		}
		return fmt.Errorf("data file(s) %s were not read to their end: the restore is incomplete", strings.Join(left, ", "))
	}
	if read != e.meta.RecordCount {
		return fmt.Errorf("read %d records from %s, metadata.yaml counts %d: a data file is incomplete or altered", read, c.dir, e.meta.RecordCount)
	}
	return nil
}

// describe makes backup-go's error fit one line and name the file: bytes
// of a garbled file quoted in it are replaced, and when it names no data
// file, the files being read are added.
func (c *checkingReader) describe(err error) error {
	msg := printable(err.Error())
	if !strings.Contains(msg, ".asb") {
		if open := c.inFlight(); len(open) > 0 {
			for i, n := range open {
				open[i] = path.Join(c.dir, n)
			}
			msg += " (while reading " + strings.Join(open, ", ") + ")"
		}
	}
	return &readError{msg: msg, err: err}
}

type readError struct {
	msg string
	err error
}

func (e *readError) Error() string { return e.msg }
func (e *readError) Unwrap() error { return e.err }

// printable replaces control characters and invalid UTF-8 with '?'.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == unicode.ReplacementChar || (!unicode.IsPrint(r) && r != ' ') {
			return '?'
		}
		return r
	}, s)
}
