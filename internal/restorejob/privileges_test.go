package restorejob

import (
	"slices"
	"testing"

	"github.com/aerospike/backup-go"

	"github.com/aerobackup/aerobackup/internal/cluster"
)

func TestPrivilegeNeeds(t *testing.T) {
	all := &backup.ConfigRestore{}
	noMeta := &backup.ConfigRestore{NoIndexes: true, NoUDFs: true}
	metaOnly := &backup.ConfigRestore{NoRecords: true}
	validate := &backup.ConfigRestore{ValidateOnly: true}
	sets := &backup.ConfigRestore{SetList: []string{"alpha", "beta"}}
	for _, tc := range []struct {
		name  string
		steps []Step
		want  []need
	}{
		{"records only", []Step{{Source: "test", Config: all}}, []need{{"test", "", cluster.WriteRecords}}},
		{"records, an index and a UDF, mapped", []Step{{Source: "test", Destination: "bar", Indexes: 2, UDFs: 1, Config: all}},
			[]need{{"bar", "", cluster.WriteRecords}, {"bar", "", cluster.CreateIndexes}, {"bar", "", cluster.RegisterUDFs}}},
		{"metadata left out", []Step{{Source: "test", Indexes: 2, UDFs: 1, Config: noMeta}}, []need{{"test", "", cluster.WriteRecords}}},
		{"metadata only", []Step{{Source: "test", Indexes: 1, Config: metaOnly}}, []need{{"test", "", cluster.CreateIndexes}}},
		{"a chain asks once", []Step{{Source: "test", Indexes: 1, Config: all}, {Source: "test", Config: noMeta}},
			[]need{{"test", "", cluster.WriteRecords}, {"test", "", cluster.CreateIndexes}}},
		{"a set-list limits the records' sets", []Step{{Source: "test", Indexes: 1, Config: sets}},
			[]need{{"test", "alpha,beta", cluster.WriteRecords}, {"test", "", cluster.CreateIndexes}}},
		{"a validation writes nothing", []Step{{Source: "test", Indexes: 1, Config: validate}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := &Job{Chains: []Chain{{Steps: tc.steps}}}
			if got := j.needs(); !slices.Equal(got, tc.want) {
				t.Fatalf("needs %v, want %v", got, tc.want)
			}
		})
	}
}
