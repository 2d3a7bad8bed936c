package storage

import (
	"slices"
	"testing"
)

func TestPrefix(t *testing.T) {
	for _, c := range []struct {
		root, p, key, dirKey string
	}{
		{"", "", "", ""},
		{"", "a/b", "a/b", "a/b/"},
		{"", "../x", "x", "x/"},
		{"/backups/", "", "backups", "backups/"},
		{"backups", "/r/backup/1/", "backups/r/backup/1", "backups/r/backup/1/"},
		{"backups", "../../escape", "backups/escape", "backups/escape/"},
	} {
		r := NewPrefix(c.root)
		if got := r.Key(c.p); got != c.key {
			t.Errorf("Prefix(%q).Key(%q) = %q, want %q", c.root, c.p, got, c.key)
		}
		if got := r.DirKey(c.p); got != c.dirKey {
			t.Errorf("Prefix(%q).DirKey(%q) = %q, want %q", c.root, c.p, got, c.dirKey)
		}
		if c.p != "" {
			if got := r.Rel(c.key); got != Clean(c.p) {
				t.Errorf("Prefix(%q).Rel(%q) = %q, want %q", c.root, c.key, got, Clean(c.p))
			}
		}
	}
	if got := NewPrefix("p").Keys([]string{"a", "b/c"}); !slices.Equal(got, []string{"p/a", "p/b/c"}) {
		t.Errorf("Keys = %v", got)
	}
}
