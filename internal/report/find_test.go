package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/records"
)

func TestFindDocument(t *testing.T) {
	sel, err := records.Select(records.Spec{Keys: []string{"k1", "gone"}, Set: "s"})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := as.NewKey("test", "s", "k1")
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	void := at.Add(time.Hour).Unix() - time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	rec := &models.Record{Record: &as.Record{Key: key, Generation: 3, Bins: as.BinMap{"name": "ada", "n": 7}}, VoidTime: void}
	res := &records.FindResult{BackupsSearched: 2, FilesRead: 2, FilesHeld: 8, BytesRead: 2048, Records: []records.Found{
		{Want: sel.Wants[0], Versions: []records.Version{{Backup: "r/backup/1", Time: at, Type: catalog.Full, Namespace: "test", Record: rec,
			Gone: &records.Gone{Reason: "deleted", Backup: "r/backup/2", Time: at.Add(24 * time.Hour)}}}},
		{Want: sel.Wants[1]},
	}}
	d, err := NewFind("r", res)
	if err != nil {
		t.Fatal(err)
	}
	v := d.Records[0].Versions[0]
	if v.Generation != 3 || v.TTL != 3600 || v.Gone == nil || v.Key == nil || v.Key.Value != "k1" || len(v.Bins) != 2 ||
		v.Bins[0].Name != "n" || v.Bins[1].Size != 3 || d.Records[1].Found {
		t.Fatalf("document %+v", v)
	}
	var out, errOut bytes.Buffer
	if err := d.Human(&out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`key "k1" (string) in set "s": digest ` + sel.Wants[0].DigestHex(), "r/backup/1", "deleted before r/backup/2",
		"2026-11-21T11:00:00Z (ttl 1h0m0s)", "n(int,8B) name(string,3B)", "in no backup searched"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("human form lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errOut.String(), "searched 2 backups: read 2 of 8 data files") {
		t.Errorf("summary: %s", errOut.String())
	}
	b, _ := json.Marshal(d)
	for _, want := range []string{`"reason":"deleted"`, `"found":false`, `"ttl-seconds":3600`, `"files-held":8`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("json lacks %s: %s", want, b)
		}
	}
}
