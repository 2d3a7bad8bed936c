package copyjob

import (
	"fmt"
	"slices"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
)

// Selection narrows the backups to copy; the zero value is every one.
type Selection struct {
	// Backup is one backup's key: it and what the destination lacks of
	// its chain.
	Backup string
	// From and To bound the run time (inclusive; zero: open). The chains
	// of the incrementals chosen come with them, older or not.
	From, To time.Time
}

func (s Selection) match(b catalog.Backup) bool {
	if s.Backup != "" {
		return b.Key == s.Backup
	}
	return (s.From.IsZero() || !b.Time.Before(s.From)) && (s.To.IsZero() || !b.Time.After(s.To))
}

// Step is one backup of the plan and what to do with it.
type Step struct {
	Backup catalog.Backup // as the source lists it
	Copy   bool           // false: the destination has it
	// Lacking are the namespaces to copy (all of the backup's, unless the
	// destination holds some complete already).
	Lacking []string
	// Reason is why: "present", "lacking", "lacking namespace(s) …",
	// or "chain of <key>" for a backup copied so that one chosen restores.
	Reason string
}

// Plan is what a copy does, oldest first (a full before its incrementals).
type Plan struct {
	Steps []Step
}

// ToCopy is the steps to copy.
func (p Plan) ToCopy() []Step {
	var out []Step
	for _, s := range p.Steps {
		if s.Copy {
			out = append(out, s)
		}
	}
	return out
}

// MismatchError is a backup the destination holds under the same key with
// other counts than the source's: not the same backup, never overwritten.
type MismatchError struct {
	Key, Namespace string
	Msg            string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("backup %s namespace %q: %s; not overwritten (remove it at the destination to copy it again)", e.Key, e.Namespace, e.Msg)
}

// NotFoundError is a --backup the source does not hold complete.
type NotFoundError struct{ Key, Source string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("backup %s is not a complete backup in %s (see list)", e.Key, e.Source)
}

// NewPlan decides which of the source's complete backups (src, one
// routine's, as catalog.Scan lists them) to copy to a destination holding
// dst. A backup is present there when every namespace the source has is
// complete there with the same record and byte counts; other counts under
// the same key are a *MismatchError. Each chosen incremental brings the
// backups its namespaces restore from (the full and the incrementals
// before it, catalog.PointInTime's chain), so what is copied restores.
// source names the source in a *NotFoundError.
func NewPlan(src, dst []catalog.Backup, sel Selection, source string) (Plan, error) {
	byKey := map[string]catalog.Backup{}
	for _, b := range dst {
		byKey[b.Key] = b
	}
	why := map[string]string{}
	for _, b := range src {
		if !sel.match(b) {
			continue
		}
		why[b.Key] = ""
		if b.Type != catalog.Incremental {
			continue
		}
		for _, n := range b.Namespaces {
			chain, err := catalog.PointInTime(src, n.Namespace, n.Metadata.Created)
			if err != nil {
				continue // no full to restore from: copied as it is
			}
			for _, l := range chain.Links {
				if _, ok := why[l.Key]; !ok {
					why[l.Key] = "chain of " + b.Key
				}
			}
		}
	}
	if sel.Backup != "" {
		if _, ok := why[sel.Backup]; !ok {
			return Plan{}, &NotFoundError{Key: sel.Backup, Source: source}
		}
	}
	var p Plan
	for _, b := range src {
		chain, ok := why[b.Key]
		if !ok {
			continue
		}
		lacking, err := lacksIn(b, byKey)
		if err != nil {
			return Plan{}, err
		}
		st := Step{Backup: b, Copy: len(lacking) > 0, Lacking: lacking, Reason: "present"}
		switch {
		case !st.Copy:
		case chain != "":
			st.Reason = chain
		case len(lacking) < len(b.Namespaces):
			st.Reason = fmt.Sprintf("lacking namespace(s) %v", lacking)
		default:
			st.Reason = "lacking"
		}
		p.Steps = append(p.Steps, st)
	}
	return p, nil
}

// Lacking names the namespaces of b that dst (another storage's backups
// of the routine) does not hold complete; a *MismatchError when it holds
// one under b's key with other record or byte counts.
func Lacking(b catalog.Backup, dst []catalog.Backup) ([]string, error) {
	byKey := map[string]catalog.Backup{}
	for _, d := range dst {
		byKey[d.Key] = d
	}
	return lacksIn(b, byKey)
}

func lacksIn(b catalog.Backup, byKey map[string]catalog.Backup) ([]string, error) {
	d, ok := byKey[b.Key]
	var out []string
	for _, n := range b.Namespaces {
		dn, found := d.Namespace(n.Namespace)
		if !ok || !found {
			out = append(out, n.Namespace)
			continue
		}
		s, t := n.Metadata, dn.Metadata
		if s.RecordCount != t.RecordCount || s.ByteCount != t.ByteCount {
			return nil, &MismatchError{Key: b.Key, Namespace: n.Namespace, Msg: fmt.Sprintf(
				"the destination's metadata.yaml records %d records and %d bytes, the source's %d and %d",
				t.RecordCount, t.ByteCount, s.RecordCount, s.ByteCount)}
		}
	}
	slices.Sort(out)
	return out, nil
}
