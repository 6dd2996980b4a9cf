//go:build !(linux && desktop)

package app

// webViewOps: only WebKitGTK's web process is dropped while the window is
// hidden (webkit_linux.go). WebView2 and WKWebView suspend hidden views
// themselves, and builds without the desktop tag have no web view.
func webViewOps() (release, restore func()) { return nil, nil }
