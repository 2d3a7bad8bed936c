package cluster

import (
	"fmt"
	"sort"
	"strings"

	as "github.com/aerospike/aerospike-client-go/v8"
)

// NodeConfigurations reads every active node's configuration through info
// commands and renders each as an aerospike.conf-style text, one per node,
// in node-name order. ABS saves the same beside a full backup.
func NodeConfigurations(c *Conn) ([]string, error) {
	nodes := c.Aerospike.GetNodes()
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].GetName() < nodes[j].GetName() })
	var out []string
	for _, n := range nodes {
		if !n.IsActive() {
			continue
		}
		conf, err := nodeConfiguration(n, c.infoPolicy())
		if err != nil {
			return nil, fmt.Errorf("node %s: %w", n.GetName(), err)
		}
		out = append(out, conf)
	}
	return out, nil
}

func nodeConfiguration(n *as.Node, policy *as.InfoPolicy) (string, error) {
	ask := func(cmd string) (string, error) {
		res, err := n.RequestInfo(policy, cmd)
		if err != nil {
			return "", err
		}
		v := res[cmd]
		if strings.HasPrefix(v, "ERROR") || strings.HasPrefix(v, "error") {
			return "", fmt.Errorf("info %q: %s", cmd, v)
		}
		return v, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# node %s\n", n.GetName())
	for _, ctx := range []string{"service", "network", "logging"} {
		v, err := ask("get-config:context=" + ctx)
		if err != nil {
			if ctx == "logging" {
				continue // not every server answers it
			}
			return "", err
		}
		writeStanza(&b, ctx, parsePairs(v))
	}
	nsList, err := ask("namespaces")
	if err != nil {
		return "", err
	}
	for _, ns := range strings.Split(nsList, ";") {
		if ns == "" {
			continue
		}
		v, err := ask("get-config:context=namespace;id=" + ns)
		if err != nil {
			return "", err
		}
		writeStanza(&b, "namespace "+ns, parsePairs(v))
	}
	return b.String(), nil
}

func parsePairs(s string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(kv, "=")
		if ok && k != "" && v != "" { // empty values mean "unset" in a conf file
			m[k] = v
		}
	}
	return m
}

// writeStanza renders dotted keys ("heartbeat.mode") as nested blocks.
func writeStanza(b *strings.Builder, name string, pairs map[string]string) {
	type node struct {
		values   map[string]string
		children map[string]*node
	}
	newNode := func() *node { return &node{values: map[string]string{}, children: map[string]*node{}} }
	root := newNode()
	for k, v := range pairs {
		parts := strings.Split(k, ".")
		cur := root
		for _, p := range parts[:len(parts)-1] {
			next, ok := cur.children[p]
			if !ok {
				next = newNode()
				cur.children[p] = next
			}
			cur = next
		}
		cur.values[parts[len(parts)-1]] = v
	}
	var write func(n *node, indent string)
	write = func(n *node, indent string) {
		keys := make([]string, 0, len(n.values))
		for k := range n.values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(b, "%s%s %s\n", indent, k, n.values[k])
		}
		names := make([]string, 0, len(n.children))
		for k := range n.children {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Fprintf(b, "%s%s {\n", indent, k)
			write(n.children[k], indent+"    ")
			fmt.Fprintf(b, "%s}\n", indent)
		}
	}
	fmt.Fprintf(b, "%s {\n", name)
	write(root, "    ")
	b.WriteString("}\n")
}
