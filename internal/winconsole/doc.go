// Package winconsole lets Kirodesk's GUI-subsystem Windows executables print
// to the console of the shell that started them. Both the command
// (cmd/kirodesk) and the desktop app (main) call Attach first thing.
package winconsole
