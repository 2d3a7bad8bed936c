package routine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/cluster"
)

func TestPendingWait(t *testing.T) {
	boom := errors.New("no seed answered")
	p := InBackground(context.Background(), func(context.Context) (*cluster.Conn, error) { return nil, boom })
	if _, err := p.Wait(); !errors.Is(err, boom) {
		t.Fatalf("Wait: %v", err)
	}
	p.Discard() // after Wait: nothing to do, must not block
}

// Discard cancels an attempt still connecting and waits for it to end.
func TestPendingDiscardCancels(t *testing.T) {
	ended := make(chan error, 1)
	p := InBackground(context.Background(), func(ctx context.Context) (*cluster.Conn, error) {
		<-ctx.Done()
		ended <- ctx.Err()
		return nil, ctx.Err()
	})
	done := make(chan struct{})
	go func() { p.Discard(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Discard did not stop the attempt")
	}
	if err := <-ended; !errors.Is(err, context.Canceled) {
		t.Errorf("attempt ended with %v, want canceled", err)
	}
}

// Waiting cancels the attempt's context: it bounds the connecting only.
func TestPendingWaitReleasesTheContext(t *testing.T) {
	var attempt context.Context
	p := InBackground(context.Background(), func(ctx context.Context) (*cluster.Conn, error) {
		attempt = ctx
		return &cluster.Conn{}, nil
	})
	if c, err := p.Wait(); c == nil || err != nil {
		t.Fatalf("Wait: %v, %v", c, err)
	}
	if attempt.Err() == nil {
		t.Error("the attempt's context is still live after Wait")
	}
}
