package i18n

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/locale"
)

// The app side's catalog is complete: every ID in both languages, with the
// same template variables.
func TestAppCatalogIsComplete(t *testing.T) {
	assert.Empty(t, Check(AppFiles()))
	en, err := IDs(AppFiles(), locale.English)
	require.NoError(t, err)
	zh, err := IDs(AppFiles(), locale.Chinese)
	require.NoError(t, err)
	assert.NotEmpty(t, en)
	assert.Equal(t, en, zh)
}

// Check fails on each way a catalog can be incomplete; an empty answer on the
// real files proves something only if it can be non-empty.
func TestCheckFindsWhatIsWrong(t *testing.T) {
	good := `{"A": "Hello {{.Name}}", "B": {"description": "d", "one": "{{.Count}} file", "other": "{{.Count}} files"}}`
	goodZh := `{"A": "你好 {{.Name}}", "B": {"other": "{{.Count}} 个文件"}}`
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  []string
	}{
		{"complete", fstest.MapFS{"active.en.json": {Data: []byte(good)}, "active.zh-CN.json": {Data: []byte(goodZh)}}, nil},
		{"missing ID", fstest.MapFS{"active.en.json": {Data: []byte(good)}, "active.zh-CN.json": {Data: []byte(`{"A": "你好 {{.Name}}"}`)}},
			[]string{"active.zh-CN.json: B is missing"}},
		{"extra ID", fstest.MapFS{"active.en.json": {Data: []byte(good)}, "active.zh-CN.json": {Data: []byte(`{"A": "你好 {{.Name}}", "B": "{{.Count}} 个", "C": "多余"}`)}},
			[]string{"active.zh-CN.json: C is not in active.en.json"}},
		{"other variable", fstest.MapFS{"active.en.json": {Data: []byte(good)}, "active.zh-CN.json": {Data: []byte(`{"A": "你好 {{.User}}", "B": "{{.Count}} 个"}`)}},
			[]string{"active.zh-CN.json: A (other) uses [User], English uses [Name]"}},
		{"variable dropped in a plural form", fstest.MapFS{"active.en.json": {Data: []byte(`{"B": {"one": "a file", "other": "{{.Count}} files"}}`)}, "active.zh-CN.json": {Data: []byte(`{"B": "{{.Count}} 个"}`)}},
			[]string{"active.en.json: B (one) uses [], English uses [Count]"}},
		{"no other form", fstest.MapFS{"active.en.json": {Data: []byte(good)}, "active.zh-CN.json": {Data: []byte(`{"A": "你好 {{.Name}}", "B": {"one": "{{.Count}}"}}`)}},
			[]string{"active.zh-CN.json: B has no \"other\" form"}},
		{"missing file", fstest.MapFS{"active.en.json": {Data: []byte(good)}},
			[]string{"active.zh-CN.json is missing"}},
		{"foreign language", fstest.MapFS{"active.en.json": {Data: []byte(good)}, "active.zh-CN.json": {Data: []byte(goodZh)}, "active.fr.json": {Data: []byte(`{}`)}},
			[]string{"active.fr.json: fr is not one of Kirodesk's languages"}},
		{"unknown member", fstest.MapFS{"active.en.json": {Data: []byte(good)}, "active.zh-CN.json": {Data: []byte(`{"A": {"other": "x {{.Name}}", "tooltip": "?"}, "B": "{{.Count}}"}`)}},
			[]string{"active.zh-CN.json: A: unknown member \"tooltip\""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Check(tc.files))
		})
	}
}

func TestLookupAndPlurals(t *testing.T) {
	c, err := Load(fstest.MapFS{
		"active.en.json":    {Data: []byte(`{"A": "Hello {{.Name}}", "B": {"one": "{{.Count}} file", "other": "{{.Count}} files"}}`)},
		"active.zh-CN.json": {Data: []byte(`{"A": "你好 {{.Name}}", "B": "{{.Count}} 个文件"}`)},
	})
	require.NoError(t, err)
	assert.Equal(t, "Hello Ann", c.T(locale.English, "A", "Name", "Ann"))
	assert.Equal(t, "你好 Ann", c.T(locale.Chinese, "A", "Name", "Ann"))
	assert.Equal(t, "1 file", c.N(locale.English, "B", 1))
	assert.Equal(t, "2 files", c.N(locale.English, "B", 2))
	assert.Equal(t, "1 个文件", c.N(locale.Chinese, "B", 1))
	assert.Equal(t, "Hello Ann", c.T("fr", "A", "Name", "Ann"), "an unknown language is English")
	assert.Equal(t, "Nope", c.T(locale.Chinese, "Nope"), "a missing ID shows as itself")

	_, err = Load(fstest.MapFS{"active.en.json": {Data: []byte(`{}`)}})
	assert.ErrorContains(t, err, "active.zh-CN.json")
}

func TestAppCatalogSpeaksBoth(t *testing.T) {
	assert.Equal(t, "Kirodesk: sign in again", App.T(locale.English, "NotifySignInAgainTitle"))
	assert.Equal(t, "Kirodesk：需要重新登录", App.T(locale.Chinese, "NotifySignInAgainTitle"))
	assert.Equal(t, "Work 的额度已用 93%。", App.T(locale.Chinese, "NotifyQuotaBody", "Account", "Work", "Percent", 93))
}
