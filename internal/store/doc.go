// Package store owns Kirodesk's state files: config.json, pool.json,
// quota-notices.json, usage.json and update-check.json in the config folder.
// It is the only code that opens them.
//
// Each file is held by one File value: callers change it with Update (a
// person's change: a function applied to a private copy, validated, written to
// disk and only then swapped in, so a change is in effect exactly when it is
// durable and a failed write changes nothing), Record (a fact learnt from
// upstream: in effect at once, written before Record returns, kept and retried
// if the disk refuses it) or Touch (hot counters: applied in memory and
// flushed by a background writer at most about once a second), and read it
// with Snapshot (a deep copy). Nobody else reads, modifies and writes the file, so
// no update can be lost between two writers.
//
// Writes are atomic and durable: a temporary file in the same folder is
// written, fsynced and renamed over the target, then the folder is fsynced.
// Before each replace the previous file is kept as NAME.bak. A file that
// fails to load is never replaced with defaults: it is moved aside to
// NAME.corrupt-<time> and the backup is loaded, or, with no usable backup,
// Open fails with an error that names the file and what to do.
//
// One process at a time: Open takes a cross-process lock on kirodesk.lock in
// the folder and holds it until Close.
//
// Secrets never enter these files; they live in the OS keychain (package
// secrets).
package store
