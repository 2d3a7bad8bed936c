package plan

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/aerospike/backup-go"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/restorejob"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/stdinstore"
)

// RestoreRequest is what restore was asked to do.
type RestoreRequest struct {
	// Key is the backup named by --backup, for RestoreBackup.
	Key catalog.Key
	// Path is --path: a folder, or "-" for the stream on standard input.
	Path string
	// Storage names where the backup is looked for, in messages.
	Storage string
	// Namespaces named with --namespace: only these are restored.
	Namespaces []string
	// Map renames source namespaces (--namespace-map).
	Map map[string]string
	// Compress and Encrypt are --compress and --encrypt: the files' modes
	// where no metadata.yaml says them, or despite it.
	Compress, Encrypt string
	// Base is the restore's configuration, shared by every step.
	Base *backup.ConfigRestore
}

// RestorePlan is a restore's steps, one per namespace, each with its
// destination.
type RestorePlan struct {
	Steps []restorejob.Step
}

// Chains are the plan's restore chains: every step alone, so namespaces
// are restored in parallel.
func (p *RestorePlan) Chains() []restorejob.Chain {
	chains := make([]restorejob.Chain, 0, len(p.Steps))
	for _, s := range p.Steps {
		chains = append(chains, restorejob.Chain{Namespace: s.Destination, Steps: []restorejob.Step{s}})
	}
	return chains
}

// RestoreBackup plans restoring the run r.Key names, from the catalog
// listing: each of its namespaces, but those the key or --namespace leave
// out. A run with an unfinished part is refused, not restored in part.
func RestoreBackup(r RestoreRequest, l catalog.Listing) (*RestorePlan, error) {
	b, err := findBackup(l, r.Key, r.Storage)
	if err != nil {
		return nil, err
	}
	var steps []restorejob.Step
	for _, nb := range b.Namespaces {
		if r.Key.Namespace != "" && nb.Namespace != r.Key.Namespace {
			continue
		}
		if len(r.Namespaces) > 0 && !slices.Contains(r.Namespaces, nb.Namespace) {
			continue
		}
		steps = append(steps, restorejob.Step{Label: b.Key, Dir: nb.Dir, Source: nb.Namespace,
			Compression: nb.Metadata.Compression, Encryption: nb.Metadata.Encryption,
			ExpectedRecords: nb.Metadata.RecordCount,
			Indexes:         nb.Metadata.SecondaryIndexCount, UDFs: nb.Metadata.UDFCount})
	}
	if len(steps) == 0 {
		return nil, refuse("backup %s holds none of the namespaces %s", b.Key, strings.Join(r.Namespaces, ", "))
	}
	return r.plan(steps)
}

// findBackup picks the run key names from the listing.
func findBackup(l catalog.Listing, key catalog.Key, where string) (*catalog.Backup, error) {
	var reasons []string
	want := key.Dir()
	if key.Namespace != "" {
		want = catalog.NamespaceDir(want, key.Namespace)
	}
	for _, inc := range l.Incomplete {
		if inc.Path == want || strings.HasPrefix(inc.Path, want+"/") {
			reasons = append(reasons, fmt.Sprintf("%s: %s", inc.Path, inc.Reason))
		}
	}
	if len(reasons) > 0 {
		// Some namespace of the run is unfinished (a sliced run waiting
		// for a slice): refuse rather than restore part.
		return nil, fmt.Errorf("backup %s is incomplete, refusing to restore it: %s", key.Dir(), strings.Join(reasons, "; "))
	}
	for i := range l.Backups {
		if l.Backups[i].Key == key.Dir() {
			return &l.Backups[i], nil
		}
	}
	return nil, fmt.Errorf("backup %s not found in %s", key.Dir(), where)
}

// RestoreFolder plans restoring a folder of .asb files (--path) from its
// metadata.yaml, as loading it answered (meta, loadErr): the namespace,
// compression and encryption it names; without one, the namespace
// --namespace names. --compress and --encrypt override the file's modes.
func RestoreFolder(r RestoreRequest, meta *catalog.Metadata, loadErr error) (*RestorePlan, error) {
	step := restorejob.Step{Label: r.Path}
	var sliced *catalog.IncompleteSlicesError
	switch {
	case errors.As(loadErr, &sliced):
		return nil, fmt.Errorf("--path %q is incomplete, refusing to restore it: %s", r.Path, sliced.Set.Reason())
	case loadErr == nil:
		step.Source = meta.Namespace
		step.Compression, step.Encryption = meta.Compression, meta.Encryption
		step.ExpectedRecords = meta.RecordCount
	case errors.Is(loadErr, storage.ErrNotFound):
		if len(r.Namespaces) != 1 {
			return nil, refuse("--path %q has no metadata.yaml: name the backup's namespace with --namespace", r.Path)
		}
		step.Source = r.Namespaces[0]
	default:
		return nil, fmt.Errorf("--path %q: %w", r.Path, loadErr)
	}
	if r.Compress != "" {
		step.Compression = strings.ToUpper(r.Compress)
	}
	if r.Encrypt != "" {
		step.Encryption = strings.ToUpper(r.Encrypt)
	}
	return r.plan([]restorejob.Step{step})
}

// RestoreStream plans restoring the ASB stream on standard input (--path
// -): of the namespace its header names, which peek reads ahead, and which
// --namespace, when given, must agree with. An encrypted stream cannot be
// read ahead without the key, so it needs --namespace and peek is not
// called. The plan itself reads nothing: peek is the caller's.
func RestoreStream(r RestoreRequest, peek func(compressed bool) (string, error)) (*RestorePlan, error) {
	step := restorejob.Step{Label: "stdin", Compression: strings.ToUpper(r.Compress), Encryption: strings.ToUpper(r.Encrypt)}
	var given string
	switch n := len(r.Namespaces); {
	case n > 1:
		return nil, refuse("--path - reads one namespace's stream; --namespace names %d (%s)", n, strings.Join(r.Namespaces, ", "))
	case n == 1:
		given = r.Namespaces[0]
	}
	if step.Encrypted() {
		if given == "" {
			return nil, refuse("--path - with --encrypt %s: the stream's namespace cannot be read before it is decrypted; name it with --namespace", step.Encryption)
		}
		step.Source = given
		return r.plan([]restorejob.Step{step})
	}
	ns, err := peek(step.Compressed())
	switch {
	case err == nil && given != "" && ns != given:
		return nil, refuse("--namespace %s: the stream on standard input holds namespace %q, not %q", given, ns, given)
	case err == nil:
		step.Source = ns
	case given != "":
		// The restore's decoder says what is wrong with the stream.
		step.Source = given
	case errors.Is(err, stdinstore.ErrNotASB) && !step.Compressed():
		return nil, fmt.Errorf("--path -: %w: for a compressed stream add --compress ZSTD, for an encrypted one --encrypt and --namespace", err)
	default:
		return nil, fmt.Errorf("--path -: %w", err)
	}
	return r.plan([]restorejob.Step{step})
}

// plan gives every step its destination and the restore's configuration,
// and refuses a --namespace-map from a namespace no step holds.
func (r RestoreRequest) plan(steps []restorejob.Step) (*RestorePlan, error) {
	for i := range steps {
		steps[i].Destination = steps[i].Source
		if dst, ok := r.Map[steps[i].Source]; ok {
			steps[i].Destination = dst
		}
		steps[i].Config = r.Base
	}
	for _, src := range slices.Sorted(maps.Keys(r.Map)) {
		if !slices.ContainsFunc(steps, func(s restorejob.Step) bool { return s.Source == src }) {
			what := "the backup"
			if r.Path == "-" {
				what = "the stream on standard input"
			}
			return nil, refuse("--namespace-map %s=%s: %s holds no namespace %q (it holds %s)", src, r.Map[src], what, src, sources(steps))
		}
	}
	return &RestorePlan{Steps: steps}, nil
}

// sources lists the steps' namespaces, sorted, for a message.
func sources(steps []restorejob.Step) string {
	var names []string
	for _, s := range steps {
		if !slices.Contains(names, s.Source) {
			names = append(names, s.Source)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
