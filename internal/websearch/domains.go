package websearch

import (
	"encoding/json"
	"net/url"
	"strings"

	"kirodesk/internal/kiro"
)

// domains is a declaration's allowed_domains / blocked_domains (Anthropic's
// web search options; OpenAI's Responses web_search has allowed_domains
// under filters). Kiro's search takes only a query, so the lists are
// applied to its results: a domain matches itself and its subdomains.
type domains struct {
	Allowed []string `json:"allowed_domains"`
	Blocked []string `json:"blocked_domains"`
	Filters *struct {
		Allowed []string `json:"allowed_domains"`
	} `json:"filters"`
}

func domainsOf(config json.RawMessage) domains {
	var d domains
	_ = json.Unmarshal(config, &d) // a declaration without the lists filters nothing
	if d.Filters != nil {
		d.Allowed = append(d.Allowed, d.Filters.Allowed...)
	}
	for _, l := range []*[]string{&d.Allowed, &d.Blocked} {
		for i, s := range *l {
			s = strings.ToLower(strings.TrimSpace(s))
			s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
			s, _, _ = strings.Cut(s, "/")
			(*l)[i] = strings.TrimPrefix(s, "www.")
		}
	}
	return d
}

func (d domains) filter(hits []kiro.SearchResult) []kiro.SearchResult {
	if len(d.Allowed) == 0 && len(d.Blocked) == 0 {
		return hits
	}
	var out []kiro.SearchResult
	for _, h := range hits {
		u, err := url.Parse(h.URL)
		if err != nil {
			continue
		}
		host := strings.ToLower(u.Hostname())
		if (len(d.Allowed) == 0 || matches(host, d.Allowed)) && !matches(host, d.Blocked) {
			out = append(out, h)
		}
	}
	return out
}

func matches(host string, list []string) bool {
	for _, d := range list {
		if d != "" && (host == d || strings.HasSuffix(host, "."+d)) {
			return true
		}
	}
	return false
}
