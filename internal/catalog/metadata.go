package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/aerobackup/aerobackup/internal/checksum"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// Compression and encryption values as ABS writes them.
const (
	CompressionNone  = "NONE"
	CompressionZSTD  = "ZSTD"
	EncryptionNone   = "NONE"
	EncryptionAES128 = "AES128"
	EncryptionAES256 = "AES256"
)

// ErrBadMetadata is returned (wrapped) for a metadata.yaml that exists but
// cannot be used.
var ErrBadMetadata = errors.New("invalid metadata.yaml")

// Metadata is one namespace's metadata.yaml, field for field as ABS v3
// writes it (its BackupMetadata model marshalled by yaml.v3: times in
// RFC 3339 with nanoseconds when present, the zero time
// 0001-01-01T00:00:00Z as `from` of a full).
//
// It deliberately has no fields of our own: recent ABS versions decode
// metadata.yaml strictly and would reject a backup carrying unknown keys.
// aerobackup's extras go to the Manifest file beside it.
type Metadata struct {
	Created             time.Time `yaml:"created" json:"created"`
	Finished            time.Time `yaml:"finished" json:"finished"`
	From                time.Time `yaml:"from" json:"from"`
	Namespace           string    `yaml:"namespace" json:"namespace"`
	RecordCount         uint64    `yaml:"record-count" json:"record-count"`
	ByteCount           uint64    `yaml:"byte-count" json:"byte-count"`
	FileCount           uint64    `yaml:"file-count" json:"file-count"`
	SecondaryIndexCount uint64    `yaml:"secondary-index-count" json:"secondary-index-count"`
	UDFCount            uint64    `yaml:"udf-count" json:"udf-count"`
	Compression         string    `yaml:"compression" json:"compression"`
	Encryption          string    `yaml:"encryption" json:"encryption"`
}

// ParseMetadata decodes a metadata.yaml. Unknown fields are ignored (ABS
// may add some). created and namespace are required; a missing finished
// (files written before ABS v3.4.0) becomes created+1ms as ABS does, and
// missing compression/encryption (before v3.1.0) mean NONE.
func ParseMetadata(data []byte) (*Metadata, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("metadata.yaml is empty")
	}
	var m Metadata
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("metadata.yaml: %w", err)
	}
	if m.Created.IsZero() {
		return nil, errors.New("metadata.yaml: `created` is required")
	}
	if m.Namespace == "" {
		return nil, errors.New("metadata.yaml: `namespace` is required")
	}
	if m.Finished.IsZero() {
		m.Finished = m.Created.Add(time.Millisecond)
	}
	if m.Compression == "" {
		m.Compression = CompressionNone
	}
	if m.Encryption == "" {
		m.Encryption = EncryptionNone
	}
	return &m, nil
}

// Validate checks what ABS requires and the values it understands.
func (m *Metadata) Validate() error {
	switch {
	case m.Created.IsZero():
		return errors.New("metadata: created is required")
	case m.Finished.IsZero():
		return errors.New("metadata: finished is required")
	case m.Namespace == "":
		return errors.New("metadata: namespace is required")
	case m.Finished.Before(m.Created):
		return fmt.Errorf("metadata: finished %s is before created %s", m.Finished, m.Created)
	case !m.From.IsZero() && m.From.After(m.Created):
		return fmt.Errorf("metadata: from %s is after created %s", m.From, m.Created)
	}
	switch m.Compression {
	case "", CompressionNone, CompressionZSTD:
	default:
		return fmt.Errorf("metadata: compression %q: want NONE or ZSTD", m.Compression)
	}
	switch m.Encryption {
	case "", EncryptionNone, EncryptionAES128, EncryptionAES256:
	default:
		return fmt.Errorf("metadata: encryption %q: want NONE, AES128 or AES256", m.Encryption)
	}
	return nil
}

// IsIncremental reports whether the metadata describes an incremental
// (a non-zero lower time bound).
func (m *Metadata) IsIncremental() bool { return !m.From.IsZero() }

// Marshal encodes the metadata as ABS does. Times are cut to whole
// milliseconds (ABS's precision) and in UTC; from is only ever moved
// earlier by that, so nothing is missed by the next incremental.
func (m *Metadata) Marshal() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	out := *m
	out.Created = msUTC(m.Created)
	out.Finished = msUTC(m.Finished)
	if m.From.IsZero() {
		out.From = time.Time{}
	} else {
		out.From = msUTC(m.From)
	}
	if out.Compression == "" {
		out.Compression = CompressionNone
	}
	if out.Encryption == "" {
		out.Encryption = EncryptionNone
	}
	return yaml.Marshal(&out)
}

func msUTC(t time.Time) time.Time { return t.Truncate(time.Millisecond).UTC() }

// ReadMetadata reads and parses nsDir/metadata.yaml; storage.ErrNotFound
// (wrapped) when it is absent.
func ReadMetadata(ctx context.Context, store storage.Store, nsDir string) (*Metadata, error) {
	data, err := store.ReadFile(ctx, MetadataPath(nsDir))
	if err != nil {
		return nil, err
	}
	m, err := ParseMetadata(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %s: %w", ErrBadMetadata, store, MetadataPath(nsDir), err)
	}
	return m, nil
}

// WriteMetadata writes nsDir/metadata.yaml. Call it last, after every data
// file and the manifest are stored: its presence is what makes the folder
// a backup.
func WriteMetadata(ctx context.Context, store storage.Store, nsDir string, m *Metadata) error {
	data, err := m.Marshal()
	if err != nil {
		return fmt.Errorf("%s: %s: %w", store, MetadataPath(nsDir), err)
	}
	return store.WriteFile(ctx, MetadataPath(nsDir), data)
}

// Manifest is aerobackup's own record of a namespace backup, kept in
// aerobackup.yaml beside metadata.yaml (ABS ignores the file: restores
// read only .asb files, listings only metadata.yaml).
//
// Files lists every data file with the size and checksum of the bytes the
// backup wrote, recorded while writing; restore and verify check the
// stored files against them.
type Manifest struct {
	Tool            string `yaml:"tool" json:"tool"`
	ToolVersion     string `yaml:"tool-version" json:"tool-version"`
	BackupGoVersion string `yaml:"backup-go-version,omitempty" json:"backup-go-version,omitempty"`
	Routine         string `yaml:"routine" json:"routine"`
	Type            Type   `yaml:"type" json:"type"`
	Namespace       string `yaml:"namespace" json:"namespace"`
	// From and To bound the modification times the backup holds,
	// [from, to): From is zero for a full; To is the sealed upper bound, or
	// the run's start when the scan was not sealed (changes made during the
	// scan may or may not be in it; the next incremental starts at To).
	From time.Time `yaml:"from,omitempty" json:"from,omitzero"`
	To   time.Time `yaml:"to,omitempty" json:"to,omitzero"`
	// Slices is the number of slices a sliced run was taken in (0: one
	// process took it).
	Slices int             `yaml:"slices,omitempty" json:"slices,omitempty"`
	Files  []ManifestEntry `yaml:"files,omitempty" json:"files,omitempty"`
}

// File returns the manifest's entry named name.
func (m *Manifest) File(name string) (ManifestEntry, bool) {
	for _, f := range m.Files {
		if f.Name == name {
			return f, true
		}
	}
	return ManifestEntry{}, false
}

// ManifestEntry is one data file of the backup. A backup records one
// checksum per file, in the algorithm it was run with (CRC32C by default;
// manifests written before CRC32C existed hold SHA-256); readers check
// every checksum an entry holds, and the size alone when it holds none.
type ManifestEntry struct {
	Name   string `yaml:"name" json:"name"`
	Size   int64  `yaml:"size" json:"size"`
	SHA256 string `yaml:"sha256,omitempty" json:"sha256,omitempty"`
	CRC32C string `yaml:"crc32c,omitempty" json:"crc32c,omitempty"`
	// Partitions are the partition ranges the file's records can be in,
	// when the backup knows them (a worker of a backup-go scan writes the
	// records of its own consecutive partitions); empty: any partition, so
	// a lookup by key reads the file.
	Partitions []PartitionRange `yaml:"partitions,omitempty" json:"partitions,omitempty"`
}

// PartitionRange is Count partitions from Begin (of 4096).
type PartitionRange struct {
	Begin int `yaml:"begin" json:"begin"`
	Count int `yaml:"count" json:"count"`
}

// Holds reports whether partition p is in the range.
func (r PartitionRange) Holds(p int) bool { return p >= r.Begin && p < r.Begin+r.Count }

// MayHold reports whether the file can hold a record of partition p.
func (e ManifestEntry) MayHold(p int) bool {
	if len(e.Partitions) == 0 {
		return true
	}
	for _, r := range e.Partitions {
		if r.Holds(p) {
			return true
		}
	}
	return false
}

// Sums lists the checksums the entry records, CRC32C first.
func (e ManifestEntry) Sums() []checksum.Sum {
	var out []checksum.Sum
	if e.CRC32C != "" {
		out = append(out, checksum.Sum{Algorithm: checksum.CRC32C, Hex: e.CRC32C})
	}
	if e.SHA256 != "" {
		out = append(out, checksum.Sum{Algorithm: checksum.SHA256, Hex: e.SHA256})
	}
	return out
}

// SetSum records s in the entry's field for its algorithm.
func (e *ManifestEntry) SetSum(s checksum.Sum) {
	switch s.Algorithm {
	case checksum.CRC32C:
		e.CRC32C = s.Hex
	case checksum.SHA256:
		e.SHA256 = s.Hex
	default:
		panic("catalog: no manifest field for checksum " + string(s.Algorithm))
	}
}

// WriteManifest writes nsDir/aerobackup.yaml; call it before WriteMetadata.
func WriteManifest(ctx context.Context, store storage.Store, nsDir string, m *Manifest) error {
	return writeYAML(ctx, store, ManifestPath(nsDir), m)
}

// ReadManifest reads nsDir/aerobackup.yaml; storage.ErrNotFound (wrapped)
// for backups written by ABS, which have none.
func ReadManifest(ctx context.Context, store storage.Store, nsDir string) (*Manifest, error) {
	return readYAML[Manifest](ctx, store, ManifestPath(nsDir))
}
