package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/store"
)

func TestAliasTableIsCheckedRowByRow(t *testing.T) {
	rows := []ModelAlias{
		{"gpt-4o", "claude-sonnet-4.6"},     // 0: fine
		{"", "auto"},                        // 1: empty name
		{"GPT-4O", "claude-haiku-4.5"},      // 2: repeats row 0
		{"claude-sonnet-4-5", "auto"},       // 3: a Kiro model already
		{"o3", ""},                          // 4: no target
		{"o4", "gpt-5"},                     // 5: no such target
		{strings.Repeat("m", 129), "auto"},  // 6: too long
		{" lead", "auto"},                   // 7: space
		{"gpt-4o-mini", "claude-haiku-4.5"}, // 8: fine
	}
	got := checkAliasRows(rows, "nope")
	type key struct {
		row         int
		field, code string
	}
	seen := map[key]AliasProblem{}
	for _, p := range got {
		seen[key{p.Row, p.Field, p.Code}] = p
		assert.NotEmpty(t, p.Message)
	}
	for _, want := range []key{{1, "name", store.AliasEmpty}, {2, "name", "duplicate"}, {3, "name", store.AliasShadows},
		{4, "target", store.AliasNoTarget}, {5, "target", store.AliasBadTarget}, {6, "name", store.AliasTooLong},
		{7, "name", store.AliasSpace}, {-1, "target", store.AliasBadTarget}} {
		assert.Contains(t, seen, want)
	}
	assert.Len(t, got, 8, "rows 0 and 8 are fine: %+v", got)
	assert.Equal(t, "gpt-4o", seen[key{2, "name", "duplicate"}].Model)
	assert.Equal(t, "claude-sonnet-4.5", seen[key{3, "name", store.AliasShadows}].Model)
	assert.Empty(t, checkAliasRows([]ModelAlias{rows[0], rows[8]}, "auto"))
	assert.Equal(t, []AliasProblem{}, checkAliasRows(nil, ""), "an empty list, never null, for the window")
}

// An alias set through the Settings binding works at once from the
// official OpenAI SDK (chat and responses), is listed by its Models.List,
// and a refused table changes nothing.
func TestAnAliasSetInSettingsWorksFromTheOpenAISDK(t *testing.T) {
	a, _, c, fake, _ := startOnFake(t)
	addFakeAccount(t, c, fake, "Work")
	st, err := a.Status()
	require.NoError(t, err)
	key, err := a.APIKey()
	require.NoError(t, err)
	client := sdk.NewClient(option.WithBaseURL(st.Endpoint+"/v1"), option.WithAPIKey(key), option.WithMaxRetries(0))
	ctx := context.Background()

	// Before: the SDK's model is unknown.
	_, err = client.Chat.Completions.New(ctx, sdk.ChatCompletionNewParams{Model: "gpt-4o",
		Messages: []sdk.ChatCompletionMessageParamUnion{sdk.UserMessage("hi")}})
	var apiErr *sdk.Error
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Contains(t, apiErr.Message, `unknown model "gpt-4o"`)

	rows := []ModelAlias{{"gpt-4o", "claude-sonnet-4.6"}, {"gpt-4o-mini", "claude-haiku-4.5"}}
	s, err := a.UpdateSettings(SettingsPatch{ModelAliases: &rows})
	require.NoError(t, err)
	assert.Equal(t, rows, s.ModelAliases)
	assert.Contains(t, s.ModelChoices, "claude-sonnet-4.6")
	assert.Equal(t, map[string]string{"gpt-4o": "claude-sonnet-4.6", "gpt-4o-mini": "claude-haiku-4.5"},
		c.Store.Config.Snapshot().ModelAliases, "saved in config.json")

	fake.Enqueue(fakekiro.Script{fakekiro.Text("Hello from Kiro")})
	res, err := client.Chat.Completions.New(ctx, sdk.ChatCompletionNewParams{Model: "gpt-4o",
		Messages: []sdk.ChatCompletionMessageParamUnion{sdk.UserMessage("hi")}})
	require.NoError(t, err)
	assert.Equal(t, "Hello from Kiro", res.Choices[0].Message.Content)
	assert.Equal(t, "gpt-4o", res.Model, "the SDK gets back the model it asked for")
	chats := fake.ChatRequests()
	require.NotEmpty(t, chats)
	assert.Equal(t, "claude-sonnet-4.6", chats[len(chats)-1].Chat.ConversationState.CurrentMessage.UserInputMessage.ModelID)

	fake.Enqueue(fakekiro.Script{fakekiro.Text("small")})
	stream := client.Responses.NewStreaming(ctx, responses.ResponseNewParams{Model: "gpt-4o-mini",
		Input: responses.ResponseNewParamsInputUnion{OfString: sdk.String("hi")}})
	var text strings.Builder
	var model string
	for stream.Next() {
		ev := stream.Current()
		text.WriteString(ev.Delta)
		if ev.Type == "response.completed" {
			model = string(ev.Response.Model)
		}
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, "small", text.String())
	assert.Equal(t, "gpt-4o-mini", model)
	chats = fake.ChatRequests()
	assert.Equal(t, "claude-haiku-4.5", chats[len(chats)-1].Chat.ConversationState.CurrentMessage.UserInputMessage.ModelID)

	// The request log, as the Logs view gets it, has both names.
	lines, err := a.Requests(0)
	require.NoError(t, err)
	var aliased []RequestLine
	for _, l := range lines {
		if l.RequestedModel != "" {
			aliased = append(aliased, l)
		}
	}
	require.Len(t, aliased, 2)
	assert.Equal(t, "gpt-4o", aliased[0].RequestedModel)
	assert.Equal(t, "claude-sonnet-4.6", aliased[0].Model)
	// So does the CSV export: model is the Kiro model, requested_model the client's.
	table, err := csv.NewReader(bytes.NewReader(requestsCSV(aliased))).ReadAll()
	require.NoError(t, err)
	require.Len(t, table, 3)
	col := map[string]int{}
	for i, h := range table[0] {
		col[h] = i
	}
	assert.Equal(t, "claude-sonnet-4.6", table[1][col["model"]])
	assert.Equal(t, "gpt-4o", table[1][col["requested_model"]])

	// Models.List shows the aliases.
	page, err := client.Models.List(ctx)
	require.NoError(t, err)
	owners := map[string]string{}
	for _, m := range page.Data {
		owners[m.ID] = string(m.OwnedBy)
	}
	assert.Equal(t, "kirodesk-alias", owners["gpt-4o"])
	assert.Equal(t, "kirodesk-alias", owners["gpt-4o-mini"])
	assert.Equal(t, "anthropic", owners["claude-sonnet-4.6"])

	// A refused table (a repeated name) saves nothing and says which row.
	bad := []ModelAlias{{"gpt-4o", "auto"}, {"GPT-4o", "claude-opus-4.5"}}
	_, err = a.UpdateSettings(SettingsPatch{ModelAliases: &bad})
	require.ErrorContains(t, err, `modelAliases row 2 ("GPT-4o")`)
	shadow := []ModelAlias{{"claude-opus-4.5", "auto"}}
	_, err = a.UpdateSettings(SettingsPatch{ModelAliases: &shadow})
	require.ErrorContains(t, err, "cannot hide a real model")
	s, err = a.Settings()
	require.NoError(t, err)
	assert.Equal(t, rows, s.ModelAliases)

	// The unknown-name default, then removing everything: gone at once.
	unknown := "claude-haiku-4.5"
	_, err = a.UpdateSettings(SettingsPatch{UnknownModelAlias: &unknown})
	require.NoError(t, err)
	fake.Enqueue(fakekiro.Script{fakekiro.Text("any")})
	res, err = client.Chat.Completions.New(ctx, sdk.ChatCompletionNewParams{Model: "gpt-4.1",
		Messages: []sdk.ChatCompletionMessageParamUnion{sdk.UserMessage("hi")}})
	require.NoError(t, err)
	assert.Equal(t, "gpt-4.1", res.Model)
	none, off := []ModelAlias{}, ""
	s, err = a.UpdateSettings(SettingsPatch{ModelAliases: &none, UnknownModelAlias: &off})
	require.NoError(t, err)
	assert.Empty(t, s.ModelAliases)
	_, err = client.Chat.Completions.New(ctx, sdk.ChatCompletionNewParams{Model: "gpt-4o",
		Messages: []sdk.ChatCompletionMessageParamUnion{sdk.UserMessage("hi")}})
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, 400, apiErr.StatusCode)
	page, err = client.Models.List(ctx)
	require.NoError(t, err)
	for _, m := range page.Data {
		assert.NotEqual(t, "gpt-4o", m.ID)
	}
}
