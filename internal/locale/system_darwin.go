//go:build darwin && cgo

package locale

/*
#cgo LDFLAGS: -framework CoreFoundation
#include <CoreFoundation/CoreFoundation.h>
#include <stdlib.h>
#include <string.h>

// preferredLanguages writes the user's languages (System Settings, General,
// Language & Region: AppleLanguages, as cfprefsd holds it now) into buf,
// separated by newlines. It returns 0 when there is none.
static int preferredLanguages(char *buf, int size) {
	CFArrayRef langs = CFLocaleCopyPreferredLanguages();
	if (langs == NULL) return 0;
	int n = 0;
	buf[0] = 0;
	for (CFIndex i = 0; i < CFArrayGetCount(langs); i++) {
		CFStringRef s = (CFStringRef)CFArrayGetValueAtIndex(langs, i);
		char one[64];
		if (!CFStringGetCString(s, one, sizeof one, kCFStringEncodingUTF8)) continue;
		int len = (int)strlen(one);
		if (n + len + 2 > size) break;
		memcpy(buf + n, one, len);
		n += len;
		buf[n++] = '\n';
		buf[n] = 0;
	}
	CFRelease(langs);
	return n;
}
*/
import "C"

import (
	"strings"
	"unsafe"
)

// On macOS the language is the user's preferred-language list, read through
// CoreFoundation (CFLocaleCopyPreferredLanguages) without running a program;
// an app started from Finder has no LANG. Not compiled on CI (macOS needs
// cgo and its SDK); system_darwin_nocgo.go is what a cgo-less build uses.
func systemLanguages(getenv func(string) string) []string {
	buf := (*C.char)(C.malloc(1024))
	defer C.free(unsafe.Pointer(buf))
	n := C.preferredLanguages(buf, 1024)
	if n == 0 {
		return envLanguage(getenv)
	}
	return strings.Fields(C.GoStringN(buf, n))
}
