package storage

import (
	"path"
	"strings"
)

// Prefix maps store paths to the object keys (S3 keys, GCS object names,
// Azure blob names) of a bucket or container below a root folder. The root
// has no leading or trailing "/"; "" is the bucket or container root. Keys
// join with "/" and no path climbs above the root.
type Prefix string

// NewPrefix returns the Prefix for a configured path such as "/backups/".
func NewPrefix(p string) Prefix { return Prefix(strings.Trim(p, "/")) }

// Key maps a store path to an object key.
func (r Prefix) Key(p string) string {
	p = Clean(p)
	switch {
	case r == "":
		return p
	case p == "":
		return string(r)
	default:
		return string(r) + "/" + p
	}
}

// DirKey maps a folder path to the key prefix of its contents.
func (r Prefix) DirKey(p string) string {
	k := r.Key(p)
	if k == "" {
		return ""
	}
	return k + "/"
}

// Keys maps several store paths to object keys.
func (r Prefix) Keys(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = r.Key(p)
	}
	return out
}

// Rel maps an object key back to a store path.
func (r Prefix) Rel(key string) string {
	if r == "" {
		return key
	}
	return strings.TrimPrefix(key, string(r)+"/")
}

// Clean makes p relative and free of "..", so no path escapes the root.
func Clean(p string) string {
	return strings.TrimPrefix(path.Clean("/"+p), "/")
}
