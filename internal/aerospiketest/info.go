package aerospiketest

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// Info errors use the server's "ERROR:<code>:<message>" form, which the
// client turns into result codes.
const (
	infoUnknownCommand = "ERROR::unrecognized command"
	infoNoNamespace    = "ERROR:20:namespace not found"
)

// handleInfo answers newline-separated info commands, each echoed with a
// tab and its value, in request order (the client's partition parser
// depends on the order).
func (s *Server) handleInfo(body []byte) []byte {
	var out bytes.Buffer
	cmds := strings.Split(strings.TrimRight(string(body), "\n"), "\n")
	if len(cmds) == 1 && strings.TrimSpace(cmds[0]) == "" {
		// No command: the server's summary.
		for _, c := range []string{"node", "build", "edition", "version", "cluster-name", "partition-generation"} {
			fmt.Fprintf(&out, "%s\t%s\n", c, s.infoValue(c))
		}
		return out.Bytes()
	}
	for _, c := range cmds {
		if c == "" {
			continue
		}
		out.WriteString(c)
		out.WriteByte('\t')
		out.WriteString(s.infoValue(c))
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// infoParams parses "k=v;k=v" (the part after "name:").
func infoParams(s string) map[string]string {
	p := map[string]string{}
	for _, kv := range strings.Split(s, ";") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		p[k] = v
	}
	return p
}

func (s *Server) infoValue(cmd string) string {
	name, arg, _ := strings.Cut(cmd, ":")
	params := infoParams(arg)
	nsParam := func() string {
		if v, ok := params["namespace"]; ok {
			return v
		}
		return params["ns"]
	}
	if reply, ok := s.tlsInfo(name); ok {
		return reply
	}
	switch name {
	case "node":
		return s.opts.NodeName
	case "build":
		return s.opts.Build
	case "version":
		return "Aerospike Community Edition build " + s.opts.Build
	case "edition":
		return "Aerospike Community Edition"
	case "cluster-name":
		return s.opts.ClusterName
	case "features":
		return "batch-any;batch-index;blob-bits;cdt-list;cdt-map;cluster-stable;float;geo;" +
			"sindex-exists;peers;pipelining;pquery;pscans;query-show;relaxed-sc;replicas;" +
			"replicas-all;replicas-master;replicas-max;truncate-namespace;udf"
	case "partition-generation":
		return itoa(s.partGen.Load())
	case "peers-generation", "services-alumni-generation":
		return itoa(s.peersGeneration())
	case "peers-clear-std", "peers-clear-alt":
		return s.peers()
	case "peers-tls-std", "peers-tls-alt", "alumni-clear-std", "alumni-tls-std":
		// Generation, default port, and no other nodes.
		return fmt.Sprintf("1,%d,[]", s.Port())
	case "service", "service-clear-std", "service-clear-alt":
		return s.Addr()
	case "service-tls-std", "service-tls-alt", "services", "services-alumni", "services-alternate":
		return ""
	case "cluster-stable":
		return "A1B2C3D4E5F6"
	case "status", "user-agent-set":
		return "ok"
	case "statistics":
		return s.statistics()
	case StatsInfoCommand:
		return s.Stats().String()
	case CollectInfoCommand:
		runtime.GC()
		return "ok"
	case "replicas", "replicas-all":
		return s.replicas(true)
	case "replicas-master":
		return s.replicas(false)
	case "rack-ids":
		// A rack-aware client's tend: "<ns>:<rack>;..." (parsed at the
		// last colon).
		return s.perNamespace(func(ns string) string { return ns + ":" + strconv.Itoa(s.opts.RackID) }, ";")
	case "racks":
		return s.perNamespace(func(ns string) string { return "ns=" + ns + ":" + s.rackNodes() }, ";")
	case "namespaces":
		return strings.Join(s.Namespaces(), ";")
	case "namespace":
		return s.namespaceInfo(arg)
	case "sets":
		return s.setsInfo(arg)
	case "sindex-list", "sindex":
		return s.sindexList(nsParam())
	case "sindex-create":
		return s.sindexCreate(params)
	case "sindex-delete":
		return s.sindexDelete(nsParam(), params["indexname"])
	case "sindex-exists":
		if s.findSindex(nsParam(), params["indexname"]) >= 0 {
			return "true"
		}
		return "false"
	case "sindex-stat":
		return s.sindexStat(nsParam(), params["indexname"])
	case "udf-put":
		return s.udfPut(params)
	case "udf-list":
		return s.udfList()
	case "udf-get":
		return s.udfGet(params["filename"])
	case "udf-remove":
		return s.udfRemove(params["filename"])
	case "truncate", "truncate-namespace":
		return s.truncateInfo(nsParam(), params["set"], params["lut"])
	case "query-show", "scan-show", "jobs":
		return ""
	case "set-config":
		if params["context"] == "namespace" && params["disable-mrt-writes"] != "" {
			return "ok"
		}
		return "ERROR:4:set-config is not supported by the test server"
	case "get-config":
		return s.getConfig(params)
	}
	if strings.HasPrefix(name, "namespace/") {
		return s.namespaceInfo(strings.TrimPrefix(name, "namespace/"))
	}
	if strings.HasPrefix(name, "sets/") {
		return s.setsInfo(strings.TrimPrefix(name, "sets/"))
	}
	if rest, ok := strings.CutPrefix(name, "sindex/"); ok {
		// Old status syntax: sindex/<ns>/<name>.
		if nsName, idx, ok := strings.Cut(rest, "/"); ok {
			return s.sindexStat(nsName, idx)
		}
		return s.sindexList(rest)
	}
	return infoUnknownCommand
}

func (s *Server) perNamespace(fn func(ns string) string, sep string) string {
	var parts []string
	for _, ns := range s.Namespaces() {
		parts = append(parts, fn(ns))
	}
	return strings.Join(parts, sep)
}

// replicas reports the partitions this node holds, a bitmap per replica
// position (master first): "<ns>:<regime>,<count>,<bitmap>...;" (with
// regime), or "<ns>:<master bitmap>;".
func (s *Server) replicas(withRegime bool) string {
	bitmaps := s.replicaBitmaps()
	return s.perNamespace(func(ns string) string {
		if withRegime {
			return ns + ":0," + strconv.Itoa(len(bitmaps)) + "," + strings.Join(bitmaps, ",")
		}
		return ns + ":" + bitmaps[0]
	}, ";")
}

func (s *Server) counts(nsName string) (objects int, sets map[string]int, bytes int) {
	ns := s.ns(nsName)
	sets = map[string]int{}
	if ns == nil {
		return 0, sets, 0
	}
	ns.each(s.clock.now(), func(d digest, r *record) {
		if !s.holdsPartition(partitionOf(d[:])) {
			return
		}
		objects++
		sets[r.set]++
		bytes += r.size()
	})
	return objects, sets, bytes
}

func (s *Server) namespaceInfo(nsName string) string {
	if s.ns(nsName) == nil {
		return infoNoNamespace
	}
	return strings.Join([]string{
		"objects=" + strconv.Itoa(s.nodeObjects(nsName)),
		"tombstones=0",
		"replication-factor=" + strconv.Itoa(s.replicationFactor()),
		"effective_replication_factor=" + strconv.Itoa(s.replicationFactor()),
		"migrate_tx_partitions_remaining=0",
		"migrate_rx_partitions_remaining=0",
		"default-ttl=" + itoa(int64(s.opts.DefaultTTL.Seconds())),
		// It expires records on read, with no nsup thread, and accepts
		// TTL writes as a server with this setting does.
		"nsup-period=0",
		"allow-ttl-without-nsup=true",
		"strong-consistency=false",
		"storage-engine=memory",
		"partitions=4096",
	}, ";")
}

// setsInfo answers "sets/<ns>" or "sets/<ns>/<set>" (arg is "<ns>[/<set>]"),
// or every namespace for plain "sets".
func (s *Server) setsInfo(arg string) string {
	nsName, only, _ := strings.Cut(arg, "/")
	names := s.Namespaces()
	if nsName != "" {
		if s.ns(nsName) == nil {
			return infoNoNamespace
		}
		names = []string{nsName}
	}
	var out strings.Builder
	for _, n := range names {
		_, sets, _ := s.counts(n)
		keys := make([]string, 0, len(sets))
		for k := range sets {
			if k != "" && (only == "" || k == only) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			idx := 0
			for _, si := range s.sindexSnapshot() {
				if si.ns == n && si.set == k {
					idx++
				}
			}
			fmt.Fprintf(&out, "ns=%s:set=%s:objects=%d:tombstones=0:data_used_bytes=0:truncate_lut=0:sindexes=%d:index_populating=false;",
				n, k, sets[k], idx)
		}
	}
	return out.String()
}

func (s *Server) statistics() string {
	total := 0
	for _, n := range s.Namespaces() {
		o, _, _ := s.counts(n)
		total += o
	}
	return fmt.Sprintf("cluster_size=%d;cluster_key=A1B2C3D4E5F6;cluster_integrity=true;cluster_is_member=true;"+
		"objects=%d;migrate_partitions_remaining=0;client_connections=%d", s.clusterSize(), total, s.connCount())
}

func (s *Server) getConfig(params map[string]string) string {
	switch params["context"] {
	case "", "service":
		return "cluster-name=" + s.opts.ClusterName + ";proto-fd-max=15000;service-threads=2"
	case "network":
		return fmt.Sprintf("service.address=%s;service.port=%d", s.Host(), s.Port())
	case "namespace":
		return s.namespaceInfo(params["id"] + params["namespace"])
	}
	return "ERROR:4:unknown config context"
}

func (s *Server) truncateInfo(nsName, set, lut string) string {
	ns := s.ns(nsName)
	if ns == nil {
		return infoNoNamespace
	}
	var lutMillis int64
	if lut != "" {
		nanos, err := strconv.ParseInt(lut, 10, 64)
		if err != nil {
			return "ERROR:4:invalid lut"
		}
		lutMillis = nanos / 1e6
	} else {
		// Without lut, records written up to now are removed.
		lutMillis = s.clock.now().UnixMilli() + 1
	}
	ns.truncate(set, lutMillis)
	return "ok"
}

// Truncate removes every record of a set ("" = the whole namespace).
func (s *Server) Truncate(nsName, set string) error {
	ns := s.ns(nsName)
	if ns == nil {
		return fmt.Errorf("aerospiketest: no namespace %q", nsName)
	}
	ns.truncate(set, 0)
	return nil
}

func (s *Server) sindexSnapshot() []sindex {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]sindex, len(s.sindexes))
	for i, si := range s.sindexes {
		out[i] = *si
	}
	return out
}

func (s *Server) findSindex(nsName, name string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.IndexFunc(s.sindexes, func(si *sindex) bool { return si.ns == nsName && si.name == name })
}

// nullIfEmpty is how 8.1 lists an index's missing set, bin, context or
// expression (as/src/sindex/sindex.c, as_sindex_list_str): lower-case.
func nullIfEmpty(v string) string {
	if v == "" {
		return "null"
	}
	return v
}

// sindexList lists the indexes of nsName (every namespace's when empty).
// A namespace the node does not have is an error, as a real 8.1 node
// answers it.
func (s *Server) sindexList(nsName string) string {
	if nsName != "" && s.ns(nsName) == nil {
		return "ERROR:20:namespace not found"
	}
	var out strings.Builder
	for _, si := range s.sindexSnapshot() {
		if nsName != "" && si.ns != nsName {
			continue
		}
		fmt.Fprintf(&out, "ns=%s:indexname=%s:set=%s:bin=%s:type=%s:indextype=%s:context=%s:exp=%s:state=RW;",
			si.ns, si.name, nullIfEmpty(si.set), nullIfEmpty(si.bin), si.binType, si.indexType,
			nullIfEmpty(si.context), nullIfEmpty(si.exp))
	}
	return out.String()
}

// sindexCreate accepts the 8.1 syntax (namespace=, bin=, type=) and the
// older one (ns=, indexdata=<bin>,<type>).
func (s *Server) sindexCreate(p map[string]string) string {
	si := &sindex{
		ns: p["namespace"], set: p["set"], name: p["indexname"], bin: p["bin"], binType: p["type"],
		indexType: p["indextype"], context: p["context"], exp: p["exp"],
	}
	if si.ns == "" {
		si.ns = p["ns"]
	}
	if data, ok := p["indexdata"]; ok {
		si.bin, si.binType, _ = strings.Cut(data, ",")
	}
	si.binType = strings.ToLower(si.binType)
	if si.indexType == "" {
		si.indexType = "default"
	}
	si.indexType = strings.ToLower(si.indexType)
	if s.ns(si.ns) == nil {
		return infoNoNamespace
	}
	if si.name == "" || len(si.name) > 255 {
		return "FAIL:205:invalid index name"
	}
	switch si.binType {
	case "numeric", "string", "blob", "geo2dsphere":
	default:
		return "FAIL:4:invalid bin type"
	}
	switch si.indexType {
	case "default", "list", "mapkeys", "mapvalues":
	default:
		return "FAIL:4:invalid indextype"
	}
	if si.bin == "" && si.exp == "" {
		return "FAIL:4:missing bin"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addSindex(si)
}

// addSindex answers a create as 8.1 does (as/src/sindex/sindex_manager.c,
// as_sindex_manager_sindex_create; sindex.c, smd_sindex_create): a
// namespace holds one index per definition and one per name. The same name
// and definition again is a no-op; the name on another definition is
// refused; the definition under a new name renames the index that has it.
// The caller holds s.mu.
func (s *Server) addSindex(si *sindex) string {
	for _, o := range s.sindexes {
		if o.ns != si.ns || o.name != si.name {
			continue
		}
		if o.sameDefinition(si) {
			return "OK"
		}
		return "FAIL:200:'indexname' already exists with different definition"
	}
	for _, o := range s.sindexes {
		if o.ns == si.ns && o.sameDefinition(si) {
			o.name = si.name
			return "OK"
		}
	}
	s.sindexes = append(s.sindexes, si)
	return "OK"
}

// sameDefinition: what the server keys an index by, but for its namespace
// and name. Context and expression compare as the base64 the client sent,
// which is as the server compares their bytes.
func (si *sindex) sameDefinition(o *sindex) bool {
	return si.set == o.set && si.bin == o.bin && si.binType == o.binType &&
		si.indexType == o.indexType && si.context == o.context && si.exp == o.exp
}

func (s *Server) sindexDelete(nsName, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.sindexes, func(si *sindex) bool { return si.ns == nsName && si.name == name })
	if i < 0 {
		return "FAIL:201:index does not exist"
	}
	s.sindexes = slices.Delete(s.sindexes, i, i+1)
	return "OK"
}

func (s *Server) sindexStat(nsName, name string) string {
	if s.findSindex(nsName, name) < 0 {
		return "FAIL:201:index does not exist"
	}
	return "load_pct=100;entries=0;memory_used=0"
}

func (s *Server) udfPut(p map[string]string) string {
	name := p["filename"]
	if name == "" {
		return "error=invalid_filename"
	}
	content, err := base64.StdEncoding.DecodeString(p["content"])
	if err != nil {
		return "error=invalid_base64_content"
	}
	lang := p["udf-type"]
	if lang == "" {
		lang = "LUA"
	}
	s.mu.Lock()
	s.udfs[name] = &udfFile{name: name, content: content, lang: strings.ToUpper(lang)}
	s.mu.Unlock()
	return ""
}

func (s *Server) udfList() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.udfs))
	for n := range s.udfs {
		names = append(names, n)
	}
	slices.Sort(names)
	var out strings.Builder
	for _, n := range names {
		u := s.udfs[n]
		sum := sha1.Sum(u.content)
		fmt.Fprintf(&out, "filename=%s,hash=%s,type=%s;", u.name, hex.EncodeToString(sum[:]), u.lang)
	}
	return out.String()
}

func (s *Server) udfGet(name string) string {
	s.mu.RLock()
	u := s.udfs[name]
	s.mu.RUnlock()
	if u == nil {
		return "error=not_found"
	}
	return "type=" + u.lang + ";content=" + base64.StdEncoding.EncodeToString(u.content) + ";"
}

func (s *Server) udfRemove(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.udfs[name]; !ok {
		return "error=file_not_found"
	}
	delete(s.udfs, name)
	return "ok"
}
