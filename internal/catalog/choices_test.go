package catalog

import (
	"reflect"
	"testing"
)

func TestKeyChoices(t *testing.T) {
	old, newer, other := bk("F", 1763683200000, 0), bk("I", 1763769600000, 1763683200000, "test", "bar"), bk("F", 1763690400000, 0)
	other.Key = "hourly/backup/1763690400000"
	newer.Namespaces[0].Metadata.RecordCount, newer.Namespaces[1].Metadata.RecordCount = 40, 2
	backups := []Backup{old, newer, other}
	got := KeyChoices(backups, "")
	want := []KeyChoice{
		{newer.Key, "incremental 2025-11-22T00:00:00Z, test,bar, 42 records"},
		{other.Key, "full 2025-11-21T02:00:00Z, test, 0 records"},
		{old.Key, "full 2025-11-21T00:00:00Z, test, 0 records"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("newest first:\n got %q\nwant %q", got, want)
	}
	if backups[0].Key != old.Key {
		t.Error("KeyChoices reordered its argument")
	}
	if got := KeyChoices(backups, "h"); len(got) != 1 || got[0].Key != other.Key {
		t.Errorf("prefix h: %q, want only %s", got, other.Key)
	}
	if got := KeyChoices(nil, ""); got != nil {
		t.Errorf("no backups: %q", got)
	}
}

func TestKeepNamespaces(t *testing.T) {
	a, b := bk("F", 1000, 0, "test", "bar"), bk("F", 2000, 0, "bar")
	got := KeepNamespaces([]Backup{a, b}, []string{"test"})
	if len(got) != 1 || got[0].Key != a.Key || len(got[0].Namespaces) != 1 || got[0].Namespaces[0].Namespace != "test" {
		t.Errorf("only test: %+v", got)
	}
	if len(a.Namespaces) != 2 {
		t.Error("KeepNamespaces changed its argument's namespaces")
	}
	if got := KeepNamespaces([]Backup{a, b}, []string{"none"}); got != nil {
		t.Errorf("no such namespace: %+v", got)
	}
}
