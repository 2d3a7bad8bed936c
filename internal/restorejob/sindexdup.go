package restorejob

import (
	"errors"
	"fmt"

	as "github.com/aerospike/aerospike-client-go/v8"
	astypes "github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/aerospike/backup-go/models"
)

// A restore creates each index of the backup under the backup's name. The
// destination may already hold an index of the same definition (set, bin,
// bin type, collection type, context or expression) under another name,
// an operator's own, say, or one restored earlier from another namespace.
// Aerospike keeps one index per definition, and neither answer to the
// create suits a restore. Aerospike 8.1 takes it as a rename
// (as/src/sindex/sindex.c, smd_sindex_create), silently taking the
// operator's name away. Where the create is refused with INDEX_FOUND
// instead, backup-go v0.11.0 (io/aerospike/sindex_writer.go) drops the
// backup's name, which removes nothing, creates again and fails the whole
// restore after most records are written.
//
// Either way the index the backup describes is there, so queries work: the
// restore keeps it under its name, warns, and goes on. The check comes
// before the create, since on 8.1 the create itself renames. An index of
// the backup's own name is not this case: it is created as before, and
// backup-go drops and recreates one of another definition.

// keepSameDefinition returns a task on an index of def's definition that
// the destination holds under another name, or nil when there is none.
func (c *indexClient) keepSameDefinition(def *models.SIndex) (*as.IndexTask, as.Error) {
	other, err := c.otherNameFor(def)
	if err != nil {
		var ae as.Error
		if !errors.As(err, &ae) {
			ae = &as.AerospikeError{ResultCode: astypes.COMMON_ERROR}
		}
		return nil, &indexError{clientError: ae, msg: fmt.Sprintf(
			"creating secondary index %s in namespace %s: listing the namespace's indexes: %s",
			def.Name, def.Namespace, printable(err.Error()))}
	}
	if other == "" {
		return nil, nil
	}
	c.job.Log.Warn("secondary index not created: the namespace has an index of the same definition; keeping it",
		"index", def.Name, "namespace", def.Namespace, "existing-index", other)
	// backup-go waits on the task as on one of its own creates: it polls
	// the existing index's load percentage, done at once unless the index
	// is still being built.
	return as.NewIndexTask(c.Cluster(), def.Namespace, other), nil
}

// otherNameFor is the name of an index of def.Namespace with def's
// definition and another name, or "".
func (c *indexClient) otherNameFor(def *models.SIndex) (string, error) {
	info, err := c.info()
	if err != nil {
		return "", err
	}
	// asinfo reads sindex-list the way backup-go's backups do (context
	// and expression in base64, the server's "null" set as no set), so a
	// listed index compares field by field with one from a backup.
	list, err := info.GetSIndexes(c.ctx, def.Namespace)
	if err != nil {
		return "", err
	}
	for _, si := range list {
		if si.Name != def.Name && sameDefinition(si, def) {
			return si.Name, nil
		}
	}
	return "", nil
}

// sameDefinition reports whether two indexes index the same values. An
// index with no set ("") covers the whole namespace and is not the same as
// one on a set. Context and expression are compared as the base64 of
// their bytes, as the server compares the bytes.
func sameDefinition(a, b *models.SIndex) bool {
	if a.Namespace != b.Namespace || a.Set != b.Set || a.IndexType != b.IndexType ||
		a.Path.BinType != b.Path.BinType || a.Path.B64Context != b.Path.B64Context || a.Expression != b.Expression {
		return false
	}
	// An expression index has no bin (the server lists "null").
	return a.Expression != "" || a.Path.BinName == b.Path.BinName
}

// binIndexDef is the definition CreateComplexIndex is asked to create, in
// backup-go's terms (the inverse of its sindex writer's mapping).
func binIndexDef(ns, set, name, bin string, t as.IndexType, ct as.IndexCollectionType,
	ctx []*as.CDTContext,
) (*models.SIndex, as.Error) {
	def := &models.SIndex{Namespace: ns, Set: set, Name: name, IndexType: collectionTypes[ct],
		Path: models.SIndexPath{BinName: bin, BinType: binTypes[t]}}
	if len(ctx) > 0 {
		b64, err := as.CDTContextToBase64(ctx)
		if err != nil {
			return nil, err
		}
		def.Path.B64Context = b64
	}
	return def, nil
}

// expIndexDef is the definition CreateIndexWithExpression is asked to
// create.
func expIndexDef(ns, set, name string, t as.IndexType, ct as.IndexCollectionType, exp *as.Expression,
) (*models.SIndex, as.Error) {
	b64, err := exp.Base64()
	if err != nil {
		return nil, err
	}
	return &models.SIndex{Namespace: ns, Set: set, Name: name, IndexType: collectionTypes[ct],
		Path: models.SIndexPath{BinType: binTypes[t]}, Expression: b64}, nil
}

// Types the writer does not know map to the zero (invalid) value, which no
// listed index has: such an index is simply created, and the server judges.
var (
	binTypes = map[as.IndexType]models.SIPathBinType{
		as.NUMERIC: models.NumericSIDataType, as.STRING: models.StringSIDataType,
		as.BLOB: models.BlobSIDataType, as.GEO2DSPHERE: models.GEO2DSphereSIDataType,
	}
	collectionTypes = map[as.IndexCollectionType]models.SIndexType{
		as.ICT_DEFAULT: models.BinSIndex, as.ICT_LIST: models.ListElementSIndex,
		as.ICT_MAPKEYS: models.MapKeySIndex, as.ICT_MAPVALUES: models.MapValueSIndex,
	}
)
