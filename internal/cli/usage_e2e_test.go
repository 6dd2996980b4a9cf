//go:build !windows

package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kirodesk/internal/fakekiro"
	ledger "kirodesk/internal/usage"
)

// sendUsageMix sends three Anthropic SDK messages (12+5 tokens each) and
// one OpenAI chat completion from curl's User-Agent (7+3 tokens).
func sendUsageMix(t *testing.T, e *kiroEnv) {
	t.Helper()
	for range 3 {
		e.fake.Enqueue(fakekiro.Script{fakekiro.Text("hi"), fakekiro.Usage(eventstreamUsage(12, 5))})
		_, err := e.client.Messages.New(context.Background(), userText("hello"))
		require.NoError(t, err)
	}
	e.fake.Enqueue(fakekiro.Script{fakekiro.Text("yo"), fakekiro.Usage(eventstreamUsage(7, 3))})
	status, _ := postRaw(t, e, "/v1/chat/completions", `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}`,
		"User-Agent", "curl/8.5.0")
	require.Equal(t, 200, status)
}

func usageJSON(t *testing.T, dir string, args ...string) ledger.Report {
	t.Helper()
	r := runKD(t, "", append([]string{"usage", "--config-dir", dir, "--json"}, args...)...)
	require.Equal(t, 0, r.code, r.stderr)
	var rep ledger.Report
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep), r.stdout)
	return rep
}

// checkUsageCommand runs every grouping and format against what
// sendUsageMix sent.
func checkUsageCommand(t *testing.T, dir string) {
	t.Helper()
	want := map[string]map[string]int64{
		ledger.ByAccount: nil, // one account: its id
		ledger.ByModel:   {"claude-sonnet-4.5": 4},
		ledger.ByClient:  {"Anthropic SDK": 3, "curl": 1},
	}
	for _, by := range ledger.Groupings {
		rep := usageJSON(t, dir, "--by", by, "--since", "24h")
		assert.Equal(t, by, rep.By)
		assert.EqualValues(t, 4, rep.Total.Requests, by)
		assert.EqualValues(t, 0, rep.Total.Errors, by)
		assert.EqualValues(t, 3*12+7, rep.Total.InputTokens, by)
		assert.EqualValues(t, 3*5+3, rep.Total.OutputTokens, by)
		assert.Zero(t, rep.Total.Estimated, "Kiro sent its token figures: none estimated (%s)", by)
		got := map[string]int64{}
		var sum int64
		for _, row := range rep.Rows {
			got[row.Key] = row.Requests
			sum += row.Requests
		}
		assert.EqualValues(t, 4, sum, "the rows add up to the total (%s)", by)
		if w := want[by]; w != nil {
			assert.Equal(t, w, got, by)
		}
		if by == ledger.ByAccount {
			require.Len(t, got, 1)
			for k := range got {
				assert.Regexp(t, `^acc-[0-9a-f]{16}$`, k)
			}
		}
	}

	// The table and the CSV of every grouping say what the JSON says, row
	// by row, and add up to what was sent.
	for _, by := range ledger.Groupings {
		rep := usageJSON(t, dir, "--by", by, "--since", "24h")
		want := [][]string{}
		for _, row := range rep.Rows {
			want = append(want, usageCells(by, row.Key, row.Requests, row.Errors, row.InputTokens, row.OutputTokens))
		}
		want = append(want, []string{"total", "4", "0", "43", "18"})

		r := runKD(t, "", "usage", "--config-dir", dir, "--by", by, "--since", "24h", "--csv")
		require.Equal(t, 0, r.code, r.stderr)
		lines, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		require.NoError(t, err, by)
		require.Len(t, lines, len(rep.Rows)+2, "%s: header, the rows, total", by)
		assert.Equal(t, []string{by, "requests", "errors", "input tokens", "output tokens"}, lines[0][:5], by)
		got := [][]string{}
		for _, l := range lines[1:] {
			got = append(got, l[:5])
		}
		assert.Equal(t, want, got, "--by %s --csv", by)

		r = runKD(t, "", "usage", "--config-dir", dir, "--by", by, "--since", "24h")
		require.Equal(t, 0, r.code, r.stderr)
		tbl := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
		require.GreaterOrEqual(t, len(tbl), len(rep.Rows)+2, by)
		assert.Equal(t, []string{by, "requests", "errors"}, strings.Fields(tbl[0])[:3], by)
		got = [][]string{}
		for _, l := range tbl[1 : len(rep.Rows)+2] {
			// The key may hold spaces ("Anthropic SDK", "2026-12-07 10:00"):
			// it is what comes before the twelve figures.
			f := strings.Fields(l)
			require.Greater(t, len(f), 12, "%s: %q", by, l)
			k := len(f) - 12
			got = append(got, append([]string{strings.Join(f[:k], " ")}, f[k:k+4]...))
		}
		assert.Equal(t, want, got, "--by %s (table)", by)
	}
	// Per client, the figures of the requests sent (12+5 tokens thrice, 7+3 once).
	r := runKD(t, "", "usage", "--config-dir", dir, "--by", ledger.ByClient, "--csv")
	require.Equal(t, 0, r.code, r.stderr)
	lines, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, lines, 4)
	assert.Equal(t, [][]string{{"Anthropic SDK", "3", "0", "36", "15"}, {"curl", "1", "0", "7", "3"}},
		[][]string{lines[1][:5], lines[2][:5]})

	r = runKD(t, "", "usage", "--config-dir", dir, "--by", "week")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "use one of day, hour, account, model, client")
	r = runKD(t, "", "usage", "--config-dir", dir, "--json", "--csv")
	assert.Equal(t, 2, r.code)
}

// usageCells is a row's first five cells as the table and the CSV write
// them: hours and days in local time, names as they are.
func usageCells(by, key string, requests, errors, input, output int64) []string {
	if at, err := time.Parse(time.RFC3339, key); err == nil {
		key = at.Format("2006-01-02 15:04")
		if by == ledger.ByDay {
			key = at.Format(time.DateOnly)
		}
	}
	return []string{key, strconv.FormatInt(requests, 10), strconv.FormatInt(errors, 10),
		strconv.FormatInt(input, 10), strconv.FormatInt(output, 10)}
}

func TestUsageCommandThroughTheRunningInstanceAndFromTheFile(t *testing.T) {
	e := startWithAccounts(t, 1)
	sendUsageMix(t, e)

	// Through the control socket: the instance counts them at once.
	checkUsageCommand(t, e.dir)

	// The HTTP API gives the same JSON, with the key only.
	code, _ := call(t, "GET", e.serve.url+"/v1/kirodesk/usage?by=client", "")
	assert.Equal(t, 401, code)
	code, body := call(t, "GET", e.serve.url+"/v1/kirodesk/usage?by=client&since=24h", e.key)
	require.Equal(t, 200, code, body)
	var rep ledger.Report
	require.NoError(t, json.Unmarshal([]byte(body), &rep))
	assert.EqualValues(t, 4, rep.Total.Requests)
	assert.Equal(t, usageJSON(t, e.dir, "--by", "client", "--since", "24h").Rows, rep.Rows)
	code, body = call(t, "GET", e.serve.url+"/v1/kirodesk/usage?by=week", e.key)
	assert.Equal(t, 400, code)
	assert.Contains(t, body, "use one of")
	// The usage calls themselves are not counted.
	assert.EqualValues(t, 4, usageJSON(t, e.dir).Total.Requests)

	// After a clean stop the file holds the same history.
	require.NoError(t, e.serve.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, e.serve.cmd.Wait(), e.serve.stderr.String())
	checkUsageCommand(t, e.dir)
}
