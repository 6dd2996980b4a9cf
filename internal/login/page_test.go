package login

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCallbackPageEscapesAndNamesItsLanguage(t *testing.T) {
	w := httptest.NewRecorder()
	page(w, http.StatusBadRequest, "zh-CN", "登录失败", "Kirodesk 未能完成登录：", `bad <script>alert(1)</script> & "quotes"`)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"))
	assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	body := w.Body.String()
	assert.Contains(t, body, `<!doctype html><html lang="zh-CN">`)
	assert.Contains(t, body, "<title>Kirodesk · 登录失败</title>")
	assert.Contains(t, body, "<p>Kirodesk 未能完成登录：</p><p>bad &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;</p>")
	assert.NotContains(t, body, "<script>")

	w = httptest.NewRecorder()
	page(w, http.StatusOK, `en"><script>`, "t")
	assert.Contains(t, w.Body.String(), `<html lang="en&#34;&gt;&lt;script&gt;">`, "even the language is escaped")
}

// Without a wording from the caller (the CLI) the page is English.
func TestEnglishPageIsTheDefault(t *testing.T) {
	p := EnglishPage()
	assert.Equal(t, "en", p.Lang)
	assert.Equal(t, "Kirodesk signed in Work. You can close this tab.", p.SignedIn("Work"))
	assert.Equal(t, "Sign-in failed", p.FailedTitle)
}

// SocialOptions cross the control socket as JSON; the page's wording (it
// holds a function) stays behind.
func TestSocialOptionsStillEncode(t *testing.T) {
	b, err := json.Marshal(SocialOptions{Provider: "google", Page: EnglishPage()})
	require.NoError(t, err)
	assert.NotContains(t, string(b), "Page")
}
