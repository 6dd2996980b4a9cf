// Package webbridge serves the built frontend to an ordinary browser with
// the real Go bindings behind it, for end-to-end tests: every exported
// method of the bound value is callable as POST /__bridge/call/<Method>
// (found by reflection, so the browser sees exactly what Wails would bind),
// events reach the page over Server-Sent Events, and a small script
// installs window.go.<pkg>.<Type>.<Method> and window.runtime.EventsOn...
// before the app's own code runs. It implements the app's Runtime, so the
// bound methods' clipboard, window and dialog calls are recorded for tests.
//
// It is a test harness: it listens on loopback only and has no
// authentication; never serve it beside real data.
package webbridge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"

	"kirodesk/internal/uitext"
)

// Bridge is an http.Handler and a Runtime.
type Bridge struct {
	log     *slog.Logger
	assets  fs.FS
	ns      [2]string // package and type name, as Wails names them
	methods map[string]reflect.Value

	mu    sync.Mutex
	subs  map[chan []byte]struct{}
	state State
}

// State is what the page asked of the "window", for tests to check.
type State struct {
	Clipboard string   `json:"clipboard"`
	Shown     int      `json:"shown"`
	Hidden    int      `json:"hidden"`
	Quits     int      `json:"quits"`
	Dialogs   []string `json:"dialogs"`
	Opened    []string `json:"opened"` // URLs sent to the browser
}

// Skip names exported methods that are not for the page (the shell's own
// life-cycle calls); everything else exported is bound.
var Skip = []string{"Startup", "Shutdown", "SetLogins"}

var errorType = reflect.TypeFor[error]()

// New binds target's exported methods (target is a pointer to a struct).
func New(target any, assets fs.FS, log *slog.Logger) *Bridge {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	v := reflect.ValueOf(target)
	t := v.Type()
	b := &Bridge{log: log, assets: assets, methods: map[string]reflect.Value{}, subs: map[chan []byte]struct{}{}}
	elem := t
	if elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	b.ns = [2]string{pkgName(elem.PkgPath()), elem.Name()}
	for i := range t.NumMethod() {
		m := t.Method(i)
		if slices.Contains(Skip, m.Name) || !bindable(m.Type) {
			continue
		}
		b.methods[m.Name] = v.Method(i)
	}
	return b
}

// Methods lists the bound method names, sorted.
func (b *Bridge) Methods() []string {
	out := make([]string, 0, len(b.methods))
	for n := range b.methods {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func pkgName(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[i+1:]
		}
	}
	return path
}

// bindable: JSON in, at most (value, error) out, as Wails requires.
func bindable(ft reflect.Type) bool {
	for i := 1; i < ft.NumIn(); i++ { // In(0) is the receiver
		switch ft.In(i).Kind() {
		case reflect.Func, reflect.Chan, reflect.Interface, reflect.UnsafePointer:
			return false
		}
	}
	switch ft.NumOut() {
	case 0:
		return true
	case 1:
		return true
	case 2:
		return ft.Out(1) == errorType
	}
	return false
}

func (b *Bridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/__bridge/shim.js":
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = io.WriteString(w, b.shim())
	case r.URL.Path == "/__bridge/events":
		b.events(w, r)
	case r.URL.Path == "/__bridge/state":
		b.mu.Lock()
		st := b.state
		b.mu.Unlock()
		writeJSON(w, http.StatusOK, st)
	case len(r.URL.Path) > len("/__bridge/call/") && r.URL.Path[:len("/__bridge/call/")] == "/__bridge/call/":
		b.call(w, r, r.URL.Path[len("/__bridge/call/"):])
	case r.URL.Path == "/" || r.URL.Path == "/index.html":
		b.index(w)
	default:
		http.FileServerFS(b.assets).ServeHTTP(w, r)
	}
}

func (b *Bridge) index(w http.ResponseWriter) {
	page, err := fs.ReadFile(b.assets, "index.html")
	if err != nil {
		http.Error(w, "no index.html in the assets: build the frontend first (npm run build)", http.StatusNotFound)
		return
	}
	// A classic script in <head> runs before the app's deferred module.
	page = bytes.Replace(page, []byte("<head>"), []byte(`<head><script src="/__bridge/shim.js"></script>`), 1)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(page)
}

func (b *Bridge) call(w http.ResponseWriter, r *http.Request, name string) {
	m, ok := b.methods[name]
	if r.Method != http.MethodPost || !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no bound method " + name})
		return
	}
	var raw []json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "arguments must be a JSON array: " + err.Error()})
		return
	}
	ft := m.Type()
	if len(raw) != ft.NumIn() {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("%s takes %d arguments, got %d", name, ft.NumIn(), len(raw))})
		return
	}
	args := make([]reflect.Value, ft.NumIn())
	for i := range args {
		p := reflect.New(ft.In(i))
		if err := json.Unmarshal(raw[i], p.Interface()); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("%s argument %d: %v", name, i+1, err)})
			return
		}
		args[i] = p.Elem()
	}
	out := m.Call(args)
	// Wails: a non-nil error rejects the promise with its text; otherwise
	// the first result (or undefined) resolves it.
	if n := len(out); n > 0 && out[n-1].Type() == errorType {
		if err, _ := out[n-1].Interface().(error); err != nil {
			body := map[string]any{"error": err.Error()}
			if f, ok := uitext.ForWindow(err).(map[string]any); ok {
				body["texts"] = f["texts"] // as Wails' ErrorFormatter sends them
			}
			writeJSON(w, http.StatusOK, body)
			return
		}
		out = out[:n-1]
	}
	var result any
	if len(out) == 1 {
		result = out[0].Interface()
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": result})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// events streams every emitted event as an SSE message {"name","data"}.
func (b *Bridge) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	ch := make(chan []byte, 64)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.subs, ch)
		b.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, ": connected\n\n")
	fl.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case msg := <-ch:
			_, _ = fmt.Fprintf(w, "data: %s\n\n", msg)
			fl.Flush()
		}
	}
}

// EventsEmit sends an event to every open page. A page too slow to keep up
// loses events rather than blocking the app, as a real window would not.
func (b *Bridge) EventsEmit(name string, data ...any) {
	var payload any
	if len(data) == 1 {
		payload = data[0]
	} else if len(data) > 1 {
		payload = data
	}
	msg, err := json.Marshal(map[string]any{"name": name, "data": payload})
	if err != nil {
		b.log.Error("webbridge: event not sent", "event", name, "err", err)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- msg:
		default:
		}
	}
}

func (b *Bridge) ClipboardSetText(text string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.state.Clipboard = text
	return nil
}
func (b *Bridge) ShowWindow() { b.mu.Lock(); b.state.Shown++; b.mu.Unlock() }
func (b *Bridge) HideWindow() { b.mu.Lock(); b.state.Hidden++; b.mu.Unlock() }
func (b *Bridge) Quit()       { b.mu.Lock(); b.state.Quits++; b.mu.Unlock() }
func (b *Bridge) ErrorDialog(title, message string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.state.Dialogs = append(b.state.Dialogs, title+": "+message)
}

// SaveFileDialog has no person to ask: the file goes to the temporary
// folder, where a test can read it.
func (b *Bridge) SaveFileDialog(_, defaultName string) (string, error) {
	return filepath.Join(os.TempDir(), "kirodesk-e2e-"+defaultName), nil
}
func (b *Bridge) BrowserOpenURL(url string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.state.Opened = append(b.state.Opened, url)
}
