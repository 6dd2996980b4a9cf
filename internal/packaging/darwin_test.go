package packaging

import (
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// root is the repository, from this package's folder.
const root = "../.."

// The macOS bundle cannot be built here (build/darwin/README.md), but its
// templates can be read: they must be well-formed property lists that say
// what the README says.

// plistDict reads the top-level <dict> of a property list into key ->
// value, where a value is its element name ("string", "true", "array", ...)
// and its text ("" for <true/>), and an array is its strings joined by "\n".
func plistDict(t *testing.T, path string) map[string][2]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	dec := xml.NewDecoder(f)
	dec.Strict = true
	out := map[string][2]string{}
	depth, key := 0, ""
	var inArray []string
	arrayOpen := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "%s is well-formed XML", path)
		switch el := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case el.Name.Local == "key" && depth == 3:
				var k string
				require.NoError(t, dec.DecodeElement(&k, &el))
				key = k
				depth--
			case el.Name.Local == "array" && depth == 3:
				arrayOpen, inArray = true, nil
			case el.Name.Local == "string" && arrayOpen:
				var s string
				require.NoError(t, dec.DecodeElement(&s, &el))
				inArray = append(inArray, s)
				depth--
			case depth == 3 && key != "":
				var s string
				require.NoError(t, dec.DecodeElement(&s, &el))
				out[key] = [2]string{el.Name.Local, s}
				key = ""
				depth--
			}
		case xml.EndElement:
			if el.Name.Local == "array" && arrayOpen {
				out[key] = [2]string{"array", strings.Join(inArray, "\n")}
				arrayOpen, key = false, ""
			}
			depth--
		}
	}
	return out
}

func TestDarwinInfoPlist(t *testing.T) {
	d := plistDict(t, filepath.Join(root, "build/darwin/Info.plist"))
	assert.Equal(t, [2]string{"string", "kirodesk"}, d["CFBundleExecutable"], "the app, not the tray, is the bundle's executable")
	assert.Equal(t, [2]string{"true", ""}, d["LSUIElement"], "no Dock icon for the tray process (or the app)")
	assert.Equal(t, [2]string{"string", "dev.kirodesk"}, d["CFBundleIdentifier"])
	assert.Equal(t, [2]string{"string", "@VERSION@"}, d["CFBundleShortVersionString"], "make-app.sh fills in VERSION")
	assert.Equal(t, [2]string{"string", "kirodesk"}, d["CFBundleIconFile"])
}

func TestDarwinLaunchAgent(t *testing.T) {
	d := plistDict(t, filepath.Join(root, "build/darwin/dev.kirodesk.plist"))
	// The label and arguments internal/autostart/autostart_darwin.go writes.
	assert.Equal(t, [2]string{"string", "dev.kirodesk"}, d["Label"])
	assert.Equal(t, [2]string{"array", "/Applications/Kirodesk.app/Contents/MacOS/kirodesk\n--hidden"}, d["ProgramArguments"])
	assert.Equal(t, [2]string{"true", ""}, d["RunAtLoad"])
	src, err := os.ReadFile(filepath.Join(root, "internal/autostart/autostart_darwin.go"))
	require.NoError(t, err)
	for _, s := range []string{"<key>Label</key>", "<string>dev.` + m.name() + `</string>", "<key>RunAtLoad</key>", `"Library", "LaunchAgents", "dev."+m.name()+".plist"`} {
		assert.Contains(t, string(src), s, "the template follows what the app writes")
	}
}

func TestDesktopEntryRunsTheAppWithItsIcon(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "build/linux/kirodesk.desktop"))
	require.NoError(t, err)
	entry := string(b)
	for _, line := range []string{"[Desktop Entry]", "Type=Application", "Name=Kirodesk", "Exec=kirodesk",
		"Icon=kirodesk", "Terminal=false", "StartupWMClass=kirodesk"} {
		assert.Contains(t, strings.Split(entry, "\n"), line)
	}
}
