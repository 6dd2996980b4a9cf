//go:build !windows

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/accounts"
	"kirodesk/internal/core"
	"kirodesk/internal/fakekiro"
	"kirodesk/internal/kiro"
	"kirodesk/internal/relay"
	"kirodesk/internal/secrets"
	"kirodesk/internal/store"
	"kirodesk/internal/testenv"
)

// kiroEnv is a `kirodesk serve` with one account, talking to an in-process
// fake Kiro, and the official Anthropic SDK pointed at it.
type kiroEnv struct {
	fake   *fakekiro.Server
	serve  *serving
	client anthropic.Client
	key    string
	dir    string // the config folder
}

func startWithAccounts(t *testing.T, n int) *kiroEnv {
	t.Helper()
	testenv.RequireKeychain(t)
	fake := fakekiro.New(fakekiro.Options{CheckHeaders: true})
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	ctx := context.Background()
	sec := secrets.NewKeyring(core.KeychainService(dir, os.Getenv))
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	acc := accounts.New(st.Pool, sec, nil)
	for i := range n {
		fa := fake.AddAccount(fakekiro.FakeAccount{ProfileARN: "arn:aws:codewhisperer:us-east-1:123456789012:profile/P"})
		cr := kiro.Credentials{AccessToken: fa.AccessToken, RefreshToken: fa.RefreshToken, AuthMethod: store.AuthSocial,
			ProfileARN: fa.ProfileARN, ExpiresAt: time.Now().Add(time.Hour)}
		a, err := acc.Add(ctx, store.Account{Label: "e2e " + string(rune('A'+i)), AuthMethod: store.AuthSocial}, cr.Secret())
		require.NoError(t, err)
		t.Cleanup(func() { _ = sec.Delete(context.Background(), accounts.SecretKey(a.ID)) })
	}
	require.NoError(t, st.Close(ctx))

	t.Setenv(store.EnvAPIBase, fake.URL)
	t.Setenv(store.EnvAuthBase, fake.URL)
	t.Setenv(store.EnvOIDCBase, fake.URL)
	s := startServe(t, dir)
	key := apiKeyFor(t, dir)
	client := anthropic.NewClient(option.WithBaseURL(s.url), option.WithAPIKey(key), option.WithMaxRetries(0),
		option.WithRequestTimeout(30*time.Second))
	return &kiroEnv{fake: fake, serve: s, client: client, key: key, dir: dir}
}

func userText(s string) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{Model: "claude-sonnet-4-5-20250929", MaxTokens: 1024,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(s))}}
}

func TestAnthropicSDKPlainAndStreaming(t *testing.T) {
	e := startWithAccounts(t, 1)
	ctx := context.Background()

	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("Bonjour "), fakekiro.Text("à toi"),
		fakekiro.Usage(eventstreamUsage(12, 5))})
	msg, err := e.client.Messages.New(ctx, userText("say hello in French"))
	require.NoError(t, err)
	require.Len(t, msg.Content, 1)
	assert.Equal(t, "Bonjour à toi", msg.Content[0].Text)
	assert.Equal(t, anthropic.StopReasonEndTurn, msg.StopReason)
	assert.EqualValues(t, 12, msg.Usage.InputTokens)
	assert.EqualValues(t, 5, msg.Usage.OutputTokens)
	assert.Equal(t, "claude-sonnet-4-5-20250929", string(msg.Model))

	// The request reached Kiro in its own shape, with the model id mapped.
	chat := e.fake.ChatRequests()
	require.Len(t, chat, 1)
	assert.Contains(t, string(chat[0].Raw), `"modelId":"claude-sonnet-4.5"`)
	assert.Contains(t, string(chat[0].Raw), "say hello in French")

	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("one, "), fakekiro.Delay(20 * time.Millisecond), fakekiro.Text("two, "), fakekiro.Text("three")})
	stream := e.client.Messages.NewStreaming(ctx, userText("count"))
	var acc anthropic.Message
	events := 0
	for stream.Next() {
		require.NoError(t, acc.Accumulate(stream.Current()))
		events++
	}
	require.NoError(t, stream.Err())
	require.Len(t, acc.Content, 1)
	assert.Equal(t, "one, two, three", acc.Content[0].Text)
	assert.Equal(t, anthropic.StopReasonEndTurn, acc.StopReason)
	assert.GreaterOrEqual(t, events, 6, "message_start, block start, deltas, block stop, message_delta, message_stop")
}

func TestAnthropicSDKToolRoundTrip(t *testing.T) {
	e := startWithAccounts(t, 1)
	ctx := context.Background()
	tool := anthropic.ToolParam{Name: "get_weather", Description: anthropic.String("Weather for a city"),
		InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{"city": map[string]any{"type": "string"}}, Required: []string{"city"}}}
	params := userText("weather in Paris?")
	params.Tools = []anthropic.ToolUnionParam{{OfTool: &tool}}

	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("Let me check."), fakekiro.ToolUse("tooluse_1", "get_weather", `{"city":"Paris"}`, 3, true)})
	stream := e.client.Messages.NewStreaming(ctx, params)
	var msg anthropic.Message
	for stream.Next() {
		require.NoError(t, msg.Accumulate(stream.Current()))
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, anthropic.StopReasonToolUse, msg.StopReason)
	require.Len(t, msg.Content, 2)
	assert.Equal(t, "Let me check.", msg.Content[0].Text)
	use := msg.Content[1].AsToolUse()
	assert.Equal(t, "get_weather", use.Name)
	assert.Equal(t, "tooluse_1", use.ID)
	assert.JSONEq(t, `{"city":"Paris"}`, string(use.Input))

	// Send the result back: Kiro must see it paired with the call.
	params.Messages = append(params.Messages, msg.ToParam(),
		anthropic.NewUserMessage(anthropic.NewToolResultBlock(use.ID, "18°C and sunny", false)))
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("It is 18°C and sunny in Paris.")})
	final, err := e.client.Messages.New(ctx, params)
	require.NoError(t, err)
	assert.Equal(t, "It is 18°C and sunny in Paris.", final.Content[0].Text)
	chat := e.fake.ChatRequests()
	raw := string(chat[len(chat)-1].Raw)
	assert.Contains(t, raw, `"toolResults"`)
	assert.Contains(t, raw, `"toolUseId":"tooluse_1"`)
	assert.Contains(t, raw, "18°C and sunny")
	assert.Contains(t, raw, `"toolUses"`)
}

func TestAnthropicSDKErrors(t *testing.T) {
	e := startWithAccounts(t, 1)
	ctx := context.Background()

	e.fake.Enqueue(fakekiro.Script{fakekiro.Status(400, fakekiro.BodyImproperlyFormed)})
	_, err := e.client.Messages.New(ctx, userText("x"))
	var apiErr *anthropic.Error
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Contains(t, apiErr.Error(), "Improperly formed request")

	// A request Kiro would refuse never leaves the machine.
	bad := userText("x")
	bad.Messages = append(bad.Messages, anthropic.NewAssistantMessage(anthropic.NewTextBlock("prefill")))
	before := len(e.fake.ChatRequests())
	_, err = e.client.Messages.New(ctx, bad)
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Contains(t, apiErr.Error(), "trailing_assistant")
	assert.Len(t, e.fake.ChatRequests(), before)

	// Streaming: an upstream failure before the first byte is a plain HTTP
	// error (throttled on every try: the only account is tried again first).
	for range relay.DefaultAttempts {
		e.fake.Enqueue(fakekiro.Script{fakekiro.Status(429, fakekiro.BodyThrottled)})
	}
	stream := e.client.Messages.NewStreaming(ctx, userText("x"))
	for stream.Next() {
	}
	require.Error(t, stream.Err())
	require.True(t, errors.As(stream.Err(), &apiErr))
	assert.Equal(t, 429, apiErr.StatusCode)

	// A wrong key.
	other := anthropic.NewClient(option.WithBaseURL(e.serve.url), option.WithAPIKey("kd-wrong"), option.WithMaxRetries(0))
	_, err = other.Messages.New(ctx, userText("x"))
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, 401, apiErr.StatusCode)
}

func TestAnthropicSDKMidStreamFailureIsAnErrorEvent(t *testing.T) {
	e := startWithAccounts(t, 1)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("partial answer"), fakekiro.Reset()})
	stream := e.client.Messages.NewStreaming(context.Background(), userText("x"))
	var text strings.Builder
	for stream.Next() {
		ev := stream.Current()
		if d, ok := ev.AsAny().(anthropic.ContentBlockDeltaEvent); ok {
			text.WriteString(d.Delta.Text)
		}
	}
	require.Error(t, stream.Err(), "the stream must end with an error, not silently")
	assert.Equal(t, "partial answer", text.String())
}

func TestAnthropicSDKCountTokensAndModels(t *testing.T) {
	e := startWithAccounts(t, 1)
	ctx := context.Background()
	n, err := e.client.Messages.CountTokens(ctx, anthropic.MessageCountTokensParams{Model: "claude-sonnet-4-5",
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("The quick brown fox jumps over the lazy dog."))}})
	require.NoError(t, err)
	assert.InDelta(t, 15, n.InputTokens, 10)

	page, err := e.client.Models.List(ctx, anthropic.ModelListParams{})
	require.NoError(t, err)
	require.NotEmpty(t, page.Data)
	ids := []string{}
	for _, m := range page.Data {
		ids = append(ids, m.ID)
	}
	// The account's own catalogue (fakekiro's ListAvailableModels), not the built-in list.
	assert.Equal(t, len(fakekiro.DefaultModels()), len(ids))
	assert.Contains(t, strings.Join(ids, " "), fakekiro.DefaultModels()[0].ModelID)
	assert.Equal(t, 1, e.fake.Calls(fakekiro.PathModels))

	// Without anthropic-version the same route answers in OpenAI's list shape.
	code, body := call(t, "GET", e.serve.url+"/v1/models", e.key)
	assert.Equal(t, 200, code)
	var list struct {
		Object string `json:"object"`
		Data   []struct {
			ID     string `json:"id"`
			Object string `json:"object"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	assert.Equal(t, "list", list.Object)
	assert.NotEmpty(t, list.Data)
	assert.Equal(t, 1, e.fake.Calls(fakekiro.PathModels), "the catalogue is cached")
}

func TestFailoverAcrossAccountsThroughServe(t *testing.T) {
	e := startWithAccounts(t, 2)
	e.fake.Enqueue(fakekiro.Script{fakekiro.Status(429, fakekiro.BodyThrottled)}, fakekiro.Script{fakekiro.Text("served by the other account")})
	msg, err := e.client.Messages.New(context.Background(), userText("x"))
	require.NoError(t, err)
	assert.Equal(t, "served by the other account", msg.Content[0].Text)
}
