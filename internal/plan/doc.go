// Package plan decides what a run does before it does anything: which
// backup to take (full or incremental, from which base, over which
// window, continuing which interrupted run, in which run folder, pruning
// after), which backups a restore applies, in which order, into which
// namespaces, and which backups retention removes. Each planner is a pure
// function of the catalog listing, the routine's policy, the options asked
// and the clock's reading, and returns a decision with a human reason for
// each choice, which the commands log or print.
//
// It must not do I/O: no storage, no cluster, no clock, no logging. Where
// a decision needs an action (remove an interrupted run, swap the lock to
// a full), the plan says so and the command carries it out through its
// routine session; what only storage or a cluster can tell (a folder's
// metadata, a stream's header, an empty namespace) the command reads and
// hands in.
//
// A request it refuses is a RefusedError, a run with nothing to do a
// NothingToDoError; it never chooses an exit status (outcome does).
package plan
