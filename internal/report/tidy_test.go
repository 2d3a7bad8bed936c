package report

import "testing"

func TestTidy(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ours alone", `routine "nightly": storage "main": not found`, `routine "nightly": storage "main": not found`},
		{"the client's error",
			`nightly/backup/1: failed after 3 attempt(s): ResultCode: DEVICE_OVERLOAD, Iteration: 0, InDoubt: false, Node: BB9000000000001 127.0.0.1:32999: Device overload`,
			`nightly/backup/1: failed after 3 attempt(s): Device overload (DEVICE_OVERLOAD, node BB9000000000001 127.0.0.1:32999)`},
		{"the client's error without a node",
			`namespace "nosuch": failed to read record: ResultCode: INVALID_NAMESPACE, Iteration: 0, InDoubt: false, Node: <nil>: Invalid Partition Map for namespace ` + "`nosuch`" + ` in Partition Scan`,
			`namespace "nosuch": failed to read record: Invalid Partition Map for namespace ` + "`nosuch`" + ` in Partition Scan (INVALID_NAMESPACE)`},
		{"the client's chain on indented lines",
			"namespace \"test\": failed to read data: ResultCode: SERVER_ERROR, Iteration: 0, InDoubt: false, Node: BB9 127.0.0.1:42677: Server error\n  ResultCode: NO_AVAILABLE_CONNECTIONS_TO_NODE, Iteration: 0, InDoubt: false, Node: BB9 127.0.0.1:42677: connection pool is empty",
			`namespace "test": failed to read data: Server error (SERVER_ERROR, node BB9 127.0.0.1:42677); connection pool is empty (NO_AVAILABLE_CONNECTIONS_TO_NODE, node BB9 127.0.0.1:42677)`},
		{"a cause given twice",
			`namespace "test": write error: failed to write data: write /b/0_test_2.asb: no space left on device, close error: failed to close token writer: write /b/0_test_2.asb: no space left on device`,
			`namespace "test": write error: failed to write data: write /b/0_test_2.asb: no space left on device`},
		{"a close error of another cause stays",
			`write error: disk full, close error: connection reset`, `write error: disk full, close error: connection reset`},
		{"a segment repeated", `routine "r": local "/b": local "/b": create "x": read-only file system`, `routine "r": local "/b": create "x": read-only file system`},
		{"several lines of a config stay apart", "a.yml:3: bad\na.yml:9: worse", "a.yml:3: bad\na.yml:9: worse"},
	}
	for _, tt := range tests {
		if got := Tidy(tt.in); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}
