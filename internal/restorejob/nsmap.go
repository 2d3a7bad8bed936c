package restorejob

import (
	"fmt"

	as "github.com/aerospike/aerospike-client-go/v8"
	astypes "github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/aerospike/backup-go"
)

// backup-go (v0.11.0) maps a restore's namespace only on record tokens
// (internal/processors/change_namespace.go); its secondary-index writer
// creates each index in the namespace the backup's metadata line names,
// the source one. Restoring test -> bar would then put the indexes in
// "test": INVALID_NAMESPACE on a cluster without it, indexes in the wrong
// namespace on a cluster with it.
//
// A step that maps the namespace therefore restores through its own
// backup-go client over nsMappingClient, a cluster client that creates and
// drops indexes of the source namespace in the destination one. Everything
// else (reading, decompressing and decrypting the files, decoding them,
// ApplyMetadataLast ordering, an index of the same name being dropped and
// made again, retries, the sindex count) stays backup-go's own, for plain,
// compressed and encrypted backups alike. UDFs are cluster-wide and pass
// through unchanged.

// nsMappingClient is the cluster client with index operations mapped from
// the source namespace to the destination.
type nsMappingClient struct {
	backup.AerospikeClient
	source, dest string
}

// mappedBackupClient is a backup-go client on the job's cluster connection
// whose index operations go to dest instead of source.
func (j *Job) mappedBackupClient(source, dest string) (*backup.Client, error) {
	if j.Conn.Aerospike == nil {
		return nil, fmt.Errorf("restoring %s into %s: no cluster client", source, dest)
	}
	ac := &nsMappingClient{AerospikeClient: j.Conn.Aerospike, source: source, dest: dest}
	bc, err := backup.NewClient(ac, backup.WithLogger(j.Log))
	if err != nil {
		return nil, fmt.Errorf("restoring %s into %s: %w", source, dest, err)
	}
	return bc, nil
}

// namespace maps an index's namespace; an index of any namespace but the
// backup's is refused, as backup-go refuses such records.
func (c *nsMappingClient) namespace(ns, index string) (string, as.Error) {
	if ns != c.source {
		return "", &indexError{
			clientError: &as.AerospikeError{ResultCode: astypes.PARAMETER_ERROR},
			msg: fmt.Sprintf("secondary index %s is in namespace %s, not in %s, the namespace restored into %s",
				index, ns, c.source, c.dest),
		}
	}
	return c.dest, nil
}

// annotate names the destination namespace in a failed index operation;
// the result code stays, so backup-go still recognises INDEX_FOUND.
func (c *nsMappingClient) annotate(err as.Error, op, index string) as.Error {
	if err == nil {
		return nil
	}
	return &indexError{clientError: err, msg: fmt.Sprintf("%s secondary index %s in namespace %s (restoring %s into %s): %s",
		op, index, c.dest, c.source, c.dest, printable(err.Error()))}
}

func (c *nsMappingClient) CreateComplexIndex(policy *as.WritePolicy, namespace, set, indexName, binName string,
	indexType as.IndexType, collectionType as.IndexCollectionType, ctx ...*as.CDTContext,
) (*as.IndexTask, as.Error) {
	ns, err := c.namespace(namespace, indexName)
	if err != nil {
		return nil, err
	}
	task, err := c.AerospikeClient.CreateComplexIndex(policy, ns, set, indexName, binName, indexType, collectionType, ctx...)
	return task, c.annotate(err, "creating", indexName)
}

func (c *nsMappingClient) CreateIndexWithExpression(policy *as.WritePolicy, namespace, set, indexName string,
	indexType as.IndexType, collectionType as.IndexCollectionType, exp *as.Expression,
) (*as.IndexTask, as.Error) {
	ns, err := c.namespace(namespace, indexName)
	if err != nil {
		return nil, err
	}
	task, err := c.AerospikeClient.CreateIndexWithExpression(policy, ns, set, indexName, indexType, collectionType, exp)
	return task, c.annotate(err, "creating", indexName)
}

func (c *nsMappingClient) DropIndex(policy *as.WritePolicy, namespace, set, indexName string) as.Error {
	ns, err := c.namespace(namespace, indexName)
	if err != nil {
		return err
	}
	return c.annotate(c.AerospikeClient.DropIndex(policy, ns, set, indexName), "dropping", indexName)
}

// indexError is a client error with a message naming the index and the
// namespace; the client's result code and the rest are the wrapped one's.
type indexError struct {
	clientError
	msg string
}

// clientError names the embedded client error apart from the Error method.
type clientError = as.Error

func (e *indexError) Error() string { return e.msg }
func (e *indexError) Unwrap() error { return e.clientError }
