package localstore

import "io/fs"

// Modes are the permissions of what the store creates. A backup holds the
// whole database, so the default keeps it to the owner.
type Modes struct {
	File fs.FileMode
	Dir  fs.FileMode
}

var (
	// Private is the default: files 0600, folders 0700.
	Private = Modes{File: 0o600, Dir: 0o700}
	// GroupReadable lets the owner's group read: files 0640, folders 0750.
	GroupReadable = Modes{File: 0o640, Dir: 0o750}
)

// orDefault is m, or Private for the zero value.
func (m Modes) orDefault() Modes {
	if m.File == 0 || m.Dir == 0 {
		return Private
	}
	return m
}

// Umask is the process umask that gives files backup-go's local writer
// creates (0666 and 0777 requested) the modes m: 077 for Private, 027 for
// GroupReadable.
func (m Modes) Umask() int {
	return int(0o777 &^ m.orDefault().Dir)
}
