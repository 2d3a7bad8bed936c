package records

import (
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/catalog"
)

func TestVersionsGone(t *testing.T) {
	at := func(s int) time.Time { return time.Unix(1_800_000_000+int64(s), 0).UTC() }
	b := func(key string, typ catalog.Type, s int) catalog.Backup {
		return catalog.Backup{Key: key, Type: typ, Time: at(s), Namespaces: []catalog.NamespaceBackup{{Namespace: "test"}}}
	}
	key, _ := as.NewKey("test", "s", "k")
	rec := func(void int64) *models.Record {
		return &models.Record{Record: &as.Record{Key: key}, VoidTime: void}
	}
	f1, i1, f2, i2, f3 := b("r/backup/1", catalog.Full, 10), b("r/incremental/2", catalog.Incremental, 20),
		b("r/backup/3", catalog.Full, 30), b("r/incremental/4", catalog.Incremental, 40), b("r/backup/5", catalog.Full, 50)
	searched := []catalog.Backup{f1, i1, f2, i2, f3}
	seen := map[string]bool{}
	for _, s := range searched {
		seen[s.Key+"/test"] = true
	}
	all := func(bs ...catalog.Backup) []Version {
		var out []Version
		for _, x := range bs {
			out = append(out, Version{Backup: x.Key, Time: x.Time, Type: x.Type, Namespace: "test", Record: rec(0)})
		}
		return out
	}
	everything := func(catalog.Backup) bool { return true }
	for _, c := range []struct {
		name string
		held []Version
		gone map[string]string // backup -> gone-by backup
	}{
		{"deleted after the first full", all(f1), map[string]string{"r/backup/1": "r/backup/3"}},
		{"updated, then deleted", all(f1, i1), map[string]string{"r/incremental/2": "r/backup/3"}},
		{"in every full", all(f1, f2, f3), map[string]string{}},
		{"deleted, then created again", all(f1, i2, f3), map[string]string{"r/backup/1": "r/backup/3"}},
		{"created after the last full", all(i2), map[string]string{"r/incremental/4": "r/backup/5"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := versions(c.held, searched, seen, everything)
			for i := 1; i < len(got); i++ {
				if got[i].Time.After(got[i-1].Time) {
					t.Fatalf("not newest first: %v", got)
				}
			}
			for _, v := range got {
				want := c.gone[v.Backup]
				switch {
				case want == "" && v.Gone != nil:
					t.Errorf("%s: gone by %s, want not gone", v.Backup, v.Gone.Backup)
				case want != "" && (v.Gone == nil || v.Gone.Backup != want || v.Gone.Reason != "deleted"):
					t.Errorf("%s: gone %+v, want deleted before %s", v.Backup, v.Gone, want)
				}
			}
		})
	}
	// A copy whose void time passed before the full that lacks it expired.
	v := Version{Backup: f1.Key, Time: f1.Time, Namespace: "test", Record: rec(int64(at(15).Sub(citrusleafEpoch) / time.Second))}
	if got := versions([]Version{v}, searched, seen, everything); got[0].Gone == nil || got[0].Gone.Reason != "expired" {
		t.Errorf("expired copy: %+v", got[0].Gone)
	}
}

// MissingError names every record no backup holds, and the search; nil
// when each was found.
func TestMissingError(t *testing.T) {
	res := &FindResult{BackupsSearched: 3, Records: []Found{
		{Want: Want{Label: `"a"`}, Versions: []Version{{}}},
		{Want: Want{Label: `"b"`}},
		{Want: Want{Label: "digest c"}},
	}}
	want := `not found: "b", digest c is in none of the 3 backups of routine "nightly" searched`
	if err := res.MissingError("nightly"); err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	res.Records = res.Records[:1]
	if err := res.MissingError("nightly"); err != nil {
		t.Errorf("every record found: %v", err)
	}
}
