package locale

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePreference(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Preference
	}{
		{"", PreferSystem},
		{"system", PreferSystem},
		{"en", PreferEnglish},
		{"zh-CN", PreferChinese},
	} {
		got, err := ParsePreference(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for _, bad := range []string{"fr", "zh", "zh-cn", "EN", "System", " en", "zh_CN"} {
		_, err := ParsePreference(bad)
		assert.EqualError(t, err, `language "`+bad+`" is not system, en or zh-CN`)
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want Lang
	}{
		{[]string{"zh"}, Chinese},
		{[]string{"zh_CN.UTF-8"}, Chinese},
		{[]string{"zh_CN.GB18030"}, Chinese},
		{[]string{"zh-CN"}, Chinese},
		{[]string{"zh-Hans"}, Chinese},
		{[]string{"zh-Hans-CN"}, Chinese},
		{[]string{"zh_SG"}, Chinese},
		{[]string{"zh-SG"}, Chinese},
		// Traditional Chinese: Simplified rather than English (see Match).
		{[]string{"zh-TW"}, Chinese},
		{[]string{"zh_TW.UTF-8"}, Chinese},
		{[]string{"zh-Hant"}, Chinese},
		{[]string{"zh-HK"}, Chinese},
		{[]string{"en"}, English},
		{[]string{"en_US.UTF-8"}, English},
		{[]string{"en_GB.UTF-8@euro"}, English},
		{[]string{"fr_FR.UTF-8"}, English},
		{[]string{"ja-JP"}, English},
		{[]string{"de_CH"}, English},
		{[]string{"yue"}, English},
		{[]string{"C"}, English},
		{[]string{"C.UTF-8"}, English},
		{[]string{"POSIX"}, English},
		{[]string{"not a locale!"}, English},
		{[]string{""}, English},
		{nil, English},
		// A list (Windows, macOS): the first that matches wins.
		{[]string{"fr-FR", "zh-Hans-CN", "en-US"}, Chinese},
		{[]string{"en-US", "zh-Hans-CN"}, English},
		{[]string{"garbage!!", "zh-CN"}, Chinese},
	} {
		assert.Equal(t, tc.want, Match(tc.in...), "%q", tc.in)
	}
}

func TestEffective(t *testing.T) {
	for _, tc := range []struct {
		pref   Preference
		system []string
		want   Lang
	}{
		{PreferSystem, []string{"zh_CN.UTF-8"}, Chinese},
		{PreferSystem, []string{"en_US.UTF-8"}, English},
		{PreferSystem, nil, English},
		{PreferEnglish, []string{"zh_CN.UTF-8"}, English},
		{PreferChinese, []string{"en_US.UTF-8"}, Chinese},
		{PreferChinese, nil, Chinese},
	} {
		assert.Equal(t, tc.want, Effective(tc.pref, tc.system), "%s %q", tc.pref, tc.system)
	}
}

func TestEnvPrecedence(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"nothing set", map[string]string{}, nil},
		{"LANG only", map[string]string{"LANG": "zh_CN.UTF-8"}, []string{"zh_CN.UTF-8"}},
		{"LC_MESSAGES beats LANG", map[string]string{"LC_MESSAGES": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, []string{"en_US.UTF-8"}},
		{"LC_ALL beats both", map[string]string{"LC_ALL": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8", "LANG": "en_US.UTF-8"}, []string{"zh_CN.UTF-8"}},
		{"LC_ALL=C is passed over", map[string]string{"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, []string{"zh_CN.UTF-8"}},
		{"C.UTF-8 and POSIX too", map[string]string{"LC_ALL": "C.UTF-8", "LC_MESSAGES": "POSIX", "LANG": "zh_SG.UTF-8"}, []string{"zh_SG.UTF-8"}},
		{"empty is unset", map[string]string{"LC_ALL": "", "LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, []string{"zh_CN.UTF-8"}},
		{"only C", map[string]string{"LANG": "C"}, nil},
		{"a foreign language still wins over LANG", map[string]string{"LC_ALL": "fr_FR.UTF-8", "LANG": "zh_CN.UTF-8"}, []string{"fr_FR.UTF-8"}},
		{"LANGUAGE is not read", map[string]string{"LANGUAGE": "zh_CN:en", "LANG": "en_US.UTF-8"}, []string{"en_US.UTF-8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := envLanguage(func(k string) string { return tc.env[k] })
			assert.Equal(t, tc.want, got)
		})
	}
	// The whole chain: a French LC_ALL shows English even with a Chinese LANG.
	env := map[string]string{"LC_ALL": "fr_FR.UTF-8", "LANG": "zh_CN.UTF-8"}
	assert.Equal(t, English, Effective(PreferSystem, envLanguage(func(k string) string { return env[k] })))
}

func TestLangTag(t *testing.T) {
	assert.Equal(t, "en", English.Tag().String())
	assert.Equal(t, "zh-CN", Chinese.Tag().String())
	for _, l := range Langs {
		assert.Equal(t, string(l), l.Tag().String())
	}
}
