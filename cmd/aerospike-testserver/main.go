// Command aerospike-testserver runs the in-process Aerospike test server
// (internal/aerospiketest) as a standalone process, for `make demo` and
// scripts. It is test infrastructure: records live in memory only.
//
// Usage:
//
//	aerospike-testserver [-addr 127.0.0.1:3000] [-namespaces test,bar] [-seed N] [-rack-id N] [-ready-file PATH]
//	    [-tls-addr ADDR (-tls-certs DIR [-tls-name NAME] | -tls-cert FILE -tls-key FILE)
//	     [-tls-client-ca FILE] [-tls-min 1.2|1.3] [-tls-max 1.2|1.3]]
//	aerospike-testserver -nodes 3 [-racks 1,1,2] [-replication-factor 2] [...]
//
// With -tls-addr it also serves TLS there, as an Enterprise node's
// tls-port; -tls-certs makes a CA and certificates for scripts.
//
// With -nodes (or -racks) it runs a cluster in this process: node i listens
// on the port i above -addr's (free ports with port 0), all sharing the
// records and one partition map; a cluster serves clear connections only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "aerospike-testserver:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("aerospike-testserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:3000", "address to listen on (port 0 picks a free port)")
	namespaces := fs.String("namespaces", "test,bar", "comma-separated namespaces to serve")
	seed := fs.Int("seed", 0, "records to seed into every namespace (deterministic mixed types)")
	readyFile := fs.String("ready-file", "", "write the listen address to this file once ready")
	clusterName := fs.String("cluster-name", "", "cluster name to report (default aerospiketest)")
	debug := fs.Bool("debug", false, "log connection-level errors")
	rackID := fs.Int("rack-id", 0, "rack id the node reports for every namespace (rack-ids, racks:)")
	nodes := fs.Int("nodes", 1, "nodes of the cluster (more than 1: a cluster sharing one store, on consecutive ports)")
	racks := fs.String("racks", "", "comma-separated rack id of each node of the cluster (sets -nodes)")
	rf := fs.Int("replication-factor", 2, "copies of each partition in a cluster")
	var tf tlsFlags
	tf.register(fs)
	clientName := fs.String("tls-client-name", "backup-operator", "CN of the client certificate -tls-certs makes (the PKI user)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cluster, err := clusterOptions(*nodes, *racks, *rf)
	if err != nil {
		return err
	}
	tlsOpts, err := tf.options(*clientName)
	if err != nil {
		return err
	}
	if cluster != nil && tlsOpts != nil {
		return errors.New("-tls-addr with -nodes or -racks: a cluster serves clear connections only")
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	var nss []string
	for _, ns := range strings.Split(*namespaces, ",") {
		if ns = strings.TrimSpace(ns); ns != "" {
			nss = append(nss, ns)
		}
	}
	opts := aerospiketest.Options{
		Addr: *addr, Namespaces: nss, ClusterName: *clusterName, Logger: log, RackID: *rackID, TLS: tlsOpts,
	}
	var srv *aerospiketest.Server
	if cluster == nil {
		if srv, err = aerospiketest.Start(opts); err != nil {
			return err
		}
		defer srv.Close()
	} else {
		cluster.Server = opts
		c, err := aerospiketest.StartCluster(*cluster)
		if err != nil {
			return err
		}
		defer c.Close()
		for i, n := range c.Nodes() {
			log.Info("cluster node listening", slog.Int("node", i+1), slog.String("name", aerospiketest.NodeName(i)),
				slog.String("addr", n.Addr()), slog.Int("rack", cluster.Racks[i]))
		}
		srv = c.Node(0)
	}

	if *seed > 0 {
		for i, ns := range nss {
			if err := srv.Seed(ns, *seed, int64(i+1)); err != nil {
				return err
			}
			if err := srv.SeedMetadata(ns); err != nil {
				return err
			}
		}
	}
	if *readyFile != "" {
		if err := writeReady(*readyFile, srv.Addr()); err != nil {
			return fmt.Errorf("write ready file: %w", err)
		}
	}
	log.Info("aerospike test server listening", slog.String("addr", srv.Addr()), slog.String("tls-addr", srv.TLSAddr()),
		slog.String("namespaces", strings.Join(nss, ",")), slog.Int("seeded-records", *seed))

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	log.Info("aerospike test server stopping")
	return nil
}

// clusterOptions reads -nodes, -racks and -replication-factor: nil for a
// lone server.
func clusterOptions(nodes int, racks string, rf int) (*aerospiketest.ClusterOptions, error) {
	var ids []int
	if racks != "" {
		for _, f := range strings.Split(racks, ",") {
			id, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || id < 0 {
				return nil, fmt.Errorf("-racks %q: want comma-separated rack ids (0 or more)", racks)
			}
			ids = append(ids, id)
		}
		if nodes > 1 && nodes != len(ids) {
			return nil, fmt.Errorf("-racks %q names %d racks for -nodes %d: want one per node", racks, len(ids), nodes)
		}
		nodes = len(ids)
	}
	if nodes < 1 {
		return nil, fmt.Errorf("-nodes %d: want at least 1", nodes)
	}
	if rf < 1 {
		return nil, fmt.Errorf("-replication-factor %d: want at least 1", rf)
	}
	if nodes == 1 && racks == "" {
		return nil, nil
	}
	if ids == nil {
		ids = make([]int, nodes)
	}
	return &aerospiketest.ClusterOptions{Nodes: nodes, Racks: ids, ReplicationFactor: rf}, nil
}

// writeReady writes addr to path through a temporary file renamed into place,
// so whoever polls path sees either no file or the whole address, never an
// empty file caught between its creation and its write.
func writeReady(path, addr string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(addr + "\n"); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
