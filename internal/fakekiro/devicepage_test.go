package fakekiro

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDeviceFlowWaitsForTheVerificationPage(t *testing.T) {
	s := newServer(t, Options{})
	id, secret := registerClient(t, s)
	s.EnqueueDeviceFlow(DeviceFlow{AwaitApproval: true})
	da := decodeJSON(t, post(t, s, context.Background(), PathDeviceAuth, "", `{"clientId":"`+id+`","clientSecret":"`+secret+`","startUrl":"https://view.awsapps.com/start"}`))
	code, user := da["deviceCode"].(string), da["userCode"].(string)
	poll := func() (int, map[string]any) {
		s.forgetLastPoll(code)
		resp := post(t, s, context.Background(), PathToken, "", `{"clientId":"`+id+`","clientSecret":"`+secret+`","deviceCode":"`+code+`","grantType":"urn:ietf:params:oauth:grant-type:device_code"}`)
		return resp.StatusCode, decodeJSON(t, resp)
	}
	for range 3 {
		st, m := poll()
		assert.Equal(t, 400, st)
		assert.Equal(t, PollPending, m["error"], "not approved yet")
	}

	wrong, err := http.PostForm(s.URL+PathDevice, url.Values{"user_code": {"NOPE-NOPE"}})
	require.NoError(t, err)
	wrong.Body.Close()
	assert.Equal(t, http.StatusNotFound, wrong.StatusCode)

	ok, err := http.PostForm(s.URL+PathDevice, url.Values{"user_code": {strings.ToLower(user)}})
	require.NoError(t, err)
	ok.Body.Close()
	assert.Equal(t, http.StatusOK, ok.StatusCode)
	st, m := poll()
	require.Equal(t, 200, st, "%v", m)
	assert.NotEmpty(t, m["accessToken"])
	assert.False(t, s.ApproveDevice(user), "a finished authorization cannot be approved again")
}
