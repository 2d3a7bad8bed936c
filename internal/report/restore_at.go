package report

import (
	"fmt"
	"io"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/plan"
	"github.com/aerobackup/aerobackup/internal/policy"
)

// RestoreAtStep is one backup of a namespace's point-in-time plan.
type RestoreAtStep struct {
	Order       int       `json:"order"`
	Key         string    `json:"key"`
	Type        string    `json:"type"`
	Created     time.Time `json:"created"`
	From        time.Time `json:"from,omitzero"`
	Records     uint64    `json:"record-count"`
	WritePolicy string    `json:"write-policy"`
}

// RestoreAtNamespace is one namespace of the plan: its order and why.
type RestoreAtNamespace struct {
	Source        string          `json:"source-namespace"`
	Destination   string          `json:"destination-namespace"`
	Order         string          `json:"order"` // newest-first or chronological
	Why           string          `json:"order-reason"`
	RecoveryPoint time.Time       `json:"recovery-point"`
	Steps         []RestoreAtStep `json:"steps"`
	Warnings      []string        `json:"warnings,omitempty"`
}

// RestoreAtPlan is restore-at-timestamp's dry run: the point-in-time plan.
type RestoreAtPlan struct {
	Type          string               `json:"type"`
	Outcome       string               `json:"outcome"`
	DryRun        bool                 `json:"dry-run"`
	Routine       string               `json:"routine"`
	Time          time.Time            `json:"time"`
	RecoveryPoint time.Time            `json:"recovery-point"`
	Namespaces    []RestoreAtNamespace `json:"namespaces"`
}

// NewRestoreAtPlan reports the plan of routine's restore to at: per
// namespace its steps in application order, each with the type, times
// and write policy of its backup.
func NewRestoreAtPlan(routine string, at time.Time, p *plan.PointInTimePlan) *RestoreAtPlan {
	doc := &RestoreAtPlan{Type: "restore-at-timestamp", Outcome: "dry-run", DryRun: true, Routine: routine, Time: at,
		RecoveryPoint: p.RecoveryPoint}
	for _, ns := range p.Namespaces {
		n := RestoreAtNamespace{Source: ns.Chain.Namespace, Destination: ns.Destination, Order: ns.Order(), Why: ns.Reason,
			RecoveryPoint: ns.Chain.RecoveryPoint, Warnings: ns.Chain.Warnings}
		byKey := map[string]catalog.Link{}
		for _, l := range ns.Chain.Links {
			byKey[l.Key] = l
		}
		for j, s := range ns.Steps {
			cs := byKey[s.Label]
			n.Steps = append(n.Steps, RestoreAtStep{Order: j + 1, Key: s.Label, Type: string(cs.Type), Created: cs.Metadata.Created,
				From: cs.Metadata.From, Records: s.ExpectedRecords, WritePolicy: policy.WriteMode(s.Config)})
		}
		doc.Namespaces = append(doc.Namespaces, n)
	}
	return doc
}

// Human prints the dry run's plan: per namespace its order and steps.
func (d *RestoreAtPlan) Human(w, _ io.Writer) error {
	fmt.Fprintf(w, "dry run: would restore routine %q to %s\n", d.Routine, d.Time.UTC().Format(time.RFC3339Nano))
	for _, n := range d.Namespaces {
		fmt.Fprintf(w, "namespace %s -> %s: %s (%s), recovery point %s\n", n.Source, n.Destination, n.Order, n.Why,
			n.RecoveryPoint.UTC().Format(time.RFC3339Nano))
		for _, s := range n.Steps {
			fmt.Fprintf(w, "  %2d. %-12s %s  created %s  %d records  %s\n", s.Order, s.Type, s.Key,
				s.Created.UTC().Format(time.RFC3339Nano), s.Records, s.WritePolicy)
		}
		for _, warn := range n.Warnings {
			fmt.Fprintf(w, "  warning: %s\n", warn)
		}
	}
	fmt.Fprintf(w, "recovery point: %s\n", d.RecoveryPoint.UTC().Format(time.RFC3339Nano))
	return nil
}
