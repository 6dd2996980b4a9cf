package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	"kirodesk/internal/reqlog"
	"kirodesk/internal/store"
)

// setAliases saves aliases in the running env's config.json, as the
// Settings window does: no restart.
func (e *classEnv) setAliases(t *testing.T, aliases map[string]string, unknown string) {
	t.Helper()
	require.NoError(t, e.st.Config.Update(context.Background(), func(c *store.Config) error {
		c.ModelAliases, c.UnknownModelAlias = aliases, unknown
		return nil
	}))
}

// servedModels are the Kiro model ids of the chat calls the fake got.
func (e *classEnv) servedModels() []string {
	var out []string
	for _, r := range e.fake.Requests() {
		if r.Path == fakekiro.PathChat && r.Chat != nil && r.Chat.ConversationState.CurrentMessage.UserInputMessage != nil {
			out = append(out, r.Chat.ConversationState.CurrentMessage.UserInputMessage.ModelID)
		}
	}
	return out
}

// lastEntry is the request log's newest entry.
func (e *classEnv) lastEntry(t *testing.T) reqlog.Entry {
	t.Helper()
	entries := e.log.Since(0)
	require.NotEmpty(t, entries)
	return entries[len(entries)-1]
}

// usageRows are the usage history's hour rows, after the ledger merged
// everything counted so far.
func (e *classEnv) usageRows(t *testing.T) []store.UsageRow {
	t.Helper()
	require.NoError(t, e.ledger.Sync(context.Background()))
	return e.st.Usage.Snapshot().Hours
}

// An alias sends the request to its Kiro model on all three APIs, streamed
// or not; the answer names the model the client asked for, and the
// request log and the usage history keep both names.
func TestAnAliasIsServedByItsKiroModelOnEveryAPI(t *testing.T) {
	for _, api := range clientAPIs {
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/stream=%t", api.name, stream), func(t *testing.T) {
				e := newClassEnvWith(t, 1, Options{})
				e.setAliases(t, map[string]string{"gpt-4o": "claude-haiku-4.5", "gpt-4o-mini": "auto"}, "")

				got := e.post(t, api, "gpt-4o", stream)
				require.Equal(t, http.StatusOK, got.status, got.body)
				assert.Equal(t, []string{"claude-haiku-4.5"}, e.servedModels())
				assert.Contains(t, got.body, `"model":"gpt-4o"`, "the answer names the client's model")
				assert.NotContains(t, got.body, "claude-haiku-4.5", "the Kiro model stays Kirodesk's business")

				entry := e.lastEntry(t)
				assert.Equal(t, "claude-haiku-4.5", entry.Model)
				assert.Equal(t, "gpt-4o", entry.RequestedModel)
				b, err := json.Marshal(entry)
				require.NoError(t, err)
				assert.Contains(t, string(b), `"model":"claude-haiku-4.5"`)
				assert.Contains(t, string(b), `"requestedModel":"gpt-4o"`)

				rows := e.usageRows(t)
				require.Len(t, rows, 1)
				assert.Equal(t, "claude-haiku-4.5", rows[0].Model)
				assert.Equal(t, "gpt-4o", rows[0].Requested)
				assert.EqualValues(t, 1, rows[0].Requests)

				// Another case, and an alias to auto.
				got = e.post(t, api, "GPT-4O-Mini", stream)
				require.Equal(t, http.StatusOK, got.status, got.body)
				assert.Contains(t, got.body, `"model":"GPT-4O-Mini"`)
				assert.Equal(t, []string{"claude-haiku-4.5", "auto"}, e.servedModels())
				assert.Equal(t, "GPT-4O-Mini", e.lastEntry(t).RequestedModel)

				// A Kiro model's own name is no alias: one name in the log.
				got = e.post(t, api, "claude-sonnet-4-5", stream)
				require.Equal(t, http.StatusOK, got.status, got.body)
				assert.Equal(t, "claude-sonnet-4.5", e.lastEntry(t).Model)
				assert.Empty(t, e.lastEntry(t).RequestedModel)
				for _, r := range e.usageRows(t) {
					if r.Model == "claude-sonnet-4.5" {
						assert.Empty(t, r.Requested)
					}
				}
			})
		}
	}
}

// Without a default an unknown name is refused as before aliases; with
// one, it is served by the default, and a model Kiro knows never is.
func TestTheUnknownModelAliasServesOnlyUnknownNames(t *testing.T) {
	for _, api := range clientAPIs {
		t.Run(api.name, func(t *testing.T) {
			e := newClassEnvWith(t, 1, Options{})
			e.setAliases(t, map[string]string{"gpt-4o": "claude-haiku-4.5"}, "")
			got := e.post(t, api, "gpt-4.1", false)
			assert.Equal(t, http.StatusBadRequest, got.status)
			assert.Contains(t, got.msg, `unknown model "gpt-4.1"; models that work: auto, claude-sonnet-4.5`)
			assert.Empty(t, e.servedModels())

			e.setAliases(t, map[string]string{"gpt-4o": "claude-haiku-4.5"}, "claude-sonnet-4.6")
			got = e.post(t, api, "gpt-4.1", false)
			require.Equal(t, http.StatusOK, got.status, got.body)
			assert.Contains(t, got.body, `"model":"gpt-4.1"`)
			assert.Equal(t, "claude-sonnet-4.6", e.lastEntry(t).Model)
			assert.Equal(t, "gpt-4.1", e.lastEntry(t).RequestedModel)

			for _, name := range []string{"gpt-4o", "claude-opus-4.5", "claude-opus-4-5-20251101"} {
				got = e.post(t, api, name, false)
				require.Equal(t, http.StatusOK, got.status, got.body)
			}
			assert.Equal(t, []string{"claude-sonnet-4.6", "claude-haiku-4.5", "claude-opus-4.5", "claude-opus-4.5"}, e.servedModels(),
				"an alias wins over the default; Kiro's models are never sent to it")
		})
	}
}

// A model Kiro says the accounts cannot use is never aliased to another:
// the client gets the clear "not available" error, naming its own name,
// and no other model (not even the unknown-name default) is tried.
func TestAnUnavailableAliasTargetIsNeverServedByAnotherModel(t *testing.T) {
	for _, api := range clientAPIs {
		for _, n := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/%d-accounts", api.name, n), func(t *testing.T) {
				e := newClassEnvWith(t, n, Options{})
				e.setAliases(t, map[string]string{"gpt-4o": "claude-opus-4.5"}, "claude-haiku-4.5")
				e.fake.SetDefaultScript(func(r fakekiro.RecordedRequest) fakekiro.Script {
					if r.Chat.ConversationState.CurrentMessage.UserInputMessage.ModelID == "claude-opus-4.5" {
						return fakekiro.Script{fakekiro.Status(400, fakekiro.BodyInvalidModel)}
					}
					return nil
				})
				got := e.post(t, api, "gpt-4o", false)
				assert.Equal(t, http.StatusBadRequest, got.status, got.body)
				if api.openAI {
					assert.Equal(t, "model_not_found", got.code)
				}
				assert.Contains(t, got.msg, `model "claude-opus-4.5" (Kirodesk's alias for "gpt-4o") is not available to Kiro account(s) A`)
				served := e.servedModels()
				assert.Len(t, served, n, "each account once")
				for _, m := range served {
					assert.Equal(t, "claude-opus-4.5", m)
				}
				entry := e.lastEntry(t)
				assert.Equal(t, "claude-opus-4.5", entry.Model)
				assert.Equal(t, "gpt-4o", entry.RequestedModel)
				assert.Contains(t, entry.Error, `(Kirodesk's alias for "gpt-4o")`)
			})
		}
	}
}

// GET /v1/models lists the aliases after Kiro's models, in both shapes,
// marked as aliases, and follows the settings live.
func TestModelsListTheAliases(t *testing.T) {
	e := newClassEnvWith(t, 1, Options{})
	e.setAliases(t, map[string]string{"gpt-4o": "claude-sonnet-4.6", "gpt-4o-mini": "claude-haiku-4.5"}, "auto")
	get := func(anthropic bool, into any) {
		t.Helper()
		req, _ := http.NewRequest("GET", e.url+"/v1/models", nil)
		req.Header.Set("x-api-key", "kd-k")
		if anthropic {
			req.Header.Set("anthropic-version", "2023-06-01")
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.NoError(t, json.NewDecoder(resp.Body).Decode(into))
	}

	var an struct {
		Data []struct {
			Type, ID    string
			DisplayName string `json:"display_name"`
		}
		LastID string `json:"last_id"`
	}
	get(true, &an)
	require.GreaterOrEqual(t, len(an.Data), 3)
	tail := an.Data[len(an.Data)-2:]
	assert.Equal(t, "gpt-4o", tail[0].ID)
	assert.Equal(t, "gpt-4o → claude-sonnet-4.6", tail[0].DisplayName)
	assert.Equal(t, "model", tail[0].Type)
	assert.Equal(t, "gpt-4o-mini", tail[1].ID)
	assert.Equal(t, "gpt-4o-mini → claude-haiku-4.5", tail[1].DisplayName)
	assert.Equal(t, "gpt-4o-mini", an.LastID)
	assert.Equal(t, "claude-sonnet-4.5", an.Data[1].ID, "Kiro's models come first")

	var oa struct {
		Object string
		Data   []struct {
			ID, Object string
			OwnedBy    string `json:"owned_by"`
			AliasFor   string `json:"alias_for"`
		}
	}
	get(false, &oa)
	byID := map[string]int{}
	for i, m := range oa.Data {
		byID[m.ID] = i
	}
	require.Contains(t, byID, "gpt-4o")
	m := oa.Data[byID["gpt-4o"]]
	assert.Equal(t, "model", m.Object)
	assert.Equal(t, "kirodesk-alias", m.OwnedBy)
	assert.Equal(t, "claude-sonnet-4.6", m.AliasFor)
	assert.Equal(t, "anthropic", oa.Data[byID["claude-haiku-4.5"]].OwnedBy)
	assert.Empty(t, oa.Data[byID["claude-haiku-4.5"]].AliasFor)

	e.setAliases(t, nil, "")
	oa.Data = nil
	get(false, &oa)
	for _, m := range oa.Data {
		assert.NotEqual(t, "kirodesk-alias", m.OwnedBy, "a removed alias leaves the list at once: %s", m.ID)
	}
}

// config.json can only refuse aliases named like the built-in catalogue;
// when the accounts' own list brings a model of the same name, Kiro's
// model wins: it is served as itself and listed once, not as an alias.
func TestAnAliasNeverHidesAModelTheAccountsList(t *testing.T) {
	models := append(fakekiro.DefaultModels(), fakekiro.Model{ModelID: "kiro-fast-1", ModelName: "Kiro Fast 1",
		TokenLimits: fakekiro.TokenLimits{MaxInputTokens: 200000}})
	e := newClassEnvWith(t, 1, Options{}, models...)
	e.setAliases(t, map[string]string{"kiro-fast-1": "claude-haiku-4.5", "gpt-4o": "auto"}, "")

	// The first request, before anything fetched the accounts' list.
	got := e.post(t, clientAPIs[0], "kiro-fast-1", false)
	require.Equal(t, http.StatusOK, got.status, got.body)
	assert.Equal(t, "kiro-fast-1", e.lastEntry(t).Model)

	req, _ := http.NewRequest("GET", e.url+"/v1/models", nil)
	req.Header.Set("x-api-key", "kd-k")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var list struct {
		Data []struct {
			ID      string `json:"id"`
			OwnedBy string `json:"owned_by"`
		}
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	resp.Body.Close()
	seen := map[string][]string{}
	for _, m := range list.Data {
		seen[m.ID] = append(seen[m.ID], m.OwnedBy)
	}
	assert.Equal(t, []string{"anthropic"}, seen["kiro-fast-1"], "listed once, as Kiro's")
	assert.Equal(t, []string{"kirodesk-alias"}, seen["gpt-4o"])

	for _, api := range clientAPIs {
		got := e.post(t, api, "kiro-fast-1", false)
		require.Equal(t, http.StatusOK, got.status, got.body)
		assert.Equal(t, "kiro-fast-1", e.lastEntry(t).Model)
		assert.Empty(t, e.lastEntry(t).RequestedModel)
	}
	for _, m := range e.servedModels() {
		assert.Equal(t, "kiro-fast-1", m)
	}
}
