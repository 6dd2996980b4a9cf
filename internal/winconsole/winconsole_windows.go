package winconsole

import (
	"os"

	"golang.org/x/sys/windows"
)

// Attach: kirodesk.exe and kirodesk-desktop.exe are GUI-subsystem programs
// (-H windowsgui) so that starting them from the Start menu or at login
// opens no console window. Such a program gets no console of its own, so
// when it is started from cmd.exe or PowerShell it attaches to that console
// here, and the command-line commands (--version, serve, apikey, reset)
// print there. Output already redirected to a file or pipe is left alone.
// The shell does not wait for a GUI program: `start /wait kirodesk ...` in
// cmd.exe, or `kirodesk ... | Out-Default` in PowerShell, keeps the prompt
// back until it ends (README, "Packages").
func Attach() {
	const attachParentProcess = ^uintptr(0) // (DWORD)-1
	attach := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")
	if r, _, _ := attach.Call(attachParentProcess); r == 0 {
		return // started from Explorer, the Start menu or at login: no console to use
	}
	if !valid(windows.STD_OUTPUT_HANDLE) {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			os.Stdout = f
		}
	}
	if !valid(windows.STD_ERROR_HANDLE) {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			os.Stderr = f
		}
	}
	if !valid(windows.STD_INPUT_HANDLE) {
		if f, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil {
			os.Stdin = f
		}
	}
}

// valid reports whether the standard handle was given to us (a redirect).
func valid(std uint32) bool {
	h, err := windows.GetStdHandle(std)
	return err == nil && h != 0 && h != windows.InvalidHandle
}
