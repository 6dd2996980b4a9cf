package webbridge

import (
	"encoding/json"
	"strings"
)

// shimJS installs what Wails' generated bindings and runtime.js expect:
// window.go.<pkg>.<Type>.<Method>(...) returning a promise, and
// window.runtime's event functions, fed by the SSE stream. Window, dialog
// and log calls the page might make are accepted and ignored.
const shimJS = `(function () {
  'use strict';
  var ns = __NS__, methods = __METHODS__;
  function call(name, args) {
    return fetch('/__bridge/call/' + name, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
    }).then(function (r) { return r.json(); }).then(function (body) {
      if (body && typeof body.error === 'string') throw body.texts ? { message: body.error, texts: body.texts } : body.error;
      return body ? body.result : undefined;
    });
  }
  var bound = {};
  methods.forEach(function (m) {
    bound[m] = function () { return call(m, Array.prototype.slice.call(arguments)); };
  });
  window.go = window.go || {};
  window.go[ns[0]] = window.go[ns[0]] || {};
  window.go[ns[0]][ns[1]] = bound;

  var listeners = {};
  function on(name, cb, max) {
    var l = { cb: cb, left: max };
    (listeners[name] = listeners[name] || []).push(l);
    return function () { listeners[name] = (listeners[name] || []).filter(function (x) { return x !== l; }); };
  }
  function dispatch(name, data) {
    (listeners[name] || []).slice().forEach(function (l) {
      if (l.left === 0) return;
      if (l.left > 0) l.left--;
      try { l.cb.apply(null, data); } catch (e) { console.error(e); }
    });
    listeners[name] = (listeners[name] || []).filter(function (l) { return l.left !== 0; });
  }
  window.__bridgeConnected = new Promise(function (resolve) {
    var es = new EventSource('/__bridge/events');
    es.onopen = function () { resolve(true); };
    es.onmessage = function (m) {
      var ev = JSON.parse(m.data);
      dispatch(ev.name, [ev.data]);
    };
  });
  var noop = function () {};
  window.runtime = new Proxy({
    EventsOnMultiple: on,
    EventsOff: function () { Array.prototype.forEach.call(arguments, function (n) { delete listeners[n]; }); },
    EventsOffAll: function () { listeners = {}; },
    EventsEmit: function (name) { dispatch(name, Array.prototype.slice.call(arguments, 1)); },
    BrowserOpenURL: function (url) { window.open(url, '_blank'); },
    Environment: function () { return Promise.resolve({ buildType: 'webbridge', platform: 'browser', arch: '' }); },
  }, { get: function (t, k) { return k in t ? t[k] : noop; } });
})();
`

func (b *Bridge) shim() string {
	ns, _ := json.Marshal(b.ns)
	ms, _ := json.Marshal(b.Methods())
	return strings.NewReplacer("__NS__", string(ns), "__METHODS__", string(ms)).Replace(shimJS)
}
