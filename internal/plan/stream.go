package plan

import (
	"slices"
	"strings"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
)

// StreamRequest is what a stream backup (backup --output -) is asked: one
// namespace as a single ASB stream, nothing stored.
type StreamRequest struct {
	Routine string
	// Named are the routine's namespaces (or --namespace); empty: the
	// cluster's.
	Named       []string
	Incremental bool
	// Mode is the policy's incr-mode; Sealed bounds the window by the
	// run's start.
	Mode   string
	Sealed bool
}

// NewStreamRequest is the stream of r's namespaces (already narrowed by
// --namespace), a full or an incremental.
func NewStreamRequest(r *config.Routine, incremental bool) StreamRequest {
	return StreamRequest{Routine: r.Name, Named: r.Namespaces, Incremental: incremental,
		Mode: r.Policy().IncrementalMode(), Sealed: r.Policy().IsSealed()}
}

// StreamPlan is the stream's namespace, type and window.
type StreamPlan struct {
	Namespace string
	Type      catalog.Type
	// From is an incremental's lower bound; Until, when sealed, the upper.
	From, Until time.Time
	// Reason says where an incremental's lower bound comes from.
	Reason string
}

// StreamNamespace picks the one namespace a stream backs up: the only one
// the routine names, else the cluster's only one. With namespaces nil (the
// cluster not asked yet) it checks only the routine's.
func StreamNamespace(r StreamRequest, namespaces []string) (string, error) {
	switch {
	case len(r.Named) > 1:
		return "", refuse("--output - streams exactly one namespace; routine %q names %d (%s): pick one with --namespace",
			r.Routine, len(r.Named), sortedList(r.Named))
	case len(r.Named) == 1:
		return r.Named[0], nil
	case len(namespaces) > 1:
		// Sorted: servers list their namespaces in their config's order.
		return "", refuse("--output - streams exactly one namespace; the cluster has %d (%s): pick one with --namespace",
			len(namespaces), sortedList(namespaces))
	case len(namespaces) == 1:
		return namespaces[0], nil
	}
	return "", nil
}

// Stream plans the stream of namespace ns started at now: a full takes
// every record; an incremental needs a full of ns in existing (else it
// skips) and starts where IncrementalFrom says.
func Stream(r StreamRequest, ns string, existing []catalog.Backup, now time.Time) (StreamPlan, error) {
	if !r.Incremental {
		return StreamPlan{Namespace: ns, Type: catalog.Full, Reason: "full: every record"}, nil
	}
	if _, ok := catalog.IncrementalBase(existing, ns); !ok {
		return StreamPlan{}, nothingToDo("routine %q: no full backup of namespace %s to build an incremental on", r.Routine, ns)
	}
	from := IncrementalFrom(existing, ns, r.Mode)
	p := StreamPlan{Namespace: ns, Type: catalog.Incremental, From: from.From, Reason: from.Reason}
	if r.Sealed {
		p.Until = now
	}
	return p, nil
}

// sortedList joins a sorted copy of names for a message.
func sortedList(names []string) string {
	return strings.Join(slices.Sorted(slices.Values(names)), ", ")
}
