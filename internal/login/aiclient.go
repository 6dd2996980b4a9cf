package login

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"kirodesk/internal/kiro"
	"kirodesk/internal/store"
	"kirodesk/internal/uitext"
)

// Import outcomes.
const (
	Imported = "imported"
	Skipped  = "skipped"
	Failed   = "failed"
)

// ImportReport says, per account found, what the old proxy import did.
type ImportReport struct {
	Dir      string         `json:"dir"` // the configs/ folder read
	Accounts []ImportResult `json:"accounts"`
	// OtherProviders are provider types in provider_pools.json that are not
	// Kiro, with their node counts; they are not imported.
	OtherProviders map[string]int `json:"otherProviders,omitempty"`
	// OtherFiles are files of the proxy's recognised and left alone.
	OtherFiles []string `json:"otherFiles,omitempty"`
	// PlaintextFiles are the credential files read whose accounts are now in
	// the keychain (imported, or already there): the ones that may be
	// deleted. Files of failed accounts are never in it.
	PlaintextFiles []string `json:"plaintextFiles,omitempty"`
	// Notes are things to tell the person (e.g. credentials embedded in
	// provider_pools.json, which is not deleted).
	Notes []string `json:"notes,omitempty"`
	// NoteTexts are the Notes with their codes, for the window.
	NoteTexts []uitext.Text `json:"noteTexts,omitempty"`
}

// ImportResult is one Kiro node of provider_pools.json.
type ImportResult struct {
	Name    string `json:"name"`   // customName, else the node's uuid
	Group   string `json:"group"`  // the provider type key, e.g. claude-kiro-oauth
	Source  string `json:"source"` // the credential file, or "base64 in provider_pools.json"
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
	// ReasonText is Reason with its code, for the window.
	ReasonText uitext.Text `json:"reasonText,omitzero"`
	AccountID  string      `json:"accountId,omitempty"` // imported: the new account; skipped: the existing one
	Label      string      `json:"label,omitempty"`
	Disabled   bool        `json:"disabled,omitempty"`
}

// Counts returns how many accounts had each outcome.
func (r ImportReport) Counts() (imported, skipped, failed int) {
	for _, a := range r.Accounts {
		switch a.Outcome {
		case Imported:
			imported++
		case Skipped:
			skipped++
		default:
			failed++
		}
	}
	return
}

const kiroGroup = "claude-kiro-oauth"

// otherProxyFiles are the old proxy's files in configs/ that hold no
// account but are worth naming (old-proxy-files.md).
var otherProxyFiles = []string{"config.json", "pwd", "token-store.json", "usage-cache.json", "custom_models.json", "plugins.json", "input_system_prompt.txt"}

type proxyNode struct {
	UUID       string `json:"uuid"`
	CustomName string `json:"customName"`
	CredsFile  string `json:"KIRO_OAUTH_CREDS_FILE_PATH"`
	CredsB64   string `json:"KIRO_OAUTH_CREDS_BASE64"`
	IsDisabled bool   `json:"isDisabled"`
}

// ImportAIClient imports the Kiro accounts of the old Node.js proxy from its
// configs/ folder (dir may also be the proxy's own folder, holding configs/).
func (s *Service) ImportAIClient(ctx context.Context, dir string) (ImportReport, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ImportReport{}, err
	}
	if _, err := os.Stat(filepath.Join(dir, "provider_pools.json")); err != nil {
		if _, err2 := os.Stat(filepath.Join(dir, "configs", "provider_pools.json")); err2 == nil {
			dir = filepath.Join(dir, "configs")
		} else {
			return ImportReport{}, fmt.Errorf("no provider_pools.json in %s: give the old proxy's configs folder", dir)
		}
	}
	rep := ImportReport{Dir: dir, OtherProviders: map[string]int{}}
	b, err := os.ReadFile(filepath.Join(dir, "provider_pools.json"))
	if err != nil {
		return rep, err
	}
	var groups map[string]json.RawMessage
	if err := json.Unmarshal(b, &groups); err != nil {
		return rep, fmt.Errorf("%s is not valid JSON: repair it or restore it from a backup", filepath.Join(dir, "provider_pools.json"))
	}
	embedded := false
	known := tokenCache{}
	for _, g := range slices.Sorted(maps.Keys(groups)) {
		var nodes []json.RawMessage
		_ = json.Unmarshal(groups[g], &nodes)
		if !strings.HasPrefix(g, kiroGroup) {
			rep.OtherProviders[g] = len(nodes)
			continue
		}
		for i, raw := range nodes {
			var n proxyNode
			if err := json.Unmarshal(raw, &n); err != nil {
				why := msgImportNotKiroEntry.With()
				rep.Accounts = append(rep.Accounts, ImportResult{Name: fmt.Sprintf("%s[%d]", g, i), Group: g, Outcome: Failed,
					Reason: why.Text, ReasonText: why})
				continue
			}
			res, files := s.importNode(ctx, known, dir, g, n)
			if n.CredsFile == "" && n.CredsB64 != "" && res.Outcome != Failed {
				embedded = true
			}
			if res.Outcome != Failed {
				rep.PlaintextFiles = append(rep.PlaintextFiles, files...)
			}
			rep.Accounts = append(rep.Accounts, res)
		}
	}
	if len(rep.OtherProviders) == 0 {
		rep.OtherProviders = nil
	}
	for _, name := range otherProxyFiles {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			rep.OtherFiles = append(rep.OtherFiles, name)
		}
	}
	rep.PlaintextFiles = uniqueSorted(rep.PlaintextFiles)
	if embedded {
		note := msgImportEmbedded.With()
		rep.Notes = append(rep.Notes, note.Text)
		rep.NoteTexts = append(rep.NoteTexts, note)
	}
	im, sk, fa := rep.Counts()
	s.log.Info("old proxy import", "imported", im, "skipped", sk, "failed", fa)
	return rep, nil
}

// importNode imports one node and returns the credential files it read.
func (s *Service) importNode(ctx context.Context, known tokenCache, dir, group string, n proxyNode) (ImportResult, []string) {
	res := ImportResult{Name: firstNonEmpty(n.CustomName, n.UUID, "(unnamed)"), Group: group, Disabled: n.IsDisabled}
	reason := func(t uitext.Text) { res.Reason, res.ReasonText = t.Text, t }
	fail := func(t uitext.Text) (ImportResult, []string) {
		res.Outcome = Failed
		reason(t)
		return res, nil
	}
	var c kiro.Credentials
	var files []string
	switch {
	case n.CredsFile != "":
		path, ok := resolveProxyPath(dir, n.CredsFile)
		res.Source = path
		if !ok {
			return fail(msgImportNoCredsFile.With("file", n.CredsFile))
		}
		var mixed string
		var salvaged bool
		var err error
		c, files, salvaged, mixed, err = readMerged(path)
		if err != nil {
			return fail(uitext.Plain(err.Error()))
		}
		if mixed != "" {
			reason(msgImportMixed.With("files", mixed))
		}
		if salvaged {
			// Only a refresh proves that what was read from a damaged file is whole.
			if s.opts.Refresher == nil {
				return fail(msgImportDamaged.With("file", filepath.Base(path)))
			}
			// A duplicate must not be refreshed: that would rotate the token
			// under the account that already holds it.
			s.addMu.Lock()
			dup, err := s.findDuplicate(ctx, known, c.RefreshToken, "")
			s.addMu.Unlock()
			if err != nil {
				return fail(uitext.Plain(err.Error()))
			}
			if dup != nil {
				res.Outcome, res.AccountID, res.Label = Skipped, dup.ID, dup.Label
				reason(msgImportDuplicate.With("label", dup.Label))
				return res, files
			}
			fresh, err := s.opts.Refresher.Refresh(ctx, c)
			if err != nil {
				return fail(msgImportRefused.With("file", filepath.Base(path), "error", err.Error()))
			}
			c = fresh
			if mixed != "" {
				reason(msgImportMixedSalvage.With("files", mixed))
			} else {
				reason(msgImportSalvaged.With())
			}
		}
	case n.CredsB64 != "":
		res.Source = "base64 in provider_pools.json"
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(n.CredsB64))
		if err != nil {
			return fail(msgImportBadBase64.With())
		}
		if c, _, err = kiro.ParseCredentialJSON(raw); err != nil {
			return fail(msgImportBase64Creds.With("error", err.Error()))
		}
	default:
		return fail(msgImportNoCreds.With())
	}
	if c.AuthMethod != store.AuthSocial && !c.IsOIDC() {
		return fail(msgImportNoClient.With("method", c.AuthMethod))
	}
	acct, err := s.saveWith(ctx, known, c, store.Account{Label: n.CustomName, Disabled: n.IsDisabled})
	res.AccountID, res.Label = acct.ID, acct.Label
	switch {
	case errors.Is(err, ErrDuplicate):
		res.Outcome = Skipped
		reason(msgImportDuplicate.With("label", acct.Label))
	case err != nil:
		return fail(msgImportSaving.With("error", err.Error()))
	default:
		res.Outcome = Imported
	}
	return res, files
}

// resolveProxyPath finds a path written relative to the proxy's working
// folder (the parent of configs/), or to configs/ itself.
func resolveProxyPath(configs, p string) (string, bool) {
	p = filepath.FromSlash(p)
	var candidates []string
	if filepath.IsAbs(p) {
		candidates = []string{p}
	} else {
		candidates = []string{filepath.Join(filepath.Dir(configs), p), filepath.Join(configs, p)}
		if rest, ok := strings.CutPrefix(filepath.ToSlash(filepath.Clean(p)), "configs/"); ok {
			candidates = append(candidates, filepath.Join(configs, filepath.FromSlash(rest)))
		}
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() {
			return c, true
		}
	}
	return candidates[0], false
}

var refreshTokenField = regexp.MustCompile(`"refreshToken"\s*:\s*"`)

// readMerged reads a credential file the way the old proxy does: the named
// file, then every other *.json in its folder merged over it (all fields but
// expiresAt). A sibling holding a refresh token of its own is another
// account's file: it is not merged, and its name is returned (comma-joined)
// for the reason to name.
func readMerged(path string) (kiro.Credentials, []string, bool, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return kiro.Credentials{}, nil, false, "", fmt.Errorf("reading %s: %w", path, err)
	}
	var base map[string]any
	salvaged := false
	if err := json.Unmarshal(b, &base); err != nil {
		if _, _, perr := kiro.ParseCredentialJSON(b); perr != nil {
			err = perr
		}
		base = salvage(b)
		if rt, _ := base["refreshToken"].(string); rt == "" {
			return kiro.Credentials{}, nil, false, "", fmt.Errorf("%s is damaged (%s) and no complete refresh token could be read from it: log in to this account again", filepath.Base(path), err)
		}
		salvaged = true
	}
	files := []string{path}
	var mixed []string
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		sib := filepath.Join(filepath.Dir(path), e.Name())
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") || sib == path {
			continue
		}
		sb, err := os.ReadFile(sib)
		if err != nil {
			continue
		}
		var m map[string]any
		if json.Unmarshal(sb, &m) != nil {
			if refreshTokenField.Match(sb) {
				mixed = append(mixed, e.Name())
			}
			continue
		}
		if rt, _ := m["refreshToken"].(string); rt != "" {
			mixed = append(mixed, e.Name())
			continue
		}
		for k, v := range m {
			if k != "expiresAt" {
				base[k] = v
			}
		}
		files = append(files, sib)
	}
	merged, _ := json.Marshal(base)
	c, _, err := kiro.ParseCredentialJSON(merged)
	if err != nil {
		return kiro.Credentials{}, nil, false, "", fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return c, files, salvaged, strings.Join(mixed, ", "), nil
}

// stringField is one complete "key": "value" pair; a value cut off by a
// torn write has no closing quote and does not match.
var stringField = regexp.MustCompile(`"([A-Za-z]+)"\s*:\s*"((?:[^"\\]|\\.)*)"`)

// salvage reads the complete string fields of a damaged credential file, as
// the old proxy's lenient repair would, but keeps only what is whole.
func salvage(b []byte) map[string]any {
	m := map[string]any{}
	for _, f := range stringField.FindAllSubmatch(b, -1) {
		var v string
		if json.Unmarshal(append(append([]byte{'"'}, f[2]...), '"'), &v) == nil {
			if _, seen := m[string(f[1])]; !seen {
				m[string(f[1])] = v
			}
		}
	}
	return m
}

func uniqueSorted(s []string) []string {
	sort.Strings(s)
	return slices.Compact(s)
}

// DeletePlaintext deletes the credential files an import listed, once the
// person said yes. It only deletes regular *.json files inside the report's
// folder, and returns the ones it deleted.
func (s *Service) DeletePlaintext(report ImportReport) ([]string, error) {
	if report.Dir == "" {
		return nil, errors.New("the report names no folder")
	}
	root := filepath.Clean(report.Dir) + string(filepath.Separator)
	var deleted []string
	var errs []error
	for _, f := range report.PlaintextFiles {
		f = filepath.Clean(f)
		if !strings.HasPrefix(f, root) || !strings.HasSuffix(f, ".json") {
			errs = append(errs, fmt.Errorf("%s is not a credential file inside %s: left alone", f, report.Dir))
			continue
		}
		st, err := os.Lstat(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil || !st.Mode().IsRegular() {
			errs = append(errs, fmt.Errorf("%s is not a regular file: left alone", f))
			continue
		}
		if err := os.Remove(f); err != nil {
			errs = append(errs, err)
			continue
		}
		deleted = append(deleted, f)
	}
	s.log.Info("old proxy credential files deleted", "count", len(deleted))
	return deleted, errors.Join(errs...)
}
