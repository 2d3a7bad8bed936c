package backend

import "fmt"

// ConfigError is a storage entry whose settings are at fault: rejected
// before any request reached the provider.
type ConfigError struct {
	Storage string // the entry's name
	Err     error
}

func (e *ConfigError) Error() string { return fmt.Sprintf("storage %q: %v", e.Storage, e.Err) }
func (e *ConfigError) Unwrap() error { return e.Err }

// URLError is an ad-hoc --storage URL that names no usable storage; URL is
// as given, without its query string, and "" when --storage is missing.
type URLError struct {
	URL string
	Msg string
}

func (e *URLError) Error() string {
	if e.URL == "" {
		return "--storage " + e.Msg
	}
	return fmt.Sprintf("--storage %q: %s", e.URL, e.Msg)
}
