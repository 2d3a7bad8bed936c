package backupjob

import "fmt"

// PartialError says some namespaces were backed up and some failed: the
// run's Result lists both. outcome classes it as partial.
type PartialError struct {
	Failed []string // the namespaces that failed
	Err    error
}

func (e *PartialError) Error() string { return e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// SliceCountError is a slice asked to join a run folder that is being
// taken in another number of slices: the slices' settings disagree, and
// nothing was written. outcome classes it as a usage error.
type SliceCountError struct {
	Namespace string
	Folder    string
	Have      int // the slice count the folder's slices were given
	Want      int // this slice's count
}

func (e *SliceCountError) Error() string {
	return fmt.Sprintf("namespace %q: run folder %s is being taken in %d slices, not %d: give every slice the same N",
		e.Namespace, e.Folder, e.Have, e.Want)
}
