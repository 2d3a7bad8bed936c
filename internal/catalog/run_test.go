package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// deleteOrderStore records deletions to check metadata goes first.
type deleteOrderStore struct {
	storage.Store
	order []string
}

func (d *deleteOrderStore) Delete(ctx context.Context, p string) error {
	d.order = append(d.order, "delete "+p)
	return d.Store.Delete(ctx, p)
}

func (d *deleteOrderStore) DeleteAll(ctx context.Context, p string) error {
	d.order = append(d.order, "deleteall "+p)
	return d.Store.DeleteAll(ctx, p)
}

func TestRemoveRun(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	keep := putRun(t, s, "r", Full, ms(1000), time.Time{}, "test")
	gone := putRun(t, s, "r", Full, ms(2000), time.Time{}, "test", "bar")
	d := &deleteOrderStore{Store: s}

	if err := RemoveRun(ctx, d, gone); err != nil {
		t.Fatal(err)
	}
	want := "delete r/backup/2000/data/bar/metadata.yaml|delete r/backup/2000/data/test/metadata.yaml|deleteall r/backup/2000"
	if got := strings.Join(d.order, "|"); got != want {
		t.Errorf("deletions = %s\nwant %s", got, want)
	}
	got, err := List(ctx, s, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Key != keep {
		t.Errorf("after RemoveRun: %v", keys(got))
	}
	if objs, _ := s.List(ctx, gone); len(objs) != 0 {
		t.Errorf("files left: %v", objs)
	}
	// Idempotent, and only run keys are accepted.
	if err := RemoveRun(ctx, s, gone); err != nil {
		t.Errorf("second RemoveRun: %v", err)
	}
	for _, bad := range []string{"r", "r/backup", "", "../x/backup/1"} {
		if err := RemoveRun(ctx, s, bad); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("RemoveRun(%q) = %v, want ErrInvalidKey", bad, err)
		}
	}
	// An ABS namespace key removes that namespace only.
	two := putRun(t, s, "r", Full, ms(3000), time.Time{}, "test", "bar")
	if err := RemoveRun(ctx, s, two+"/data/bar"); err != nil {
		t.Fatal(err)
	}
	got, _ = List(ctx, s, Filter{})
	if len(got) != 2 || got[1].Key != two || len(got[1].Namespaces) != 1 || got[1].Namespaces[0].Namespace != "test" {
		t.Errorf("after namespace removal: %+v", got)
	}
}
