package routine

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

// wrapped marks a store that went through an opener's wrap.
type wrapped struct{ storage.Store }

func TestRuntimeOpener(t *testing.T) {
	target, err := Resolve(nil, Request{Storage: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var umask []localstore.Modes
	rt := &Runtime{Store: StoreOptions{SetUmask: func(m localstore.Modes) int { umask = append(umask, m); return 0 }}}
	st, err := rt.Opener(target, nil)(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, ok := st.(wrapped); ok {
		t.Error("no wrap: the store itself")
	}
	wrap := func(s storage.Store) storage.Store { return wrapped{s} }
	if st, err = rt.Opener(target, wrap)(context.Background()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, ok := st.(wrapped); !ok {
		t.Errorf("wrap not applied: %T", st)
	}
	if !reflect.DeepEqual(umask, []localstore.Modes{localstore.Private, localstore.Private}) {
		t.Errorf("the run's store options: umask %v, want private at each open", umask)
	}
}

// One cache of secrets a run, whoever asks first; a store's secrets go
// through it.
func TestRuntimeSecretsOnce(t *testing.T) {
	rt := &Runtime{}
	got := make([]*Secrets, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i] = rt.Secrets() }()
	}
	wg.Wait()
	for _, s := range got {
		if s == nil || s != got[0] {
			t.Fatalf("caches %v: want one", got)
		}
	}
	fake := &fakeAgents{}
	rt = &Runtime{secrets: NewSecrets(fake)}
	target, err := Resolve(load(t, "../../testdata/config/secret-agents.yml"), Request{Routine: "main-to-s3"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.OpenStore(context.Background(), target); err == nil || !strings.Contains(err.Error(), "secret agent has no") {
		t.Errorf("err %v", err)
	}
	if len(fake.asked) == 0 {
		t.Error("the store's secrets did not go through the run's cache")
	}
}
