package plan

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/timeflag"
)

// BackupShape is what kind of run the backup command is asked for, as the
// flags say it before any routine is read: its checks refuse what cannot
// go together, naming the flags, before anything is opened.
type BackupShape struct {
	Incremental, AutoFull bool
	// Estimate sizes a full backup instead of taking one, from
	// EstimateSamples records per namespace; SamplesGiven: the count was
	// given at all.
	Estimate        bool
	EstimateSamples int64
	SamplesGiven    bool
	// Output "-" streams one namespace to standard output; JSON: a --json
	// document was asked for.
	Output string
	JSON   bool
}

// Check refuses flags that go only with others.
func (s BackupShape) Check() error {
	switch {
	case s.AutoFull && !s.Incremental:
		return errors.New("--auto-full goes with --incremental")
	case s.SamplesGiven && !s.Estimate:
		return errors.New("--estimate-samples goes with --estimate")
	case s.Estimate && s.EstimateSamples < 1:
		return fmt.Errorf("--estimate-samples must be at least 1, got %d", s.EstimateSamples)
	}
	return nil
}

// CheckStream refuses what cannot go with --output: standard output then
// carries the stream and nothing else.
func (s BackupShape) CheckStream() error {
	switch {
	case s.Output != "-":
		return fmt.Errorf("--output %q: only - (standard output) is supported; backups to storage need no --output", s.Output)
	case s.JSON:
		// Moving the summary to stderr would break `| jq`; logs there can
		// be JSON with --log-format json.
		return errors.New("--json cannot go with --output -: standard output carries the backup stream (use --log-format json for machine-readable logs on stderr)")
	case s.AutoFull && s.Incremental:
		return errors.New("--auto-full cannot go with --output -: the reader of the stream could not tell a full from an incremental")
	}
	return nil
}

// ParseNamespaceMap reads --namespace-map's SRC=DST pairs, refusing a
// source mapped twice.
func ParseNamespaceMap(pairs []string) (map[string]string, error) {
	m := map[string]string{}
	for _, p := range pairs {
		src, dst, ok := strings.Cut(p, "=")
		src, dst = strings.TrimSpace(src), strings.TrimSpace(dst)
		if !ok || src == "" || dst == "" {
			return nil, fmt.Errorf("--namespace-map %q: want SRC=DST", p)
		}
		if _, dup := m[src]; dup {
			return nil, fmt.Errorf("--namespace-map: namespace %q mapped twice", src)
		}
		m[src] = dst
	}
	return m, nil
}

// CheckOrder refuses --unique with --disable-reordering: oldest first,
// CREATE_ONLY would keep the oldest copy of every record.
func (r PointInTimeRequest) CheckOrder() error {
	if r.Unique && r.DisableReordering {
		return errors.New("--unique with --disable-reordering would keep the oldest copy of every record; drop one of them")
	}
	return nil
}

// FlagTime reads --flag's value s in one of timeflag's forms, relative
// ones against now.
func FlagTime(flag, s string, now time.Time) (time.Time, error) {
	t, err := timeflag.ParseAt(s, now)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s %q: %w", flag, s, err)
	}
	return t, nil
}

// Window reads --from and --to (each "": no bound, the zero time).
func Window(from, to string, now time.Time) (fromT, toT time.Time, err error) {
	for _, b := range []struct {
		flag, value string
		bound       *time.Time
	}{{"from", from, &fromT}, {"to", to, &toT}} {
		if b.value == "" {
			continue
		}
		if *b.bound, err = FlagTime(b.flag, b.value, now); err != nil {
			return time.Time{}, time.Time{}, err
		}
	}
	return fromT, toT, nil
}

// ListFilter reads list's --type, --from and --to (each "": no bound);
// one --namespace narrows the catalog's scan, several are kept after it.
func ListFilter(typ, from, to string, namespaces []string, now time.Time) (catalog.Filter, error) {
	t, err := catalog.ParseType(typ)
	if err != nil {
		return catalog.Filter{}, fmt.Errorf("--type: %w", err)
	}
	f := catalog.Filter{Type: t, Pins: true}
	if f.From, f.To, err = Window(from, to, now); err != nil {
		return catalog.Filter{}, err
	}
	if len(namespaces) == 1 {
		f.Namespace = namespaces[0]
	}
	return f, nil
}
