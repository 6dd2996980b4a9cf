//go:build linux && desktop

package app

/*
#cgo !webkit2_41 pkg-config: webkit2gtk-4.0
#cgo webkit2_41 pkg-config: webkit2gtk-4.1
#include <webkit2/webkit2.h>

// Wails v2 does not hand out its WebKitWebView, so it is found from the
// toplevel windows (Wails: GtkWindow > GtkBox > WebKitWebView).
static GtkWidget *kd_find_webview(GtkWidget *w) {
	if (WEBKIT_IS_WEB_VIEW(w)) {
		return w;
	}
	GtkWidget *found = NULL;
	if (GTK_IS_CONTAINER(w)) {
		GList *children = gtk_container_get_children(GTK_CONTAINER(w));
		for (GList *l = children; l != NULL && found == NULL; l = l->next) {
			found = kd_find_webview(GTK_WIDGET(l->data));
		}
		g_list_free(children);
	}
	return found;
}

// Runs on GTK's main loop: end the view's web process, or reload the page
// (which starts a new one).
static gboolean kd_webview_do(gpointer data) {
	int release = GPOINTER_TO_INT(data);
	GList *tops = gtk_window_list_toplevels();
	for (GList *l = tops; l != NULL; l = l->next) {
		GtkWidget *wv = kd_find_webview(GTK_WIDGET(l->data));
		if (wv == NULL) {
			continue;
		}
		if (release) {
			webkit_web_view_terminate_web_process(WEBKIT_WEB_VIEW(wv));
		} else {
			webkit_web_view_reload(WEBKIT_WEB_VIEW(wv));
		}
	}
	g_list_free(tops);
	return G_SOURCE_REMOVE;
}

static void kd_webview(int release) {
	g_main_context_invoke(NULL, kd_webview_do, GINT_TO_POINTER(release));
}
*/
import "C"

// webViewOps ends and brings back the window's WebKit web process (the
// largest of the app's processes: ~100 MB PSS with the window hidden).
// Both are queued on GTK's main loop, ahead of the Wails window calls made
// after them (Wails queues those on the same loop).
func webViewOps() (release, restore func()) {
	return func() { C.kd_webview(1) }, func() { C.kd_webview(0) }
}
