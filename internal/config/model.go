package config

import (
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is one ABS v3 configuration file. Map keys are the names users give
// entries in the file; each entry also carries its own name.
//
// Optional scalars are pointers: nil means "absent in the file", so callers
// can tell an explicit 0 or false from a default. The accessor methods apply
// ABS's defaults.
type Config struct {
	AerospikeClusters map[string]*AerospikeCluster `yaml:"aerospike-clusters"`
	Storage           map[string]*Storage          `yaml:"storage"`
	BackupPolicies    map[string]*BackupPolicy     `yaml:"backup-policies"`
	BackupRoutines    map[string]*Routine          `yaml:"backup-routines"`
	SecretAgents      map[string]*SecretAgent      `yaml:"secret-agents"`
	// Service is ABS's HTTP/logger/scheduler section, kept undecoded: it is
	// accepted and ignored. Nil when the file has no service section.
	Service *yaml.Node `yaml:"service"`

	// File is the name given to Parse/Load, used in messages.
	File string `yaml:"-"`
}

// HasService reports whether the file carries a service section, which the
// caller logs at debug level as ignored.
func (c *Config) HasService() bool { return c != nil && c.Service != nil }

// AerospikeCluster is an entry of aerospike-clusters.
type AerospikeCluster struct {
	Name string `yaml:"-"`
	// Label names the cluster in logs only.
	Label     *string    `yaml:"label"`
	SeedNodes []SeedNode `yaml:"seed-nodes"`
	// ConnTimeout is in milliseconds; ABS default 30000.
	ConnTimeout          *int         `yaml:"conn-timeout"`
	UseServicesAlternate *bool        `yaml:"use-services-alternate"`
	Credentials          *Credentials `yaml:"credentials"`
	TLS                  *TLS         `yaml:"tls"`
	// MaxParallelScans limits scans across all routines using the cluster;
	// nil means unlimited.
	MaxParallelScans *int `yaml:"max-parallel-scans"`
	// PreferRacks lists acceptable racks in order of preference. Mutually
	// exclusive with a routine's partition-list, node-list and rack-list.
	PreferRacks []int `yaml:"prefer-racks"`
}

// Default values ABS applies when a field is absent.
const (
	DefaultConnTimeout        = 30 * time.Second
	DefaultParallel           = 8
	DefaultFileLimitMiB       = 250
	DefaultSocketTimeout      = 60 * time.Second
	DefaultSecretAgentTimeout = time.Second
	DefaultS3MinPartSize      = 5 * 1024 * 1024
	DefaultS3LogLevel         = "FATAL"
	DefaultAuthMode           = "INTERNAL"
	DefaultTLSProtocols       = "TLSv1.2"
	// ABS's retry default for scans: 5 retries, one minute apart.
	DefaultRetryBaseTimeout = time.Minute
	DefaultRetryMultiplier  = 1.0
	DefaultRetryMaxRetries  = 5

	mib = 1024 * 1024
)

// ConnTimeoutDuration returns conn-timeout, or ABS's default.
func (a *AerospikeCluster) ConnTimeoutDuration() time.Duration {
	if a.ConnTimeout == nil {
		return DefaultConnTimeout
	}
	return time.Duration(*a.ConnTimeout) * time.Millisecond
}

// SeedNode is one entry of seed-nodes.
type SeedNode struct {
	HostName string  `yaml:"host-name"`
	Port     int     `yaml:"port"`
	TLSName  *string `yaml:"tls-name"`
}

// Credentials authenticate to a cluster. Password may be a secret-agent
// reference (secrets:resource:key), resolved through SecretAgent or
// SecretAgentName.
type Credentials struct {
	User         *string `yaml:"user"`
	Password     *string `yaml:"password"`
	PasswordPath *string `yaml:"password-path"`
	// AuthMode is INTERNAL (default), EXTERNAL or PKI, any case.
	AuthMode        *string      `yaml:"auth-mode"`
	SecretAgent     *SecretAgent `yaml:"secret-agent"`
	SecretAgentName *string      `yaml:"secret-agent-name"`
}

// Mode returns the canonical auth mode, INTERNAL when absent.
func (c *Credentials) Mode() string {
	if c == nil || c.AuthMode == nil {
		return DefaultAuthMode
	}
	return strings.ToUpper(*c.AuthMode)
}

// TLS is a cluster's TLS configuration; all paths are local files.
type TLS struct {
	CAFile          *string `yaml:"ca-file"`
	CAPath          *string `yaml:"ca-path"`
	Name            *string `yaml:"name"`
	Protocols       *string `yaml:"protocols"`
	CipherSuite     *string `yaml:"cipher-suite"`
	KeyFile         *string `yaml:"key-file"`
	KeyFilePassword *string `yaml:"key-file-password"`
	CertFile        *string `yaml:"cert-file"`
}

// Storage is an entry of storage: exactly one of the four kinds is set.
type Storage struct {
	Name  string        `yaml:"-"`
	Local *LocalStorage `yaml:"local-storage"`
	S3    *S3Storage    `yaml:"s3-storage"`
	GCP   *GCPStorage   `yaml:"gcp-storage"`
	Azure *AzureStorage `yaml:"azure-storage"`
}

// Storage kinds, as the YAML keys name them.
const (
	KindLocal = "local-storage"
	KindS3    = "s3-storage"
	KindGCP   = "gcp-storage"
	KindAzure = "azure-storage"
)

// Kind returns the YAML key of the storage kind that is set.
func (s *Storage) Kind() string {
	switch {
	case s.Local != nil:
		return KindLocal
	case s.S3 != nil:
		return KindS3
	case s.GCP != nil:
		return KindGCP
	case s.Azure != nil:
		return KindAzure
	}
	return ""
}

// RootPath returns the storage's root path (a directory for local storage,
// a key prefix in the bucket/container otherwise; "" means the root).
func (s *Storage) RootPath() string {
	switch {
	case s.Local != nil:
		return s.Local.Path
	case s.S3 != nil:
		return deref(s.S3.Path)
	case s.GCP != nil:
		return deref(s.GCP.Path)
	case s.Azure != nil:
		return deref(s.Azure.Path)
	}
	return ""
}

// LocalStorage keeps backups in a local directory.
type LocalStorage struct {
	Path string `yaml:"path"`
}

// S3Storage keeps backups in an S3 (or compatible) bucket. AccessKeyID and
// SecretAccessKey may be secret-agent references.
type S3Storage struct {
	Bucket             string  `yaml:"bucket"`
	Path               *string `yaml:"path"`
	S3Region           string  `yaml:"s3-region"`
	S3Profile          *string `yaml:"s3-profile"`
	S3EndpointOverride *string `yaml:"s3-endpoint-override"`
	// S3LogLevel is OFF, FATAL (default), ERROR, WARN, INFO, DEBUG or TRACE.
	S3LogLevel      *string `yaml:"s3-log-level"`
	AccessKeyID     *string `yaml:"access-key-id"`
	SecretAccessKey *string `yaml:"secret-access-key"`
	// MinPartSize is in bytes, at least 5 MiB (the default).
	MinPartSize         *int            `yaml:"min-part-size"`
	MaxAsyncConnections *int            `yaml:"max-async-connections"`
	StorageClass        *S3StorageClass `yaml:"storage-class"`
	SecretAgent         *SecretAgent    `yaml:"secret-agent"`
	SecretAgentName     *string         `yaml:"secret-agent-name"`
}

// S3StorageClass sets the S3 storage class of data and metadata objects.
type S3StorageClass struct {
	Data     *string `yaml:"data"`
	Metadata *string `yaml:"metadata"`
}

// GCPStorage keeps backups in a Google Cloud Storage bucket. Key (the
// service-account JSON) may be a secret-agent reference.
type GCPStorage struct {
	BucketName  string  `yaml:"bucket-name"`
	Path        *string `yaml:"path"`
	Key         *string `yaml:"key"`
	KeyFilePath *string `yaml:"key-file-path"`
	Endpoint    *string `yaml:"endpoint"`
	// MinPartSize is in bytes, at least 256 KiB.
	MinPartSize     *int             `yaml:"min-part-size"`
	StorageClass    *GCPStorageClass `yaml:"storage-class"`
	SecretAgent     *SecretAgent     `yaml:"secret-agent"`
	SecretAgentName *string          `yaml:"secret-agent-name"`
}

// GCPStorageClass sets the GCS storage class of data objects.
type GCPStorageClass struct {
	Data *string `yaml:"data"`
}

// AzureStorage keeps backups in an Azure Blob container. Authenticate with
// account-name/account-key (shared key) or tenant-id/client-id/client-secret
// (Azure AD), not both; all but account-name may be secret-agent references.
type AzureStorage struct {
	Endpoint      string  `yaml:"endpoint"`
	ContainerName string  `yaml:"container-name"`
	Path          *string `yaml:"path"`
	AccountName   *string `yaml:"account-name"`
	AccountKey    *string `yaml:"account-key"`
	TenantID      *string `yaml:"tenant-id"`
	ClientID      *string `yaml:"client-id"`
	ClientSecret  *string `yaml:"client-secret"`
	// MinPartSize is in bytes, at least 1 MiB.
	MinPartSize     *int               `yaml:"min-part-size"`
	StorageClass    *AzureStorageClass `yaml:"storage-class"`
	SecretAgent     *SecretAgent       `yaml:"secret-agent"`
	SecretAgentName *string            `yaml:"secret-agent-name"`
}

// AzureStorageClass sets the access tier of data and metadata blobs.
type AzureStorageClass struct {
	Data     *string `yaml:"data"`
	Metadata *string `yaml:"metadata"`
}

// BackupPolicy is an entry of backup-policies.
type BackupPolicy struct {
	Name string `yaml:"-"`
	// Parallel is the number of scan workers, 1..1024; ABS default 8.
	Parallel *int `yaml:"parallel"`
	// ParallelWrite is the number of file writers, 1..1024; default Parallel.
	ParallelWrite *int `yaml:"parallel-write"`
	// SocketTimeout and TotalTimeout are in milliseconds (0 = no limit).
	SocketTimeout *int         `yaml:"socket-timeout"`
	TotalTimeout  *int         `yaml:"total-timeout"`
	RetryPolicy   *RetryPolicy `yaml:"retry-policy"`
	// Retention says how many full backups (and incrementals for how many
	// fulls) to keep; nil keeps everything.
	Retention *RetentionPolicy `yaml:"retention"`
	// Calendar is the policy's calendar retention from the file's second
	// document (aerobackup's own settings); nil when it has none.
	Calendar  *CalendarRetention `yaml:"-"`
	NoRecords *bool              `yaml:"no-records"`
	NoIndexes *bool              `yaml:"no-indexes"`
	NoUdfs    *bool              `yaml:"no-udfs"`
	// Bandwidth is in MiB/s, as ABS writes it; see BandwidthBytes.
	Bandwidth        *int `yaml:"bandwidth"`
	RecordsPerSecond *int `yaml:"records-per-second"`
	// FileLimit is in MiB, as ABS writes it (default 250); see FileLimitBytes.
	FileLimit                *int               `yaml:"file-limit"`
	Encryption               *EncryptionPolicy  `yaml:"encryption"`
	Compression              *CompressionPolicy `yaml:"compression"`
	Sealed                   *bool              `yaml:"sealed"`
	Compact                  *bool              `yaml:"compact"`
	ConcurrentIncremental    *bool              `yaml:"concurrent-incremental"`
	MaxConcurrentNodes       *int               `yaml:"max-concurrent-nodes"`
	UseScanCompression       *bool              `yaml:"use-scan-compression"`
	WithClusterConfiguration *bool              `yaml:"with-cluster-configuration"`
	// IncrMode is differential (default: since the last backup) or
	// cumulative (since the last full), any case.
	IncrMode *string `yaml:"incr-mode"`
}

// Incremental modes.
const (
	IncrModeDifferential = "differential"
	IncrModeCumulative   = "cumulative"
)

// ParallelOrDefault returns parallel, or ABS's default 8.
func (p *BackupPolicy) ParallelOrDefault() int {
	if p == nil || p.Parallel == nil {
		return DefaultParallel
	}
	return *p.Parallel
}

// ParallelWriteOrDefault returns parallel-write, defaulting to parallel.
func (p *BackupPolicy) ParallelWriteOrDefault() int {
	if p == nil || p.ParallelWrite == nil {
		return p.ParallelOrDefault()
	}
	return *p.ParallelWrite
}

// FileLimitBytes converts file-limit (MiB, default 250) to bytes for
// backup-go; 0 means no limit.
func (p *BackupPolicy) FileLimitBytes() uint64 {
	if p == nil || p.FileLimit == nil {
		return DefaultFileLimitMiB * mib
	}
	return uint64(*p.FileLimit) * mib
}

// BandwidthBytes converts bandwidth (MiB/s) to bytes per second for
// backup-go; 0 means no limit.
func (p *BackupPolicy) BandwidthBytes() int {
	if p == nil || p.Bandwidth == nil {
		return 0
	}
	return *p.Bandwidth * mib
}

// SocketTimeoutDuration returns socket-timeout, or ABS's default one minute.
func (p *BackupPolicy) SocketTimeoutDuration() time.Duration {
	if p == nil || p.SocketTimeout == nil {
		return DefaultSocketTimeout
	}
	return time.Duration(*p.SocketTimeout) * time.Millisecond
}

// TotalTimeoutDuration returns total-timeout; 0 (the default) means none.
func (p *BackupPolicy) TotalTimeoutDuration() time.Duration {
	if p == nil || p.TotalTimeout == nil {
		return 0
	}
	return time.Duration(*p.TotalTimeout) * time.Millisecond
}

// IncrementalMode returns the canonical incr-mode, differential by default.
func (p *BackupPolicy) IncrementalMode() string {
	if p == nil || p.IncrMode == nil {
		return IncrModeDifferential
	}
	return strings.ToLower(*p.IncrMode)
}

// isTrue returns *b, false when absent.
func isTrue(b *bool) bool { return b != nil && *b }

// IsSealed, IsCompact, SkipRecords, SkipIndexes and SkipUDFs read the
// boolean switches, false when absent.
func (p *BackupPolicy) IsSealed() bool    { return p != nil && isTrue(p.Sealed) }
func (p *BackupPolicy) IsCompact() bool   { return p != nil && isTrue(p.Compact) }
func (p *BackupPolicy) SkipRecords() bool { return p != nil && isTrue(p.NoRecords) }
func (p *BackupPolicy) SkipIndexes() bool { return p != nil && isTrue(p.NoIndexes) }
func (p *BackupPolicy) SkipUDFs() bool    { return p != nil && isTrue(p.NoUdfs) }

// RetryPolicy configures scan retries. BaseTimeout is in milliseconds.
type RetryPolicy struct {
	BaseTimeout *int64   `yaml:"base-timeout"`
	Multiplier  *float64 `yaml:"multiplier"`
	MaxRetries  *int     `yaml:"max-retries"`
}

// Values returns the policy with ABS's defaults filled in; a nil policy is
// entirely default.
func (r *RetryPolicy) Values() (base time.Duration, multiplier float64, maxRetries int) {
	base, multiplier, maxRetries = DefaultRetryBaseTimeout, DefaultRetryMultiplier, DefaultRetryMaxRetries
	if r == nil {
		return
	}
	if r.BaseTimeout != nil {
		base = time.Duration(*r.BaseTimeout) * time.Millisecond
	}
	if r.Multiplier != nil {
		multiplier = *r.Multiplier
	}
	if r.MaxRetries != nil {
		maxRetries = *r.MaxRetries
	}
	return
}

// RetentionPolicy: Full keeps the last N full backups (nil: all);
// Incremental keeps incrementals of the last M fulls (nil: all, 0: none).
type RetentionPolicy struct {
	Full        *int `yaml:"full"`
	Incremental *int `yaml:"incremental"`
}

// EncryptionPolicy: Mode NONE, AES128 or AES256; with AES exactly one key
// source. KeySecret is a secret-agent reference resolved through the
// routine's secret-agent.
type EncryptionPolicy struct {
	Mode      string  `yaml:"mode"`
	KeyFile   *string `yaml:"key-file"`
	KeyEnv    *string `yaml:"key-env"`
	KeySecret *string `yaml:"key-secret"`
}

// Encryption and compression modes.
const (
	EncryptNone     = "NONE"
	EncryptAES128   = "AES128"
	EncryptAES256   = "AES256"
	CompressNone    = "NONE"
	CompressZSTD    = "ZSTD"
	ConnectionTCP   = "tcp"
	ConnectionUnix  = "unix"
	zstdLevelLowest = -1
	zstdLevelMax    = 22
)

// ModeOrNone returns the canonical encryption mode, NONE when the policy is
// absent.
func (e *EncryptionPolicy) ModeOrNone() string {
	if e == nil || e.Mode == "" {
		return EncryptNone
	}
	return strings.ToUpper(e.Mode)
}

// CompressionPolicy: Mode NONE (default) or ZSTD; Level -1..22 for ZSTD.
type CompressionPolicy struct {
	Mode  string `yaml:"mode"`
	Level *int   `yaml:"level"`
}

// ModeOrNone returns the canonical compression mode, NONE when absent.
func (c *CompressionPolicy) ModeOrNone() string {
	if c == nil || c.Mode == "" {
		return CompressNone
	}
	return strings.ToUpper(c.Mode)
}

// LevelOrDefault returns the level, 0 (the library default) when absent.
func (c *CompressionPolicy) LevelOrDefault() int {
	if c == nil || c.Level == nil {
		return 0
	}
	return *c.Level
}

// Routine is an entry of backup-routines. The reference fields hold names;
// Cluster, Storage, Policy and SecretAgent return what they name.
type Routine struct {
	Name string `yaml:"-"`
	// PolicyName is optional: without it ABS uses an all-default policy.
	PolicyName    *string `yaml:"backup-policy"`
	SourceCluster string  `yaml:"source-cluster"`
	StorageName   string  `yaml:"storage"`
	// SecretAgentName names the agent for the policy's encryption key-secret.
	SecretAgentName  *string `yaml:"secret-agent"`
	IntervalCron     string  `yaml:"interval-cron"`
	IncrIntervalCron *string `yaml:"incr-interval-cron"`
	// ScheduleTimezone only matters to ABS's scheduler; validated, unused.
	ScheduleTimezone *string `yaml:"schedule-timezone"`
	// Namespaces is required; empty means every namespace of the cluster.
	Namespaces []string `yaml:"namespaces"`
	SetList    []string `yaml:"set-list"`
	BinList    []string `yaml:"bin-list"`
	// RackList (and its older spelling racks) restricts the scan to nodes of
	// these racks.
	RackList []int `yaml:"rack-list"`
	Racks    []int `yaml:"racks"`
	// PartitionList is "<begin>-<count>", "<id>" or "<base64 digest>" entries,
	// comma-separated; see ParsePartitionList and Partitions.
	PartitionList *string  `yaml:"partition-list"`
	NodeList      []string `yaml:"node-list"`
	// FilterExp is a base64-encoded Aerospike filter expression.
	FilterExp *string `yaml:"filter-exp"`
	Disabled  *bool   `yaml:"disabled"`

	cluster    *AerospikeCluster
	storage    *Storage
	policy     *BackupPolicy
	agent      *SecretAgent
	partitions []PartitionRange
}

// Cluster returns the routine's source cluster.
func (r *Routine) Cluster() *AerospikeCluster { return r.cluster }

// Storage returns the routine's storage.
func (r *Routine) Storage() *Storage { return r.storage }

// Policy returns the routine's backup policy: an empty (all-default) policy
// when the routine names none, as ABS does. Never nil.
func (r *Routine) Policy() *BackupPolicy {
	if r.policy == nil {
		return &BackupPolicy{}
	}
	return r.policy
}

// SecretAgent returns the routine's secret agent, nil when none is named.
func (r *Routine) SecretAgent() *SecretAgent { return r.agent }

// Partitions returns the parsed partition-list, nil for all partitions.
func (r *Routine) Partitions() []PartitionRange { return r.partitions }

// RackIDs returns rack-list, or racks when only the older key is set.
func (r *Routine) RackIDs() []int {
	if len(r.RackList) > 0 {
		return r.RackList
	}
	return r.Racks
}

// IsDisabled reports disabled: true.
func (r *Routine) IsDisabled() bool { return isTrue(r.Disabled) }

// SecretAgent is an entry of secret-agents, or an inline secret-agent block
// in credentials and storage.
type SecretAgent struct {
	Name string `yaml:"-"`
	// ConnectionType is tcp or unix (any case).
	ConnectionType string `yaml:"connection-type"`
	// Address is a host for tcp, a socket path for unix.
	Address string `yaml:"address"`
	Port    *int   `yaml:"port"`
	// Timeout is in milliseconds, default 1000.
	Timeout   *int    `yaml:"timeout"`
	TLSCAFile *string `yaml:"tls-ca-file"`
	IsBase64  *bool   `yaml:"is-base64"`
}

// Connection returns the canonical connection type.
func (s *SecretAgent) Connection() string { return strings.ToLower(s.ConnectionType) }

// TimeoutDuration returns timeout, or the 1s default.
func (s *SecretAgent) TimeoutDuration() time.Duration {
	if s.Timeout == nil {
		return DefaultSecretAgentTimeout
	}
	return time.Duration(*s.Timeout) * time.Millisecond
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
