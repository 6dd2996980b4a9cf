package provenance

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// NpmScriptUses reads the programs a package.json's scripts run, leaving
// out those its package-lock.json provides (a locked package's bin, put in
// node_modules/.bin by `npm ci` in scripts/deps.sh). A folder without a
// package.json has none.
func NpmScriptUses(dir, where string) ([]Use, error) {
	var pkg struct {
		Scripts map[string]string `json:"scripts"`
	}
	if err := readJSON(filepath.Join(dir, "package.json"), &pkg); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var lock struct {
		Packages map[string]struct {
			Bin map[string]string `json:"bin"`
		} `json:"packages"`
	}
	if err := readJSON(filepath.Join(dir, "package-lock.json"), &lock); err != nil {
		return nil, err
	}
	bins := map[string]bool{}
	for _, p := range lock.Packages {
		for b := range p.Bin {
			bins[b] = true
		}
	}
	found := uses{}
	for name, script := range pkg.Scripts {
		for _, u := range ShellUses(where, script) {
			if !bins[u.Program] {
				found.add(u.Program, where+" ("+name+")")
			}
		}
	}
	return found.list(), nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
