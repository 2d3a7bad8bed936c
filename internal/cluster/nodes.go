package cluster

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Namespaces lists the cluster's namespaces, each once, in the order the
// nodes (by name) report them.
func (c *Conn) Namespaces() ([]string, error) {
	answers, err := c.Info("namespaces")
	if err != nil {
		return nil, err
	}
	return namespacesOf(answers)
}

// NamespacesOr returns named, or, when it is empty, every namespace of the
// cluster (as ABS backs up a routine without a namespaces list).
func (c *Conn) NamespacesOr(named []string) ([]string, error) {
	if len(named) > 0 {
		return named, nil
	}
	return c.Namespaces()
}

// namespacesOf merges the nodes' answers to "namespaces" ("ns1;ns2").
func namespacesOf(answers map[string]string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, node := range slices.Sorted(maps.Keys(answers)) {
		for _, ns := range strings.Split(answers[node], ";") {
			if ns != "" && !seen[ns] {
				seen[ns] = true
				out = append(out, ns)
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the cluster reports no namespaces")
	}
	return out, nil
}

// RequireRacks fails when a node cannot say its rack (Community Edition
// answers "ERROR:25:enterprise only"): a rack-aware client then has no
// usable partition map and rack selections match nothing, so every scan
// would fail after its retries. what names the setting that needs racks.
func (c *Conn) RequireRacks(what string) error {
	answers, err := c.Info("rack-ids")
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return racksReported(answers, what)
}

// racksReported checks the nodes' answers to "rack-ids".
func racksReported(answers map[string]string, what string) error {
	for _, node := range slices.Sorted(maps.Keys(answers)) {
		a := answers[node]
		if strings.HasPrefix(a, "ERROR") || a == "" {
			return fmt.Errorf("%s: node %s does not report its rack (rack-ids: %q): rack awareness needs Aerospike Enterprise; remove %s for this cluster",
				what, node, strings.TrimSpace(a), what)
		}
	}
	return nil
}

// CheckRacks stops a rack selection (rackList, preferRacks) the cluster
// cannot serve, then logs, per namespace, how many nodes are on the
// preferred racks; with none, the scans read from any replica (the client
// falls back to its usual order), which deserves a warning.
func (c *Conn) CheckRacks(log *slog.Logger, rackList, preferRacks []int, namespaces []string) error {
	if len(rackList) > 0 {
		if err := c.RequireRacks("rack-list"); err != nil {
			return err
		}
	}
	if len(preferRacks) == 0 {
		return nil
	}
	if err := c.RequireRacks("prefer-racks"); err != nil {
		return err
	}
	ids := make([]string, len(preferRacks))
	for i, id := range preferRacks {
		ids[i] = strconv.Itoa(id)
	}
	for _, ns := range namespaces {
		on, total := c.NodesOnRacks(ns, preferRacks)
		if on == 0 {
			log.Warn("no node is on a preferred rack: reading from any replica", "namespace", ns,
				"prefer-racks", strings.Join(ids, ","), "nodes", total)
			continue
		}
		log.Info("reading from preferred racks first", "namespace", ns, "prefer-racks", strings.Join(ids, ","),
			"nodes-on-racks", on, "nodes", total)
	}
	return nil
}
