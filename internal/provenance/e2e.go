package provenance

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

var (
	// execAlias finds `const run = promisify(execFile)`: run is then a
	// program call too.
	execAlias = regexp.MustCompile(`\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*promisify\(\s*(?:execFile|exec)\s*\)`)
	// executablePath is where playwright is told to find the browser.
	executablePath = regexp.MustCompile(`executablePath:[^\n]*?['"](/[^'"]+)['"]`)
	// provenanceNote names the programs of a command line made at run time:
	// `// provenance: curl (why)`.
	provenanceNote = regexp.MustCompile(`//\s*provenance:\s*([\w.+-]+(?:\s*,\s*[\w.+-]+)*)`)
)

// E2EUses reads the programs the browser tests (TypeScript under dir)
// start: a literal program given to child_process' execFile, spawn (and
// their Sync forms) or a promisify(execFile) alias, and the browser's
// executablePath. A shell run on a command line made at run time (`run('sh',
// ['-c', text])`) hides its programs, so a file doing that must name them
// in a `// provenance: prog, prog` comment; one without it is an error.
func E2EUses(root, dir string) ([]Use, error) {
	files, err := filepath.Glob(filepath.Join(root, dir, "*.ts"))
	if err != nil {
		return nil, err
	}
	found := uses{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(root, f)
		src := string(b)
		names := []string{"execFile", "execFileSync", "spawn", "spawnSync"}
		for _, m := range execAlias.FindAllStringSubmatch(src, -1) {
			names = append(names, regexp.QuoteMeta(m[1]))
		}
		call := regexp.MustCompile(`\b(?:` + strings.Join(names, "|") + `)\(\s*['"]([^'"]+)['"]\s*(?:,\s*\[\s*['"]-c['"]\s*,\s*([^'"\s\]][^\],]*))?`)
		var hidden []string
		for _, m := range call.FindAllStringSubmatchIndex(src, -1) {
			prog := src[m[2]:m[3]]
			line := strings.Count(src[:m[0]], "\n") + 1
			where := fmt.Sprintf("%s:%d", rel, line)
			if !strings.Contains(prog, "/") {
				found.add(prog, where)
			}
			if m[4] >= 0 { // a shell given a command that is not a literal
				hidden = append(hidden, where)
			}
		}
		for _, m := range executablePath.FindAllStringSubmatchIndex(src, -1) {
			found.add(src[m[2]:m[3]], fmt.Sprintf("%s:%d", rel, strings.Count(src[:m[0]], "\n")+1))
		}
		notes := provenanceNote.FindAllStringSubmatch(src, -1)
		if len(hidden) > 0 && len(notes) == 0 {
			return nil, fmt.Errorf("%s runs a shell on a command made at run time: name its programs in a `// provenance: prog` comment",
				strings.Join(hidden, ", "))
		}
		for _, n := range notes {
			for _, p := range strings.Split(n[1], ",") {
				found.add(strings.TrimSpace(p), rel+" (provenance comment)")
			}
		}
	}
	return found.list(), nil
}
