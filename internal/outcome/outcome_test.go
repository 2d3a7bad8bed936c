package outcome

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("boom"), 1},
		{Usage("bad flag %s", "--x"), 2},
		{fmt.Errorf("wrapped: %w", AsUsage(errors.New("bad"))), 2},
		{Skip("locked by %s", "host"), 3},
		{&PartialError{Failed: []string{"ns"}, Err: errors.New("ns failed")}, 4},
		{&InterruptError{Signal: "interrupt"}, 130},
		{&InterruptError{Signal: "terminated"}, 143},
		{&InterruptError{Signal: "hangup"}, 129},
		{&InterruptError{Signal: "quit"}, 131},
		{fmt.Errorf("backup: %w", &InterruptError{Signal: "hangup"}), 129},
		{fmt.Errorf("scan: %w", context.Canceled), 130},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
	for _, code := range []int{129, 130, 131, 143} {
		if !Interrupted(code) {
			t.Errorf("Interrupted(%d) = false, want true", code)
		}
	}
	for _, code := range []int{0, 1, 2, 3, 4, 128, 137} {
		if Interrupted(code) {
			t.Errorf("Interrupted(%d) = true, want false", code)
		}
	}
	// Marking twice keeps one wrapper.
	u := AsUsage(Usage("x"))
	var ue *UsageError
	if !errors.As(u, &ue) || errors.Unwrap(ue) == nil || errors.As(errors.Unwrap(ue), new(*UsageError)) {
		t.Errorf("AsUsage wrapped a usage error again: %#v", u)
	}
	if AsUsage(nil) != nil {
		t.Error("AsUsage(nil) must be nil")
	}
}
