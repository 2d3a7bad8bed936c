package restorejob

import (
	"context"
	"fmt"
	"sync"

	as "github.com/aerospike/aerospike-client-go/v8"
	astypes "github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/pkg/asinfo"
)

// backup-go (v0.11.0) maps a restore's namespace only on record tokens
// (internal/processors/change_namespace.go); its secondary-index writer
// creates each index in the namespace the backup's metadata line names,
// the source one. Restoring test -> bar would then put the indexes in
// "test": INVALID_NAMESPACE on a cluster without it, indexes in the wrong
// namespace on a cluster with it.
//
// Every step that writes indexes therefore restores through its own
// backup-go client over indexClient, a cluster client that creates and
// drops indexes of the source namespace in the destination one (the same
// one when not mapped), and that keeps an index already there under
// another name (see sindexdup.go). Everything else (reading,
// decompressing and decrypting the files, decoding them,
// ApplyMetadataLast ordering, an index of the same name being dropped and
// made again, retries, the sindex count) stays backup-go's own, for plain,
// compressed and encrypted backups alike. UDFs are cluster-wide and pass
// through unchanged.

// indexClient is the cluster client with index operations mapped from
// the source namespace to the destination.
type indexClient struct {
	backup.AerospikeClient
	source, dest string
	job          *Job
	ctx          context.Context
	// info lists the destination's indexes; made on first use, as its
	// constructor asks every node for its version.
	info func() (*asinfo.Client, error)
}

// indexBackupClient is a backup-go client on cluster (the job's
// connection, wrapped) whose index operations go to dest instead of source
// (source == dest: not mapped), with the connection's info policies.
func (j *Job) indexBackupClient(ctx context.Context, cluster backup.AerospikeClient, source, dest string) (*backup.Client, error) {
	ip, rp := j.Conn.InfoPolicies()
	ac := &indexClient{AerospikeClient: cluster, source: source, dest: dest, job: j, ctx: ctx}
	ac.info = sync.OnceValues(func() (*asinfo.Client, error) {
		return asinfo.NewClient(ac.Cluster(), ip, rp)
	})
	bc, err := backup.NewClient(ac, backup.WithLogger(j.Log), backup.WithInfoPolicies(ip, rp))
	if err != nil {
		return nil, fmt.Errorf("restoring %s into %s: %w", source, dest, err)
	}
	return bc, nil
}

func (c *indexClient) mapped() bool { return c.source != c.dest }

// namespace maps an index's namespace; with a mapping, an index of any
// namespace but the backup's is refused, as backup-go refuses such records.
func (c *indexClient) namespace(ns, index string) (string, as.Error) {
	if !c.mapped() {
		return ns, nil
	}
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
func (c *indexClient) annotate(err as.Error, op, index, ns string) as.Error {
	if err == nil {
		return nil
	}
	mapping := ""
	if c.mapped() {
		mapping = fmt.Sprintf(" (restoring %s into %s)", c.source, c.dest)
	}
	return &indexError{clientError: err, msg: fmt.Sprintf("%s secondary index %s in namespace %s%s: %s",
		op, index, ns, mapping, printable(err.Error()))}
}

func (c *indexClient) CreateComplexIndex(policy *as.WritePolicy, namespace, set, indexName, binName string,
	indexType as.IndexType, collectionType as.IndexCollectionType, ctx ...*as.CDTContext,
) (*as.IndexTask, as.Error) {
	ns, err := c.namespace(namespace, indexName)
	if err != nil {
		return nil, err
	}
	def, err := binIndexDef(ns, set, indexName, binName, indexType, collectionType, ctx)
	if err != nil {
		return nil, c.annotate(err, "creating", indexName, ns)
	}
	if task, err := c.keepSameDefinition(def); task != nil || err != nil {
		return task, err
	}
	task, err := c.AerospikeClient.CreateComplexIndex(policy, ns, set, indexName, binName, indexType, collectionType, ctx...)
	return task, c.annotate(err, "creating", indexName, ns)
}

func (c *indexClient) CreateIndexWithExpression(policy *as.WritePolicy, namespace, set, indexName string,
	indexType as.IndexType, collectionType as.IndexCollectionType, exp *as.Expression,
) (*as.IndexTask, as.Error) {
	ns, err := c.namespace(namespace, indexName)
	if err != nil {
		return nil, err
	}
	def, err := expIndexDef(ns, set, indexName, indexType, collectionType, exp)
	if err != nil {
		return nil, c.annotate(err, "creating", indexName, ns)
	}
	if task, err := c.keepSameDefinition(def); task != nil || err != nil {
		return task, err
	}
	task, err := c.AerospikeClient.CreateIndexWithExpression(policy, ns, set, indexName, indexType, collectionType, exp)
	return task, c.annotate(err, "creating", indexName, ns)
}

func (c *indexClient) DropIndex(policy *as.WritePolicy, namespace, set, indexName string) as.Error {
	ns, err := c.namespace(namespace, indexName)
	if err != nil {
		return err
	}
	return c.annotate(c.AerospikeClient.DropIndex(policy, ns, set, indexName), "dropping", indexName, ns)
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
