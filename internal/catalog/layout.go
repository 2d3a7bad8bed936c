package catalog

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

// Type is the kind of a backup run.
type Type string

const (
	// Full is a complete backup of the namespaces.
	Full Type = "full"
	// Incremental holds the records changed since its `from` time.
	Incremental Type = "incremental"
	// AnyType matches both in a Filter.
	AnyType Type = ""
)

// Folder names ABS uses under a routine and a run.
const (
	FullDir          = "backup"
	IncrementalDir   = "incremental"
	DataDir          = "data"
	ConfigurationDir = "configuration"
	MetadataFile     = "metadata.yaml"
	// ManifestFile holds aerobackup's own details beside metadata.yaml.
	// Its name must not end in "metadata.yaml": ABS picks up every file
	// with that suffix as backup metadata.
	ManifestFile = "aerobackup.yaml"
)

// Folder returns the routine sub-folder holding runs of this type.
func (t Type) Folder() string {
	if t == Incremental {
		return IncrementalDir
	}
	return FullDir
}

// ParseType accepts "full", "incremental" and, for filters, "any" or "".
func ParseType(s string) (Type, error) {
	switch strings.ToLower(s) {
	case "full":
		return Full, nil
	case "incremental", "incr":
		return Incremental, nil
	case "", "any", "all":
		return AnyType, nil
	}
	return "", fmt.Errorf("backup type %q: want full, incremental or any", s)
}

func typeOfFolder(folder string) (Type, bool) {
	switch folder {
	case FullDir:
		return Full, true
	case IncrementalDir:
		return Incremental, true
	}
	return "", false
}

// RunFolderName is the run folder name ABS uses for a run started at t:
// its Unix time in milliseconds.
func RunFolderName(t time.Time) string {
	return strconv.FormatInt(t.UnixMilli(), 10)
}

// ParseRunFolder returns the start time encoded in a run folder name: the
// leading Unix milliseconds, optionally followed by "_" and a suffix (ABS's
// timestamp-format option appends a human-readable date).
func ParseRunFolder(name string) (time.Time, error) {
	digits, _, _ := strings.Cut(name, "_")
	if digits == "" || len(digits) > 18 {
		return time.Time{}, fmt.Errorf("run folder %q: not <unix-millis>[_suffix]", name)
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return time.Time{}, fmt.Errorf("run folder %q: not <unix-millis>[_suffix]", name)
		}
	}
	ms, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("run folder %q: %w", name, err)
	}
	return time.UnixMilli(ms).UTC(), nil
}

// RunDir is the folder of the run of routine of type typ started at t,
// e.g. "nightly/backup/1763712000000". It is also the run's Key.
func RunDir(routine string, typ Type, t time.Time) string {
	return path.Join(routine, typ.Folder(), RunFolderName(t))
}

// NamespaceDir is the folder of one namespace's files in a run.
func NamespaceDir(runDir, namespace string) string {
	return path.Join(runDir, DataDir, namespace)
}

// MetadataPath is the metadata.yaml of a namespace folder.
func MetadataPath(nsDir string) string { return path.Join(nsDir, MetadataFile) }

// ManifestPath is aerobackup's manifest of a namespace folder.
func ManifestPath(nsDir string) string { return path.Join(nsDir, ManifestFile) }

// ConfigurationPath is the folder for the cluster configuration saved
// with a full run (ABS's with-cluster-configuration).
func ConfigurationPath(runDir string) string { return path.Join(runDir, ConfigurationDir) }

// ConfigurationFile is the n-th node's configuration file, named as ABS
// names it.
func ConfigurationFile(runDir string, n int) string {
	return path.Join(runDir, ConfigurationDir, fmt.Sprintf("aerospike_%d.conf", n))
}

// Key identifies one backup run: its folder relative to the storage root.
type Key struct {
	Routine string
	Type    Type
	Folder  string    // run folder name, e.g. "1763712000000" or "1763712000000_21-Nov-2025-08-00-00"
	Time    time.Time // parsed from Folder
	// Namespace is set when the key named one namespace's folder (ABS's
	// own key form, ".../data/<namespace>").
	Namespace string
}

// ErrInvalidKey is returned (wrapped) by ParseKey.
var ErrInvalidKey = errors.New("invalid backup key")

// ParseKey parses a backup key as printed by `list`
// ("nightly/backup/1763712000000") or as ABS prints it
// ("nightly/backup/1763712000000/data/test"). Leading and trailing
// slashes are ignored.
func ParseKey(s string) (Key, error) {
	bad := func(why string) (Key, error) {
		return Key{}, fmt.Errorf("%w %q: %s (want <routine>/backup|incremental/<unix-millis>)", ErrInvalidKey, s, why)
	}
	trimmed := strings.Trim(s, "/")
	if trimmed == "" {
		return bad("empty")
	}
	segs := strings.Split(trimmed, "/")
	for _, seg := range segs {
		if seg == "" || seg == "." || seg == ".." {
			return bad("empty, . or .. path element")
		}
	}
	var ns string
	if n := len(segs); n >= 5 && segs[n-2] == DataDir {
		ns = segs[n-1]
		segs = segs[:n-2]
	}
	n := len(segs)
	if n < 3 {
		return bad("too few path elements")
	}
	typ, ok := typeOfFolder(segs[n-2])
	if !ok {
		return bad(fmt.Sprintf("%q is neither %q nor %q", segs[n-2], FullDir, IncrementalDir))
	}
	t, err := ParseRunFolder(segs[n-1])
	if err != nil {
		return bad(err.Error())
	}
	return Key{
		Routine:   strings.Join(segs[:n-2], "/"),
		Type:      typ,
		Folder:    segs[n-1],
		Time:      t,
		Namespace: ns,
	}, nil
}

// Dir is the run folder the key names.
func (k Key) Dir() string { return path.Join(k.Routine, k.Type.Folder(), k.Folder) }

// String is the canonical run key (without any namespace).
func (k Key) String() string { return k.Dir() }
