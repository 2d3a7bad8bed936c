package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/restorejob"
)

// pointInTime is a plan of two namespaces: test newest first (incremental
// then full, CREATE_ONLY), bar chronologically with a gap warning.
func pointInTime() *plan.PointInTimePlan {
	full := catalog.Link{Key: "r/backup/1", Type: catalog.Full, Metadata: catalog.Metadata{Created: t0}}
	incr := catalog.Link{Key: "r/incremental/2", Type: catalog.Incremental,
		Metadata: catalog.Metadata{Created: t0.Add(time.Hour), From: t0.Add(30 * time.Minute)}}
	create := &backup.ConfigRestore{WritePolicy: &as.WritePolicy{RecordExistsAction: as.CREATE_ONLY}}
	update := &backup.ConfigRestore{}
	return &plan.PointInTimePlan{RecoveryPoint: t0, Namespaces: []*plan.RestoreNamespace{
		{Chain: catalog.PointInTimeChain{Namespace: "test", Links: []catalog.Link{full, incr}, RecoveryPoint: t0.Add(time.Hour)},
			Destination: "copy", NewestFirst: true, Reason: "destination empty",
			Steps: []restorejob.Step{{Label: incr.Key, ExpectedRecords: 2, Config: create},
				{Label: full.Key, ExpectedRecords: 10, Config: create}}},
		{Chain: catalog.PointInTimeChain{Namespace: "bar", Links: []catalog.Link{full}, RecoveryPoint: t0,
			Warnings: []string{"gap before r/incremental/9"}},
			Destination: "bar", Reason: "destination not empty",
			Steps: []restorejob.Step{{Label: full.Key, ExpectedRecords: 4, Config: update}}},
	}}
}

func TestRestoreAtPlanHuman(t *testing.T) {
	d := NewRestoreAtPlan("r", t0.Add(90*time.Minute), pointInTime())
	var out, errOut bytes.Buffer
	if err := d.Human(&out, &errOut); err != nil {
		t.Fatal(err)
	}
	want := "dry run: would restore routine \"r\" to 2026-11-21T11:30:00Z\n" +
		"namespace test -> copy: newest-first (destination empty), recovery point 2026-11-21T11:00:00Z\n" +
		"   1. incremental  r/incremental/2  created 2026-11-21T11:00:00Z  2 records  CREATE_ONLY\n" +
		"   2. full         r/backup/1  created 2026-11-21T10:00:00Z  10 records  CREATE_ONLY\n" +
		"namespace bar -> bar: chronological (destination not empty), recovery point 2026-11-21T10:00:00Z\n" +
		"   1. full         r/backup/1  created 2026-11-21T10:00:00Z  4 records  UPDATE\n" +
		"  warning: gap before r/incremental/9\n" +
		"recovery point: 2026-11-21T10:00:00Z\n"
	if out.String() != want || errOut.Len() != 0 {
		t.Errorf("stdout\n%s\nstderr %q, want\n%s", out.String(), errOut.String(), want)
	}
}

// Each step takes its backup's type and times from the chain's links; a
// full has no "from".
func TestRestoreAtPlanJSON(t *testing.T) {
	b, err := json.Marshal(NewRestoreAtPlan("r", t0.Add(90*time.Minute), pointInTime()))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`{"type":"restore-at-timestamp","outcome":"dry-run","dry-run":true,"routine":"r","time":"2026-11-21T11:30:00Z","recovery-point":"2026-11-21T10:00:00Z"`,
		`{"order":1,"key":"r/incremental/2","type":"incremental","created":"2026-11-21T11:00:00Z","from":"2026-11-21T10:30:00Z","record-count":2,"write-policy":"CREATE_ONLY"}`,
		`{"order":2,"key":"r/backup/1","type":"full","created":"2026-11-21T10:00:00Z","record-count":10,"write-policy":"CREATE_ONLY"}`,
		`"order":"newest-first","order-reason":"destination empty"`,
		`"warnings":["gap before r/incremental/9"]`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("json %s\nwant it to hold %s", b, want)
		}
	}
}
