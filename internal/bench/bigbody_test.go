package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// bigBodySize is the body of the big-body cell: within what Kirodesk reads
// (server.DefaultMaxBody), far above what Kiro takes, so it is read and
// parsed, then refused before the Kiro request is built (internal/api).
const bigBodySize = 5 << 20

// bigBodyResult is the release binary's memory for one large request: its
// resident set at its peak while taking the request, over the idle one
// just before (the peak is reset first, so start-up does not count).
type bigBodyResult struct {
	BodyMB    float64 `json:"body_mb"`
	Status    int     `json:"status"`
	RSSIdleMB float64 `json:"rss_idle_mb"`
	RSSPeakMB float64 `json:"rss_peak_mb"`
	AddedMB   float64 `json:"peak_added_mb"`
	// TargetMB is twice the body: a request may cost its bytes and one copy.
	TargetMB float64 `json:"target_mb"`
}

// bigConversation is an Anthropic request of about size bytes shaped like
// an agent's conversation: turns of a tool call and its result.
func bigConversation(size int) []byte {
	result := strings.Repeat("line of tool output, as a build or grep prints it\n", 200)
	var b bytes.Buffer
	b.WriteString(`{"model":"` + model + `","max_tokens":1024,"system":"You are a coding agent.","tools":[{"name":"bash","description":"Runs a command.","input_schema":{"type":"object","properties":{"command":{"type":"string"}}}}],"messages":[`)
	for i := 0; b.Len() < size-len(result)-300; i++ {
		id := "toolu_" + strconv.Itoa(i)
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"role":"user","content":[{"type":"text","text":"step %d"}]},`, i)
		fmt.Fprintf(&b, `{"role":"assistant","content":[{"type":"tool_use","id":%q,"name":"bash","input":{"command":"make test"}}]},`, id)
		fmt.Fprintf(&b, `{"role":"user","content":[{"type":"tool_result","tool_use_id":%q,"content":%s}]},`, id, strconv.Quote(result))
		b.WriteString(`{"role":"assistant","content":[{"type":"text","text":"done"}]}`)
	}
	b.WriteString(`,{"role":"user","content":"go on"}]}`)
	return b.Bytes()
}

// measureBigBody starts the binary, lets it settle, resets its peak RSS
// and sends one bigBodySize request.
func measureBigBody(tb testing.TB) bigBodyResult {
	tb.Helper()
	dir, key, fake := processFolder(tb)
	client := newEnvClient(tb)
	p := startServe(tb, benchBinary(tb), dir, fake.URL)
	defer p.stop(tb)
	p.firstAnswer(tb, client, key.Reveal())
	body := bigConversation(bigBodySize)
	time.Sleep(time.Second)
	// "5" resets VmHWM to the current RSS (proc(5), clear_refs).
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.cmd.Process.Pid), []byte("5"), 0); err != nil {
		tb.Fatalf("cannot reset the peak RSS, so the 5 MB request's figure would be wrong: %v", err)
	}
	res := bigBodyResult{BodyMB: float64(len(body)) / (1 << 20), RSSIdleMB: p.status("VmRSS") / 1024}
	e := &env{client: client, messages: p.url + "/v1/messages", key: key.Reveal()}
	resp, err := client.Do(e.newProxied(context.Background(), body))
	if err != nil {
		tb.Fatalf("big body: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	res.Status = resp.StatusCode
	res.RSSPeakMB = p.status("VmHWM") / 1024
	res.AddedMB = res.RSSPeakMB - res.RSSIdleMB
	res.TargetMB = 2 * res.BodyMB
	return res
}

func printBigBody(w io.Writer, r *bigBodyResult) {
	if r == nil {
		return
	}
	verdict := "met"
	if r.AddedMB > r.TargetMB {
		verdict = "MISSED"
	}
	fmt.Fprintf(w, "\nOne %.0f MB request (an agent's conversation, refused as too large for Kiro) to the binary as its own process\n", r.BodyMB)
	tw := table(w, "status\tRSS idle MB\tRSS peak MB\tpeak added MB\ttarget (2x the body) MB\t\t")
	fmt.Fprintf(tw, "%d\t%.1f\t%.1f\t%.1f\t%.1f\t%s\t\n", r.Status, r.RSSIdleMB, r.RSSPeakMB, r.AddedMB, r.TargetMB, verdict)
	tw.Flush()
}
