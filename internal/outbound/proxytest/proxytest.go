// Package proxytest runs small, real outbound proxies for tests: an HTTP
// proxy (CONNECT tunnels and absolute-form forwarding, optional Basic
// authentication) and a SOCKS5 proxy (RFC 1928, optional RFC 1929
// user/password). Each counts the connections it carried so tests can
// assert traffic really went through it. Nothing here is used by the app.
package proxytest

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
)

// Proxy is a running proxy on 127.0.0.1.
type Proxy struct {
	// Addr is host:port; URL is e.g. http://127.0.0.1:4321 or socks5://...
	Addr, URL string

	user, pass string
	ln         net.Listener
	wg         sync.WaitGroup

	// Tunnels counts connections carried to a target (CONNECT or SOCKS),
	// Forwards requests forwarded in absolute form, Refused failed
	// authentications.
	Tunnels, Forwards, Refused atomic.Int64

	mu      sync.Mutex
	targets []string
	conns   map[net.Conn]struct{}
	aliases map[string]string
}

// Alias makes the proxy resolve name to ip itself, as a real proxy
// resolves names the client's machine cannot (tests use made-up names).
func (p *Proxy) Alias(name, ip string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.aliases == nil {
		p.aliases = map[string]string{}
	}
	p.aliases[name] = ip
}

// dial connects to target, through the aliases.
func (p *Proxy) dial(target string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	if ip, ok := p.aliases[host]; ok {
		host = ip
	}
	p.mu.Unlock()
	return net.Dial("tcp", net.JoinHostPort(host, port))
}

// Targets lists the host:port of every connection or request carried.
func (p *Proxy) Targets() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.targets...)
}

// Carried is Tunnels plus Forwards.
func (p *Proxy) Carried() int64 { return p.Tunnels.Load() + p.Forwards.Load() }

// Close stops the proxy and drops every connection it carries.
func (p *Proxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}

func start(scheme, user, pass string, serve func(p *Proxy, c net.Conn)) (*Proxy, error) {
	return startOn(scheme, user, pass, nil, serve)
}

func startOn(scheme, user, pass string, tlsConfig *tls.Config, serve func(p *Proxy, c net.Conn)) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
	}
	p := &Proxy{Addr: ln.Addr().String(), URL: scheme + "://" + ln.Addr().String(), user: user, pass: pass,
		ln: ln, conns: map[net.Conn]struct{}{}}
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !p.track(c, true) {
				c.Close()
				return
			}
			p.wg.Go(func() {
				defer p.track(c, false)
				defer c.Close()
				serve(p, c)
			})
		}
	})
	return p, nil
}

func (p *Proxy) track(c net.Conn, add bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add {
		if p.conns == nil {
			return false
		}
		p.conns[c] = struct{}{}
	} else if p.conns != nil {
		delete(p.conns, c)
	}
	return true
}

func (p *Proxy) note(target string) {
	p.mu.Lock()
	p.targets = append(p.targets, target)
	p.mu.Unlock()
}

// pipe copies both ways until one side ends.
func (p *Proxy) pipe(client net.Conn, clientReader io.Reader, upstream net.Conn) {
	if !p.track(upstream, true) {
		upstream.Close()
		return
	}
	defer p.track(upstream, false)
	defer upstream.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(upstream, clientReader); done <- struct{}{} }()
	go func() { _, _ = io.Copy(client, upstream); done <- struct{}{} }()
	<-done
}

// NewHTTP starts an HTTP proxy; with a user set, requests without the
// matching Proxy-Authorization get 407.
func NewHTTP(user, pass string) (*Proxy, error) {
	return start("http", user, pass, serveHTTP)
}

func serveHTTP(p *Proxy, c net.Conn) {
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		if p.user != "" && req.Header.Get("Proxy-Authorization") != "Basic "+base64.StdEncoding.EncodeToString([]byte(p.user+":"+p.pass)) {
			p.Refused.Add(1)
			io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
			continue
		}
		if req.Method == http.MethodConnect {
			up, err := p.dial(req.Host)
			if err != nil {
				io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
				return
			}
			p.Tunnels.Add(1)
			p.note(req.Host)
			io.WriteString(c, "HTTP/1.1 200 Connection Established\r\n\r\n")
			p.pipe(c, br, up)
			return
		}
		if req.URL.Host == "" {
			io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
			return
		}
		p.Forwards.Add(1)
		p.note(req.URL.Host)
		req.Header.Del("Proxy-Authorization")
		req.RequestURI = ""
		tr := &http.Transport{DialContext: func(_ context.Context, _, addr string) (net.Conn, error) { return p.dial(addr) }}
		resp, err := tr.RoundTrip(req)
		tr.CloseIdleConnections()
		if err != nil {
			io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
			return
		}
		err = resp.Write(c)
		resp.Body.Close()
		if err != nil {
			return
		}
	}
}

// NewHTTPS starts an HTTP proxy that clients reach over TLS (an https://
// proxy URL), with the certificate in tlsConfig.
func NewHTTPS(user, pass string, tlsConfig *tls.Config) (*Proxy, error) {
	return startOn("https", user, pass, tlsConfig, serveHTTP)
}

// NewSOCKS5 starts a SOCKS5 proxy; with a user set, it demands RFC 1929
// user/password authentication.
func NewSOCKS5(user, pass string) (*Proxy, error) {
	return start("socks5", user, pass, serveSOCKS)
}

func serveSOCKS(p *Proxy, c net.Conn) {
	br := bufio.NewReader(c)
	var head [2]byte
	if _, err := io.ReadFull(br, head[:]); err != nil || head[0] != 5 {
		return
	}
	methods := make([]byte, head[1])
	if _, err := io.ReadFull(br, methods); err != nil {
		return
	}
	want := byte(0x00)
	if p.user != "" {
		want = 0x02
	}
	found := false
	for _, m := range methods {
		found = found || m == want
	}
	if !found {
		p.Refused.Add(1)
		c.Write([]byte{5, 0xff})
		return
	}
	c.Write([]byte{5, want})
	if want == 0x02 {
		u, pw, err := readUserPass(br)
		if err != nil {
			return
		}
		if u != p.user || pw != p.pass {
			p.Refused.Add(1)
			c.Write([]byte{1, 1})
			return
		}
		c.Write([]byte{1, 0})
	}
	var req [4]byte
	if _, err := io.ReadFull(br, req[:]); err != nil || req[0] != 5 || req[1] != 1 {
		return
	}
	var host string
	switch req[3] {
	case 1, 4:
		ip := make([]byte, map[byte]int{1: 4, 4: 16}[req[3]])
		if _, err := io.ReadFull(br, ip); err != nil {
			return
		}
		host = net.IP(ip).String()
	case 3:
		n, err := br.ReadByte()
		if err != nil {
			return
		}
		name := make([]byte, n)
		if _, err := io.ReadFull(br, name); err != nil {
			return
		}
		host = string(name)
	default:
		return
	}
	var port [2]byte
	if _, err := io.ReadFull(br, port[:]); err != nil {
		return
	}
	target := net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(port[:]))))
	up, err := p.dial(target)
	if err != nil {
		var dnsErr *net.DNSError
		code := byte(5) // connection refused
		if errors.As(err, &dnsErr) {
			code = 4 // host unreachable
		}
		c.Write([]byte{5, code, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	p.Tunnels.Add(1)
	p.note(target)
	c.Write([]byte{5, 0, 0, 1, 127, 0, 0, 1, 0, 0})
	p.pipe(c, br, up)
}

func readUserPass(br *bufio.Reader) (string, string, error) {
	ver, err := br.ReadByte()
	if err != nil || ver != 1 {
		return "", "", errors.New("bad auth version")
	}
	read := func() (string, error) {
		n, err := br.ReadByte()
		if err != nil {
			return "", err
		}
		b := make([]byte, n)
		_, err = io.ReadFull(br, b)
		return string(b), err
	}
	u, err := read()
	if err != nil {
		return "", "", err
	}
	pw, err := read()
	return u, pw, err
}
