package catalog

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// KeyChoice is a backup's key offered for a flag (a shell completion),
// with a line describing the backup.
type KeyChoice struct {
	Key         string
	Description string
}

// KeyChoices are the keys of backups that start with prefix, newest
// first, each described by its type, time, namespaces and record count.
func KeyChoices(backups []Backup, prefix string) []KeyChoice {
	sorted := append([]Backup(nil), backups...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Time.After(sorted[j].Time) })
	var out []KeyChoice
	for _, b := range sorted {
		if !strings.HasPrefix(b.Key, prefix) {
			continue
		}
		records, _ := b.Totals()
		var nss []string
		for _, n := range b.Namespaces {
			nss = append(nss, n.Namespace)
		}
		out = append(out, KeyChoice{b.Key, fmt.Sprintf("%s %s, %s, %d records", b.Type,
			b.Time.UTC().Format(time.RFC3339), strings.Join(nss, ","), records)})
	}
	return out
}
