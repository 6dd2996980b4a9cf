package kiro

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"

	"kirodesk/internal/store"
)

// ChatHosts is the table of chat hosts for a region, in the order tried
// (kiro-protocol.md section 1): q.{region}, the legacy CodeWhisperer host
// (us-east-1 only) and the newer runtime host of kiro-cli.
func ChatHosts(region string) []string {
	hosts := []string{"https://q." + region + ".amazonaws.com"}
	if region == "us-east-1" {
		hosts = append(hosts, "https://codewhisperer.us-east-1.amazonaws.com")
	}
	return append(hosts, "https://runtime."+region+".kiro.dev")
}

// regions returns the account's API region (explicit on the account, else
// in its credentials, else the profile ARN's, else us-east-1) and its auth
// (OIDC) region, which an IdC account may have elsewhere.
func (c *Client) regions(cr Credentials) (api, auth string) {
	api, auth = cr.APIRegion(), cr.OIDCRegion()
	if a, ok := c.account(cr.AccountID); ok && cr.AccountID != "" {
		if a.Region != "" {
			api = a.Region
			if cr.AuthRegion == "" && a.AuthRegion == "" {
				auth = a.Region
			}
		}
		if a.AuthRegion != "" {
			auth = a.AuthRegion
		}
	}
	return api, auth
}

// ChatBases returns the chat bases to try for an account, the one that
// answered last first. An account's own endpoint, or a configured APIBase
// other than the default, is the only candidate: whoever set it meant it.
func (c *Client) ChatBases(cr Credentials) []string {
	region, _ := c.regions(cr)
	up := c.upstream()
	var bases []string
	a, ok := c.account(cr.AccountID)
	ok = ok && cr.AccountID != ""
	if ok && a.APIBase != "" {
		bases = []string{up.URL(a.APIBase, region)}
	} else if up.APIBase != store.DefaultUpstream().APIBase {
		bases = []string{up.URL(up.APIBase, region)}
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
	return bases
}

// remember keeps the base that answered; a change is passed on so it
// can survive a restart.
func (c *Client) remember(cr Credentials, base string) {
	region, _ := c.regions(cr)
	key := c.hostKey(cr, region)
	c.mu.Lock()
	prev := c.worked[key]
	c.worked[key] = base
	c.mu.Unlock()
	if cr.AccountID != "" && prev != base {
		c.onHost(cr.AccountID, base)
	}
}

func (c *Client) hostKey(cr Credentials, region string) string {
	if cr.AccountID != "" {
		return cr.AccountID
	}
	return "region:" + region
}

// HTTPClient is the client an account's calls go through (its proxy).
func (c *Client) HTTPClient(cr Credentials) *http.Client { return c.httpFor(cr.AccountID) }

// doAPI sends a request built for each chat base in turn until one
// resolves and (with fallback404) does not answer 404, and remembers the
// base that answered for the account. The last failure is returned when
// every base fails.
func (c *Client) doAPI(ctx context.Context, cr Credentials, fallback404 bool, build func(base string) (*http.Request, error)) (*http.Response, error) {
	bases := c.ChatBases(cr)
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
			c.remember(cr, base)
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
