package kiro

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"kirodesk/internal/kiro/endpoint"
	"kirodesk/internal/store"
)

// ChatHosts is the table of chat hosts for a region, in the order tried
// (kiro-protocol.md section 1): q.{region}, the legacy CodeWhisperer host
// (us-east-1 only) and the newer runtime host of kiro-cli. Only a parsed
// region goes into a host name.
func ChatHosts(r endpoint.Region) []string {
	if r.IsZero() {
		r = endpoint.Default
	}
	host := func(h string) string { return (&url.URL{Scheme: "https", Host: h}).String() }
	hosts := []string{host("q." + r.String() + ".amazonaws.com")}
	if r == endpoint.Default {
		hosts = append(hosts, host("codewhisperer.us-east-1.amazonaws.com"))
	}
	return append(hosts, host("runtime."+r.String()+".kiro.dev"))
}

// regions returns the account's API region (explicit on the account, else
// in its credentials, else the profile ARN's, else us-east-1) and its auth
// (OIDC) region, which an IdC account may have elsewhere. Every value is
// parsed again here, whatever checked it on the way in: a region that is
// not an AWS region name is an error, and no request is built.
func (c *Client) regions(cr Credentials) (api, auth endpoint.Region, err error) {
	if api, err = cr.APIRegion(); err != nil {
		return api, auth, err
	}
	if auth, err = cr.OIDCRegion(); err != nil {
		return api, auth, err
	}
	if a, ok := c.account(cr.AccountID); ok && cr.AccountID != "" {
		if a.Region != "" {
			if api, err = endpoint.ParseRegion("the account's region", a.Region); err != nil {
				return api, auth, err
			}
			if cr.AuthRegion == "" && a.AuthRegion == "" {
				auth = api
			}
		}
		if a.AuthRegion != "" {
			if auth, err = endpoint.ParseRegion("the account's authRegion", a.AuthRegion); err != nil {
				return api, auth, err
			}
		}
	}
	return api, auth, nil
}

// ChatBases returns the chat bases to try for an account, the one that
// answered last first. An account's own endpoint, or a configured APIBase
// other than the default, is the only candidate: whoever set it meant it.
// A region or endpoint that does not parse is an error.
func (c *Client) ChatBases(cr Credentials) ([]string, error) {
	region, _, err := c.regions(cr)
	if err != nil {
		return nil, err
	}
	up := c.upstream()
	var bases []string
	a, ok := c.account(cr.AccountID)
	ok = ok && cr.AccountID != ""
	if ok && a.APIBase != "" {
		u, err := up.URL(a.APIBase, region)
		if err != nil {
			return nil, fmt.Errorf("the account's apiBase: %w", err)
		}
		bases = []string{u}
	} else if up.APIBase != store.DefaultUpstream().APIBase {
		u, err := up.URL(up.APIBase, region)
		if err != nil {
			return nil, err
		}
		bases = []string{u}
	} else {
		bases = c.hosts(region)
	}
	for i, b := range bases {
		bases[i] = strings.TrimRight(b, "/")
	}
	c.mu.Lock()
	last, seen := c.worked[c.hostKey(cr, region)]
	c.mu.Unlock()
	if !seen && ok {
		last = strings.TrimRight(a.ChatHost, "/")
	}
	if i := slices.Index(bases, last); i > 0 {
		bases = append([]string{last}, slices.Delete(slices.Clone(bases), i, i+1)...)
	}
	return bases, nil
}

// remember keeps the base that answered; a change is passed on so it
// can survive a restart.
func (c *Client) remember(cr Credentials, region endpoint.Region, base string) {
	key := c.hostKey(cr, region)
	c.mu.Lock()
	prev := c.worked[key]
	c.worked[key] = base
	c.mu.Unlock()
	if cr.AccountID != "" && prev != base {
		c.onHost(cr.AccountID, base)
	}
}

func (c *Client) hostKey(cr Credentials, region endpoint.Region) string {
	if cr.AccountID != "" {
		return cr.AccountID
	}
	return "region:" + region.String()
}

// HTTPClient is the client an account's calls go through (its proxy).
func (c *Client) HTTPClient(cr Credentials) *http.Client { return c.httpFor(cr.AccountID) }

// doAPI sends a request built for each chat base in turn until one
// resolves and (with fallback404) does not answer 404, and remembers the
// base that answered for the account. The last failure is returned when
// every base fails.
func (c *Client) doAPI(ctx context.Context, cr Credentials, fallback404 bool, build func(base string) (*http.Request, error)) (*http.Response, error) {
	bases, err := c.ChatBases(cr)
	if err != nil {
		return nil, fmt.Errorf("no request sent: %w", err)
	}
	region, _, _ := c.regions(cr) // parsed by ChatBases just now
	hc := c.httpFor(cr.AccountID)
	for i, base := range bases {
		last := i == len(bases)-1
		req, err := build(base)
		if err != nil {
			return nil, err
		}
		resp, err := hc.Do(req)
		if err != nil {
			if !last && ctx.Err() == nil && NotResolved(err) {
				c.log.Info("Kiro chat host does not resolve; trying the next one", "host", hostOf(base), "next", hostOf(bases[i+1]))
				continue
			}
			return nil, err
		}
		if fallback404 && !last && resp.StatusCode == http.StatusNotFound {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			c.log.Info("Kiro chat host answered 404; trying the next one", "host", hostOf(base), "next", hostOf(bases[i+1]))
			continue
		}
		if resp.StatusCode != http.StatusNotFound {
			c.remember(cr, region, base)
		}
		return resp, nil
	}
	return nil, errors.New("no Kiro chat host configured") // unreachable: the table is never empty
}

// NotResolved reports whether err means the host name does not exist, as
// opposed to a network that is down (which the next host would not fix).
// Behind a proxy the proxy resolves names: a SOCKS "host unreachable"
// counts; an HTTP proxy's refusal does not, as it says nothing certain.
func NotResolved(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.IsNotFound
	}
	return strings.Contains(err.Error(), "host unreachable")
}
