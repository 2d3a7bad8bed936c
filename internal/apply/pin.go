package apply

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/report"
	"github.com/aerobackup/aerobackup/internal/session"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// PinScope is the session of a pin or unpin of key: its routine, and the
// catalog narrowed to that backup.
func PinScope(key catalog.Key) func(*session.Options) {
	return func(so *session.Options) {
		so.Routine = key.Routine
		so.Filter = catalog.Filter{Routines: []string{key.Routine}, Type: key.Type, From: key.Time, To: key.Time}
	}
}

// Pin pins the backup key names with reason, replacing an earlier pin,
// or, with unpin, removes its pin; unless dryRun. A backup that is not
// there cannot be pinned; unpinning what is not pinned does nothing and
// says so. The pin records now and who pinned (user@host).
func Pin(sess *session.Session, key catalog.Key, reason string, unpin, dryRun bool, now time.Time) (*report.Pin, error) {
	ctx, run := sess.Context(), key.Dir()
	doc := &report.Pin{Type: "pin", DryRun: dryRun, Key: run}
	old, err := catalog.ReadPin(ctx, sess.Store, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		old, err = nil, nil
	case err != nil:
		return nil, fmt.Errorf("read the pin of %s: %w", run, err)
	}
	if unpin {
		doc.Type, doc.Pin = "unpin", old
		switch {
		case old == nil:
			doc.Action = "not-pinned"
		case dryRun:
			doc.Action = "would-unpin"
		default:
			doc.Action = "unpinned"
			err = catalog.RemovePin(ctx, sess.Store, key)
		}
		return doc, err
	}
	found := false
	for _, b := range sess.Listing.Backups {
		found = found || b.Key == run
	}
	if !found {
		return nil, fmt.Errorf("backup %s not found in %s (take a key from 'aerobackup list'; an incomplete backup cannot be pinned)",
			run, sess.Store)
	}
	doc.Pin = &catalog.Pin{Key: run, Reason: reason, PinnedAt: now.UTC(), PinnedBy: pinner()}
	doc.Replaced, doc.Action = old, "would-pin"
	if !dryRun {
		doc.Action = "pinned"
		err = catalog.WritePin(ctx, sess.Store, key, *doc.Pin)
	}
	return doc, err
}

// pinner is user@host of this process.
func pinner() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	host, _ := os.Hostname()
	return name + "@" + host
}
