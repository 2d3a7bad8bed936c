package config

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // schedule-timezone must validate the same on hosts without zoneinfo
)

// Limits ABS (or backup-go, which ABS feeds) enforces.
const (
	maxParallel = 1024
	maxPort     = 65535
	// MaxRackID is the largest rack id Aerospike accepts.
	MaxRackID      = 1000000
	maxTimeoutMs   = 24 * 60 * 60 * 1000
	minS3PartSize  = 5 * 1024 * 1024
	minGCPPartSize = 256 * 1024
	minAzPartSize  = 1024 * 1024
	secretPrefix   = "secrets:"
)

var (
	s3LogLevels       = []string{"OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"}
	authModes         = []string{"INTERNAL", "EXTERNAL", "PKI"}
	encryptionModes   = []string{EncryptNone, EncryptAES128, EncryptAES256}
	compressionModes  = []string{CompressNone, CompressZSTD}
	incrModes         = []string{IncrModeDifferential, IncrModeCumulative}
	connectionTypes   = []string{ConnectionTCP, ConnectionUnix}
	s3DataClasses     = []string{"STANDARD", "GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE"}
	s3MetaClasses     = []string{"STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "EXPRESS_ONEZONE", "ONEZONE_IA", "OUTPOSTS"}
	gcpDataClasses    = []string{"STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"}
	azureDataTiers    = []string{"Hot", "Cool", "Cold", "Archive"}
	azureMetaTiers    = []string{"Hot", "Cool", "Cold"}
	storageKindsOrder = []string{KindLocal, KindS3, KindGCP, KindAzure}
)

// IsSecretRef reports whether a value is a secret-agent reference
// (secrets:<resource>:<key>), which is resolved at run time.
func IsSecretRef(s string) bool {
	return strings.HasPrefix(s, secretPrefix) && strings.Count(s, ":") == 2
}

type validator struct {
	*decoder
	cfg *Config
}

// line finds the line of path, or of its closest ancestor present in the
// file (a missing required key is reported where its parent is).
func (v *validator) line(path string) int {
	for p := path; p != ""; {
		if l, ok := v.lines[p]; ok {
			return l
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 1
}

func (v *validator) has(path string) bool { _, ok := v.lines[path]; return ok }

func (v *validator) fail(path, format string, args ...any) {
	v.errorf(v.line(path), path, format, args...)
}

func (v *validator) required(path, value string) bool {
	if value == "" {
		if v.has(path) {
			v.fail(path, "must not be empty")
		} else {
			v.fail(path, "is required")
		}
		return false
	}
	return true
}

func (v *validator) notEmpty(path string, value *string) {
	if value != nil && *value == "" {
		v.fail(path, "must not be empty")
	}
}

func (v *validator) between(path string, p *int, lo, hi int) {
	if p != nil && (*p < lo || *p > hi) {
		v.fail(path, "must be between %d and %d, got %d", lo, hi, *p)
	}
}

func (v *validator) atLeast(path string, p *int, lo int) {
	if p != nil && *p < lo {
		v.fail(path, "must be at least %d, got %d", lo, *p)
	}
}

// enum accepts any case, as ABS canonicalises enum values.
func (v *validator) enum(path string, value *string, allowed []string) {
	if value == nil {
		return
	}
	for _, a := range allowed {
		if strings.EqualFold(*value, a) {
			return
		}
	}
	v.fail(path, "must be one of %s, got %q", strings.Join(allowed, ", "), *value)
}

func (v *validator) exclusive(parent string, keys ...string) {
	var set []string
	for _, k := range keys {
		if v.has(joinPath(parent, k)) {
			set = append(set, k)
		}
	}
	if len(set) > 1 {
		v.fail(joinPath(parent, set[1]), "%s and %s are mutually exclusive", set[0], set[1])
	}
}

func (v *validator) validate() {
	c := v.cfg
	for _, name := range sortedKeys(c.SecretAgents) {
		v.agent(joinPath("secret-agents", name), c.SecretAgents[name])
	}
	for _, name := range sortedKeys(c.AerospikeClusters) {
		v.cluster(joinPath("aerospike-clusters", name), c.AerospikeClusters[name])
	}
	for _, name := range sortedKeys(c.Storage) {
		v.storage(joinPath("storage", name), c.Storage[name])
	}
	for _, name := range sortedKeys(c.BackupPolicies) {
		v.policy(joinPath("backup-policies", name), c.BackupPolicies[name])
	}
	for _, name := range sortedKeys(c.BackupRoutines) {
		v.routine(joinPath("backup-routines", name), c.BackupRoutines[name])
	}
	v.secretRefs()
}

func (v *validator) agent(path string, a *SecretAgent) {
	if v.required(joinPath(path, "connection-type"), a.ConnectionType) {
		v.enum(joinPath(path, "connection-type"), &a.ConnectionType, connectionTypes)
	}
	v.required(joinPath(path, "address"), a.Address)
	v.between(joinPath(path, "port"), a.Port, 1, maxPort)
	v.between(joinPath(path, "timeout"), a.Timeout, 1, maxTimeoutMs)
	v.notEmpty(joinPath(path, "tls-ca-file"), a.TLSCAFile)
}

// agentLink checks an inline secret-agent block or a secret-agent-name.
func (v *validator) agentLink(path string, inline *SecretAgent, name *string) {
	v.exclusive(path, "secret-agent", "secret-agent-name")
	if inline != nil {
		v.agent(joinPath(path, "secret-agent"), inline)
	}
	if name != nil {
		v.reference(joinPath(path, "secret-agent-name"), *name, "secret agent", "secret-agents", v.cfg.SecretAgents)
	}
}

func (v *validator) cluster(path string, a *AerospikeCluster) {
	seeds := joinPath(path, "seed-nodes")
	if len(a.SeedNodes) == 0 {
		if v.has(seeds) {
			v.fail(seeds, "must list at least one seed node")
		} else {
			v.fail(seeds, "is required")
		}
	}
	for i, s := range a.SeedNodes {
		p := fmt.Sprintf("%s[%d]", seeds, i)
		v.required(joinPath(p, "host-name"), s.HostName)
		port := joinPath(p, "port")
		if !v.has(port) {
			v.fail(port, "is required")
		} else {
			v.between(port, &s.Port, 1, maxPort)
		}
		v.notEmpty(joinPath(p, "tls-name"), s.TLSName)
	}
	v.between(joinPath(path, "conn-timeout"), a.ConnTimeout, 0, maxTimeoutMs)
	v.atLeast(joinPath(path, "max-parallel-scans"), a.MaxParallelScans, 1)
	for i := range a.PreferRacks {
		v.between(fmt.Sprintf("%s.prefer-racks[%d]", path, i), &a.PreferRacks[i], 0, MaxRackID)
	}
	if cr := a.Credentials; cr != nil {
		p := joinPath(path, "credentials")
		v.exclusive(p, "password", "password-path")
		v.notEmpty(joinPath(p, "password-path"), cr.PasswordPath)
		v.enum(joinPath(p, "auth-mode"), cr.AuthMode, authModes)
		v.agentLink(p, cr.SecretAgent, cr.SecretAgentName)
	}
}

func (v *validator) storage(path string, s *Storage) {
	var kinds []string
	for _, k := range storageKindsOrder {
		if v.has(joinPath(path, k)) {
			kinds = append(kinds, k)
		}
	}
	switch {
	case len(kinds) == 0:
		v.fail(path, "must set one of %s", strings.Join(storageKindsOrder, ", "))
		return
	case len(kinds) > 1:
		v.fail(joinPath(path, kinds[1]), "%s and %s are mutually exclusive: set exactly one storage kind", kinds[0], kinds[1])
		return
	}
	p := joinPath(path, kinds[0])
	switch {
	case s.Local != nil:
		v.required(joinPath(p, "path"), s.Local.Path)
	case s.S3 != nil:
		st := s.S3
		v.required(joinPath(p, "bucket"), st.Bucket)
		v.required(joinPath(p, "s3-region"), st.S3Region)
		v.enum(joinPath(p, "s3-log-level"), st.S3LogLevel, s3LogLevels)
		v.atLeast(joinPath(p, "min-part-size"), st.MinPartSize, minS3PartSize)
		v.atLeast(joinPath(p, "max-async-connections"), st.MaxAsyncConnections, 1)
		v.pairRequired(p, "access-key-id", st.AccessKeyID, "secret-access-key", st.SecretAccessKey)
		if sc := st.StorageClass; sc != nil {
			v.enum(joinPath(p, "storage-class.data"), sc.Data, s3DataClasses)
			v.enum(joinPath(p, "storage-class.metadata"), sc.Metadata, s3MetaClasses)
		}
		v.agentLink(p, st.SecretAgent, st.SecretAgentName)
	case s.GCP != nil:
		st := s.GCP
		v.required(joinPath(p, "bucket-name"), st.BucketName)
		v.exclusive(p, "key", "key-file-path")
		v.notEmpty(joinPath(p, "key"), st.Key)
		v.notEmpty(joinPath(p, "key-file-path"), st.KeyFilePath)
		v.atLeast(joinPath(p, "min-part-size"), st.MinPartSize, minGCPPartSize)
		if sc := st.StorageClass; sc != nil {
			v.enum(joinPath(p, "storage-class.data"), sc.Data, gcpDataClasses)
		}
		v.agentLink(p, st.SecretAgent, st.SecretAgentName)
	case s.Azure != nil:
		st := s.Azure
		v.required(joinPath(p, "endpoint"), st.Endpoint)
		v.required(joinPath(p, "container-name"), st.ContainerName)
		shared := v.has(joinPath(p, "account-key"))
		aad := v.has(joinPath(p, "tenant-id")) || v.has(joinPath(p, "client-id")) || v.has(joinPath(p, "client-secret"))
		switch {
		case shared && aad:
			first := "tenant-id"
			for _, k := range []string{"tenant-id", "client-id", "client-secret"} {
				if v.has(joinPath(p, k)) {
					first = k
					break
				}
			}
			v.fail(joinPath(p, first), "account-key (shared key) and %s (Azure AD) are mutually exclusive", first)
		case shared && st.AccountName == nil:
			v.fail(joinPath(p, "account-name"), "is required with account-key")
		case aad:
			for _, k := range []string{"tenant-id", "client-id", "client-secret"} {
				if !v.has(joinPath(p, k)) {
					v.fail(joinPath(p, k), "is required for Azure AD authentication (tenant-id, client-id, client-secret)")
					break
				}
			}
		}
		v.atLeast(joinPath(p, "min-part-size"), st.MinPartSize, minAzPartSize)
		if sc := st.StorageClass; sc != nil {
			v.enum(joinPath(p, "storage-class.data"), sc.Data, azureDataTiers)
			v.enum(joinPath(p, "storage-class.metadata"), sc.Metadata, azureMetaTiers)
		}
		v.agentLink(p, st.SecretAgent, st.SecretAgentName)
	}
}

// pairRequired reports a key set without its partner.
func (v *validator) pairRequired(parent, a string, av *string, b string, bv *string) {
	switch {
	case av != nil && bv == nil:
		v.fail(joinPath(parent, b), "is required with %s", a)
	case bv != nil && av == nil:
		v.fail(joinPath(parent, a), "is required with %s", b)
	}
}

func (v *validator) policy(path string, p *BackupPolicy) {
	v.between(joinPath(path, "parallel"), p.Parallel, 1, maxParallel)
	v.between(joinPath(path, "parallel-write"), p.ParallelWrite, 1, maxParallel)
	v.between(joinPath(path, "socket-timeout"), p.SocketTimeout, 0, maxTimeoutMs)
	v.between(joinPath(path, "total-timeout"), p.TotalTimeout, 0, maxTimeoutMs)
	v.atLeast(joinPath(path, "bandwidth"), p.Bandwidth, 1)
	v.atLeast(joinPath(path, "records-per-second"), p.RecordsPerSecond, 1)
	v.atLeast(joinPath(path, "file-limit"), p.FileLimit, 0)
	v.atLeast(joinPath(path, "max-concurrent-nodes"), p.MaxConcurrentNodes, 1)
	v.enum(joinPath(path, "incr-mode"), p.IncrMode, incrModes)
	if r := p.RetryPolicy; r != nil {
		rp := joinPath(path, "retry-policy")
		if r.BaseTimeout != nil && *r.BaseTimeout <= 0 {
			v.fail(joinPath(rp, "base-timeout"), "must be at least 1 (milliseconds), got %d", *r.BaseTimeout)
		}
		if r.Multiplier != nil && *r.Multiplier < 1 {
			v.fail(joinPath(rp, "multiplier"), "must be at least 1, got %s", strconv.FormatFloat(*r.Multiplier, 'g', -1, 64))
		}
		v.atLeast(joinPath(rp, "max-retries"), r.MaxRetries, 0)
	}
	if r := p.Retention; r != nil {
		rp := joinPath(path, "retention")
		v.atLeast(joinPath(rp, "full"), r.Full, 1)
		v.atLeast(joinPath(rp, "incremental"), r.Incremental, 0)
		if r.Full != nil && r.Incremental != nil && *r.Full >= 1 && *r.Incremental > *r.Full {
			v.fail(joinPath(rp, "incremental"), "must not exceed full (%d), got %d", *r.Full, *r.Incremental)
		}
	}
	if e := p.Encryption; e != nil {
		v.encryption(joinPath(path, "encryption"), e)
	}
	if c := p.Compression; c != nil {
		cp := joinPath(path, "compression")
		if c.Mode != "" {
			v.enum(joinPath(cp, "mode"), &c.Mode, compressionModes)
		}
		v.between(joinPath(cp, "level"), c.Level, zstdLevelLowest, zstdLevelMax)
	}
}

func (v *validator) encryption(path string, e *EncryptionPolicy) {
	mode := joinPath(path, "mode")
	if !v.required(mode, e.Mode) {
		return
	}
	v.enum(mode, &e.Mode, encryptionModes)
	keys := []string{"key-file", "key-env", "key-secret"}
	var set []string
	for _, k := range keys {
		if v.has(joinPath(path, k)) {
			set = append(set, k)
		}
	}
	if strings.EqualFold(e.Mode, EncryptNone) {
		if len(set) > 0 {
			v.fail(joinPath(path, set[0]), "must not be set with mode NONE")
		}
		return
	}
	switch len(set) {
	case 0:
		v.fail(mode, "%s needs one key source: key-file, key-env or key-secret", e.Mode)
	case 1:
		v.notEmpty(joinPath(path, set[0]), map[string]*string{"key-file": e.KeyFile, "key-env": e.KeyEnv, "key-secret": e.KeySecret}[set[0]])
	default:
		v.fail(joinPath(path, set[1]), "%s and %s are mutually exclusive: set exactly one key source", set[0], set[1])
	}
}

func (v *validator) reference(path, name, what, section string, known any) bool {
	var keys []string
	var ok bool
	switch m := known.(type) {
	case map[string]*AerospikeCluster:
		_, ok = m[name]
		keys = sortedKeys(m)
	case map[string]*Storage:
		_, ok = m[name]
		keys = sortedKeys(m)
	case map[string]*BackupPolicy:
		_, ok = m[name]
		keys = sortedKeys(m)
	case map[string]*SecretAgent:
		_, ok = m[name]
		keys = sortedKeys(m)
	}
	if !v.required(path, name) {
		return false
	}
	if !ok {
		v.fail(path, "%s %q is not defined in %s (known: %s)", what, name, section, listOrNone(keys))
	}
	return ok
}

func (v *validator) routine(path string, r *Routine) {
	c := v.cfg
	if v.reference(joinPath(path, "source-cluster"), r.SourceCluster, "cluster", "aerospike-clusters", c.AerospikeClusters) {
		r.cluster = c.AerospikeClusters[r.SourceCluster]
	}
	if v.reference(joinPath(path, "storage"), r.StorageName, "storage", "storage", c.Storage) {
		r.storage = c.Storage[r.StorageName]
	}
	if r.PolicyName != nil && v.reference(joinPath(path, "backup-policy"), *r.PolicyName, "backup policy", "backup-policies", c.BackupPolicies) {
		r.policy = c.BackupPolicies[*r.PolicyName]
	}
	if r.SecretAgentName != nil && v.reference(joinPath(path, "secret-agent"), *r.SecretAgentName, "secret agent", "secret-agents", c.SecretAgents) {
		r.agent = c.SecretAgents[*r.SecretAgentName]
	}
	v.required(joinPath(path, "interval-cron"), r.IntervalCron)
	v.notEmpty(joinPath(path, "incr-interval-cron"), r.IncrIntervalCron)
	if tz := r.ScheduleTimezone; tz != nil && !strings.EqualFold(*tz, "UTC") && !strings.EqualFold(*tz, "Local") {
		if _, err := time.LoadLocation(*tz); err != nil || *tz == "" {
			v.fail(joinPath(path, "schedule-timezone"), "must be UTC, Local or an IANA time zone name, got %q", *tz)
		}
	}
	if !v.has(joinPath(path, "namespaces")) {
		v.fail(joinPath(path, "namespaces"), "is required (an empty list [] backs up every namespace)")
	}
	for i, ns := range r.Namespaces {
		if ns == "" {
			v.fail(fmt.Sprintf("%s.namespaces[%d]", path, i), "must not be empty")
		}
	}
	for i, n := range r.NodeList {
		if n == "" {
			v.fail(fmt.Sprintf("%s.node-list[%d]", path, i), "must not be empty")
		}
	}
	for _, key := range []string{"rack-list", "racks"} {
		ids := r.RackList
		if key == "racks" {
			ids = r.Racks
		}
		for i := range ids {
			v.between(fmt.Sprintf("%s.%s[%d]", path, key, i), &ids[i], 0, MaxRackID)
		}
	}
	if v.has(joinPath(path, "rack-list")) && v.has(joinPath(path, "racks")) {
		v.exclusive(path, "rack-list", "racks")
	} else {
		v.exclusive(path, "partition-list", "node-list", "rack-list", "racks")
	}
	if r.cluster != nil && len(r.cluster.PreferRacks) > 0 {
		for _, k := range []string{"partition-list", "node-list", "rack-list", "racks"} {
			if v.has(joinPath(path, k)) {
				v.fail(joinPath(path, k), "is mutually exclusive with prefer-racks of cluster %q", r.SourceCluster)
				break
			}
		}
	}
	if r.PartitionList != nil {
		parts, err := ParsePartitionList(*r.PartitionList)
		if err != nil {
			v.fail(joinPath(path, "partition-list"), "%v", err)
		}
		r.partitions = parts
	}
	if f := r.FilterExp; f != nil {
		if _, err := base64.StdEncoding.DecodeString(*f); err != nil || *f == "" {
			v.fail(joinPath(path, "filter-exp"), "must be a base64-encoded filter expression")
		} else if len(r.SetList) > 1 {
			v.fail(joinPath(path, "filter-exp"), "cannot be used with more than one set in set-list")
		}
	}
	if r.policy != nil && r.policy.Encryption != nil && r.policy.Encryption.KeySecret != nil && r.SecretAgentName == nil {
		v.fail(joinPath(path, "secret-agent"), "is required: backup policy %q reads its encryption key-secret from a secret agent", *r.PolicyName)
	}
}

// secretRefs checks that every secrets:... value in a cluster or storage can
// reach an agent: its own (inline or named), or the secret-agent of every
// routine that uses it.
func (v *validator) secretRefs() {
	c := v.cfg
	routinesHaveAgent := func(match func(*Routine) bool) bool {
		used := false
		for _, r := range c.BackupRoutines {
			if match(r) {
				used = true
				if r.SecretAgentName == nil {
					return false
				}
			}
		}
		return used
	}
	check := func(path string, own *SecretAgent, ownName *string, fallback func() bool, fields map[string]*string) {
		if own != nil || ownName != nil {
			return
		}
		for _, key := range sortedKeys(fields) {
			val := fields[key]
			if val != nil && IsSecretRef(*val) && !fallback() {
				v.fail(joinPath(path, key), "is a secret-agent reference but no secret agent is configured (set secret-agent-name)")
			}
		}
	}
	for _, name := range sortedKeys(c.AerospikeClusters) {
		a := c.AerospikeClusters[name]
		if a.Credentials == nil {
			continue
		}
		check(fmt.Sprintf("aerospike-clusters.%s.credentials", name), a.Credentials.SecretAgent, a.Credentials.SecretAgentName,
			func() bool { return routinesHaveAgent(func(r *Routine) bool { return r.SourceCluster == name }) },
			map[string]*string{"password": a.Credentials.Password})
	}
	for _, name := range sortedKeys(c.Storage) {
		s := c.Storage[name]
		fallback := func() bool { return routinesHaveAgent(func(r *Routine) bool { return r.StorageName == name }) }
		switch {
		case s.S3 != nil:
			check("storage."+name+"."+KindS3, s.S3.SecretAgent, s.S3.SecretAgentName, fallback,
				map[string]*string{"access-key-id": s.S3.AccessKeyID, "secret-access-key": s.S3.SecretAccessKey})
		case s.GCP != nil:
			check("storage."+name+"."+KindGCP, s.GCP.SecretAgent, s.GCP.SecretAgentName, fallback,
				map[string]*string{"key": s.GCP.Key})
		case s.Azure != nil:
			check("storage."+name+"."+KindAzure, s.Azure.SecretAgent, s.Azure.SecretAgentName, fallback,
				map[string]*string{"account-key": s.Azure.AccountKey, "tenant-id": s.Azure.TenantID,
					"client-id": s.Azure.ClientID, "client-secret": s.Azure.ClientSecret})
		}
	}
}
