// Package payload turns a canon.Request into the JSON body of Kiro's
// generateAssistantResponse call and checks that body against the shape rules
// Kiro enforces without explaining them (kiro-protocol.md sections 3 and 4).
//
// Contract:
//   - Pure functions only: no I/O, no clock, no randomness, no package state
//     that changes. The caller supplies the conversation id, the profile ARN
//     and the account's model catalogue, so the same input always gives the
//     same bytes (which is what the golden tests pin).
//   - Safe for concurrent use; nothing is shared between calls.
//   - Every refusal is a *RuleError naming the rule, the turn or tool id, and
//     the fix, so the HTTP layer can answer 400 with it instead of forwarding
//     a request that Kiro would reject as "Improperly formed request".
//   - Callers: the request path of the proxy (after internal/translate) and
//     tests. Nothing here knows about accounts, tokens or HTTP.
//
// Choices made where Kiro leaves room (each pinned by a test):
//   - System prompt: Kiro has no system field. It is prepended to the first
//     user turn, separated by a blank line. The alternative (a synthetic
//     user turn answered by an invented assistant turn) puts words in the
//     model's mouth and shifts every turn index; prepending keeps alternation
//     intact and keeps the prompt at a stable position across a
//     conversation's requests.
//   - Empty turns: Kiro rejects empty content, so a turn whose text is empty
//     or white space (a tool-only assistant turn, a results-only user turn,
//     an image-only message) gets the content "." — the smallest text that
//     carries no meaning the model could act on.
//   - Alternation: adjacent messages of the same role are merged (their
//     texts joined by a blank line); a conversation that starts with an
//     assistant turn gets a "." user turn in front of it.
//   - Tools used in history but not declared in this request are declared
//     automatically with an empty object schema. Failing instead would break
//     agents that narrow their tool list between calls (or send none when
//     compacting), and the model has already seen those tools used.
//   - Thinking: the <thinking_mode> prefix goes in front of the current
//     message only when that message carries no toolResults, because the
//     two together were reported to cause "Improperly formed request".
//   - Earlier thinking blocks of assistant turns are dropped: Kiro has no
//     field for them and Anthropic does not feed old thinking back either.
//   - Images inside tool results move to the images of the user turn that
//     carries the result; Kiro's toolResults content holds text only.
//   - Inference parameters (max_tokens, temperature, ...) are never sent.
package payload
