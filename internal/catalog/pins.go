package catalog

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// PinsDir is the folder of a routine's pins, beside ABS's backup and
// incremental folders (ABS scans only those two, so it never sees pins):
//
//	<routine>/.pins/backup/<run folder>.yaml
//	<routine>/.pins/incremental/<run folder>.yaml
const PinsDir = ".pins"

// Pin marks a backup that no retention removes, with the full and the
// incrementals it needs to be restored.
type Pin struct {
	Key      string    `yaml:"key" json:"key"`
	Reason   string    `yaml:"reason,omitempty" json:"reason,omitempty"`
	PinnedAt time.Time `yaml:"pinned-at" json:"pinned-at"`
	PinnedBy string    `yaml:"pinned-by" json:"pinned-by"` // user@host
	// Path is the pin's object, relative to the storage root.
	Path string `yaml:"-" json:"-"`
}

// Rule is the pin as a retention reason.
func (p Pin) Rule() string {
	if p.Reason == "" {
		return "pinned"
	}
	return "pinned: " + p.Reason
}

// PinPath is the pin object of the run k names.
func PinPath(k Key) string {
	return path.Join(k.Routine, PinsDir, k.Type.Folder(), k.Folder+".yaml")
}

// pinKey is the run key of a pin object's path, ok false when the path is
// not a pin's.
func pinKey(routine, p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, path.Join(routine, PinsDir)+"/")
	if !ok {
		return "", false
	}
	dir, file, ok := strings.Cut(rest, "/")
	folder, isYAML := strings.CutSuffix(file, ".yaml")
	if _, typed := typeOfFolder(dir); !ok || !typed || !isYAML || strings.Contains(folder, "/") {
		return "", false
	}
	if _, err := ParseRunFolder(folder); err != nil {
		return "", false
	}
	return path.Join(routine, dir, folder), true
}

// WritePin stores p for the run k names, replacing an earlier pin.
func WritePin(ctx context.Context, store storage.Store, k Key, p Pin) error {
	p.Key = k.Dir()
	if err := writeYAML(ctx, store, PinPath(k), p); err != nil {
		return fmt.Errorf("pin %s in %s: %w", k.Dir(), store, err)
	}
	return nil
}

// ReadPin returns the pin of the run k names; storage.ErrNotFound
// (wrapped) when it has none.
func ReadPin(ctx context.Context, store storage.Store, k Key) (*Pin, error) {
	p, err := readYAML[Pin](ctx, store, PinPath(k))
	if err != nil {
		return nil, err
	}
	p.Key, p.Path = k.Dir(), PinPath(k)
	return p, nil
}

// RemovePin deletes the pin of the run k names; a run without one is not
// an error.
func RemovePin(ctx context.Context, store storage.Store, k Key) error {
	if err := store.Delete(ctx, PinPath(k)); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("unpin %s in %s: %w", k.Dir(), store, err)
	}
	return nil
}

// ReadPins returns the routines' pins by run key, with one List per
// routine. A pin whose file does not decode still pins its backup: losing
// a backup to a damaged pin is worse than keeping one.
func ReadPins(ctx context.Context, store storage.Store, routines []string) (map[string]Pin, error) {
	pins := map[string]Pin{}
	for _, r := range routines {
		objs, err := store.List(ctx, path.Join(r, PinsDir))
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return nil, fmt.Errorf("list the pins of %s in %s: %w", r, store, err)
		}
		for _, o := range objs {
			key, ok := pinKey(r, o.Path)
			if !ok {
				continue
			}
			p, err := readYAML[Pin](ctx, store, o.Path)
			switch {
			case errors.Is(err, storage.ErrNotFound):
				continue // unpinned since the listing
			case err != nil:
				p = &Pin{Reason: "unreadable pin file (" + err.Error() + ")"}
			}
			p.Key, p.Path = key, o.Path
			pins[key] = *p
		}
	}
	return pins, nil
}
