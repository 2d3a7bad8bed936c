package config

// FileError is a config file that cannot be found or read: named but
// missing, a folder, or unreadable. Msg is the whole message.
type FileError struct {
	Path string
	Msg  string
	Err  error // the file system's error, nil when there is none
}

func (e *FileError) Error() string { return e.Msg }
func (e *FileError) Unwrap() error { return e.Err }

// LookupError is a name the config does not define (What is "routine",
// "cluster", "storage" or "secret agent"), or a routine left unnamed
// where the config has none or several to choose from (Name is "").
type LookupError struct {
	What, Name string
	Msg        string
}

func (e *LookupError) Error() string { return e.Msg }
