package verify

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/copyjob"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// AlsoIn is another storage check requires the newest backup in: a copy.
type AlsoIn struct {
	Name string
	Open func(ctx context.Context) (storage.Store, error)
}

// CopyStatus is whether one AlsoIn storage holds the newest backup.
type CopyStatus struct {
	Storage string `json:"storage"`
	OK      bool   `json:"ok"`
	Key     string `json:"key,omitempty"`
	Reason  string `json:"reason"`
}

// CheckStoreAlsoIn is CheckStore that also requires the newest backup to
// be complete in every storage of also (each namespace with the source's
// record and byte counts). A storage that lacks it makes the check fail
// with a reason naming the storage and the key, unless it failed already.
func CheckStoreAlsoIn(ctx context.Context, store storage.Store, routine string, nss []string,
	now time.Time, maxAge time.Duration, minRecords uint64, also []AlsoIn) (Freshness, error) {
	backups, err := catalog.List(ctx, store, catalog.Filter{Routines: []string{routine}})
	if err != nil {
		return Freshness{}, fmt.Errorf("routine %q: %w", routine, err)
	}
	if len(nss) > 0 {
		backups = catalog.KeepNamespaces(backups, nss)
	}
	f := Check(routine, backups, now, maxAge, minRecords)
	var names []string
	for _, a := range also {
		names = append(names, strconv.Quote(a.Name))
		st, err := checkCopy(ctx, routine, nss, backups, f.Newest, a)
		if err != nil {
			return f, err
		}
		f.Copies = append(f.Copies, st)
		if !st.OK && f.OK {
			f.OK, f.Reason = false, fmt.Sprintf("routine %q: %s", routine, st.Reason)
		}
	}
	if f.OK && len(names) > 0 {
		f.Reason += "; also in storage " + strings.Join(names, ", ")
	}
	return f, nil
}

func checkCopy(ctx context.Context, routine string, nss []string, backups []catalog.Backup, newest string, a AlsoIn) (CopyStatus, error) {
	st := CopyStatus{Storage: a.Name, Key: newest}
	var src *catalog.Backup
	for i := range backups {
		if backups[i].Key == newest {
			src = &backups[i]
		}
	}
	if src == nil {
		st.Reason = fmt.Sprintf("no newest backup to look for in storage %q", a.Name)
		return st, nil
	}
	store, err := a.Open(ctx)
	if err != nil {
		return st, err
	}
	defer store.Close()
	dst, err := catalog.List(ctx, store, catalog.Filter{Routines: []string{routine}})
	if err != nil {
		return st, fmt.Errorf("routine %q: storage %q: %w", routine, a.Name, err)
	}
	if len(nss) > 0 {
		dst = catalog.KeepNamespaces(dst, nss)
	}
	lacking, err := copyjob.Lacking(*src, dst)
	switch {
	case err != nil:
		st.Reason = fmt.Sprintf("storage %q: %v", a.Name, err)
	case len(lacking) == len(src.Namespaces):
		st.Reason = fmt.Sprintf("newest backup %s is not in storage %q", newest, a.Name)
	case len(lacking) > 0:
		st.Reason = fmt.Sprintf("newest backup %s is incomplete in storage %q: lacking namespace(s) %v", newest, a.Name, lacking)
	default:
		st.OK, st.Reason = true, fmt.Sprintf("newest backup %s is complete in storage %q", newest, a.Name)
	}
	return st, nil
}
