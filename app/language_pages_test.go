package app

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/testenv"
)

// The page the browser ends on after a Google or GitHub sign-in speaks the
// app's language, with <html lang> to match: Chinese under zh-CN, English
// otherwise, the language of the moment the sign-in started.
func TestSignInPageSpeaksTheLanguage(t *testing.T) {
	a, rt, _, fake, _ := startOnFake(t)
	_, err := a.SetLanguage("zh-CN")
	require.NoError(t, err)

	fake.EnqueueLogin(fakekiro.FakeAccount{Email: "one@example.com", ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/ONE"})
	sl, err := a.StartSocialLogin("google", "工作")
	require.NoError(t, err)
	code, page := testenv.Browse(t, sl.LoginURL)
	assert.Equal(t, http.StatusOK, code, page)
	assert.Contains(t, page, `<html lang="zh-CN">`)
	assert.Contains(t, page, "<title>Kirodesk · 登录成功</title>")
	assert.Contains(t, page, "<h1>登录成功</h1>")
	assert.Contains(t, page, "<p>Kirodesk 已登录账号 工作。现在可以关闭此标签页。</p>")
	assert.NotContains(t, page, "Signed in")
	require.Eventually(t, func() bool { return len(rt.loginEvents()) == 1 }, 10*time.Second, 20*time.Millisecond)

	// A callback that is not this sign-in's: the failure page, in Chinese,
	// the reason as the code says it.
	sl, err = a.StartSocialLogin("github", "")
	require.NoError(t, err)
	lu, err := url.Parse(sl.LoginURL)
	require.NoError(t, err)
	code, page = testenv.Browse(t, lu.Query().Get("redirect_uri")+"?code=x&state=not-this-one")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, page, `<html lang="zh-CN">`)
	assert.Contains(t, page, "<h1>登录失败</h1>")
	assert.Contains(t, page, "<p>Kirodesk 未能完成登录：</p><p>this sign-in answer does not belong")
	require.NoError(t, a.CancelLogin(sl.FlowID))

	// English once the setting says so.
	_, err = a.SetLanguage("en")
	require.NoError(t, err)
	fake.EnqueueLogin(fakekiro.FakeAccount{Email: "two@example.com", ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/TWO"})
	sl, err = a.StartSocialLogin("google", "Home")
	require.NoError(t, err)
	code, page = testenv.Browse(t, sl.LoginURL)
	assert.Equal(t, http.StatusOK, code, page)
	assert.Contains(t, page, `<html lang="en">`)
	assert.Contains(t, page, "<h1>Signed in</h1>")
	assert.Contains(t, page, "<p>Kirodesk signed in Home. You can close this tab.</p>")
	assert.NotContains(t, page, "登录")
}
