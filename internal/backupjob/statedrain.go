package backupjob

import (
	"context"
	"reflect"
	"unsafe"

	"github.com/aerospike/backup-go"
)

// drainStateUpdates works around a hang in backup-go v0.11.0 with a state
// file: each token writer sends the record's scan position on the state's
// unbuffered RecordsStateChan, whose only reader stops when the handler's
// context ends (interrupt or failure). A writer caught between its own
// context check and that send blocks for ever, and Wait with it. Once the
// handler's context is done (nothing is saved any more), this receives and
// discards those sends until stop is closed.
//
// backup-go does not expose the handler's state, so it is read with
// reflection; it returns false when the fields are not where v0.11.0 keeps
// them (TestDrainStateUpdatesFindsTheState guards an upgrade).
func drainStateUpdates(h *backup.BackupHandler, stop <-chan struct{}) bool {
	st, ctx, ok := handlerState(h)
	if !ok {
		return false
	}
	ch := st.RecordsStateChan
	go func() {
		select {
		case <-ctx.Done():
		case <-stop:
			return
		}
		for {
			select {
			case <-ch:
			case <-stop:
				return
			}
		}
	}()
	return true
}

func handlerState(h *backup.BackupHandler) (*backup.State, context.Context, bool) {
	if h == nil {
		return nil, nil, false
	}
	sf := reflect.ValueOf(h).Elem().FieldByName("state")
	if !sf.IsValid() || sf.Type() != reflect.TypeFor[*backup.State]() {
		return nil, nil, false
	}
	st := *(**backup.State)(unsafe.Pointer(sf.UnsafeAddr()))
	if st == nil || st.RecordsStateChan == nil {
		return nil, nil, false
	}
	cf := reflect.ValueOf(st).Elem().FieldByName("ctx")
	if !cf.IsValid() || cf.Type() != reflect.TypeFor[context.Context]() {
		return nil, nil, false
	}
	ctx := *(*context.Context)(unsafe.Pointer(cf.UnsafeAddr()))
	if ctx == nil {
		return nil, nil, false
	}
	return st, ctx, true
}
