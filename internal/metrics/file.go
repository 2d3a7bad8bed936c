package metrics

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// fileMode is world-readable: node_exporter usually runs as another user.
const fileMode = 0o644

// UpdateFile merges run into the Prometheus textfile at path: it reads the
// previous content (a missing file starts from zero), adds this run, and
// replaces the file atomically. An unparseable previous file is an error
// and is left untouched: silently starting over would reset counters and
// make rate() and increase() lie.
//
// The read-merge-write holds an exclusive lock on path+".lock" so that two
// processes sharing the file (two routines from cron) do not lose updates.
func UpdateFile(path string, run Run) error {
	if err := run.validate(); err != nil {
		return err
	}
	unlock, err := lockFile(path + ".lock")
	if err != nil {
		return fmt.Errorf("metrics file %s: lock: %w", path, err)
	}
	defer unlock()

	prev, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("metrics file %s: %w", path, err)
	}
	out, err := Render(prev, run)
	if err != nil {
		return fmt.Errorf("metrics file %s: %w (fix or remove the file; counters would restart from zero)", path, err)
	}
	if err := writeAtomic(path, out); err != nil {
		return fmt.Errorf("metrics file %s: %w", path, err)
	}
	return nil
}

// writeAtomic writes data to a temporary file in the same directory, syncs
// it and renames it over path, so a reader (node_exporter) sees either the
// old or the new content, never a part. The temporary name does not end in
// .prom, so the textfile collector never reads it.
func writeAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	// CreateTemp makes 0600; Chmod is not subject to the umask.
	if err = f.Chmod(fileMode); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	// Make the rename itself durable; not every system can sync a
	// directory, and the data is already safe, so this is best effort.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
