// The Try it view's request, as the Go side sends it (app/playground.go,
// playgroundBody) and as "Copy as curl" reproduces it: same body, same
// headers, the key quoted for the shell as on the Dashboard (snippets.ts).
import type { PlaygroundRequest } from '../bridge';
import { shellQuote } from './snippets';

/** The answer's length limit a try uses: small, so a try costs little. */
export const PLAYGROUND_MAX_TOKENS = 1024;

/** The header that pins a request to one account (internal/api PinHeader). */
export const PIN_HEADER = 'x-kirodesk-account';

/** The /v1/messages body of a try; keys as the Anthropic API spells them. */
export function playgroundBody(req: PlaygroundRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: req.model,
    max_tokens: req.maxTokens || PLAYGROUND_MAX_TOKENS,
    stream: true,
  };
  if (req.system.trim() !== '') body.system = req.system;
  body.messages = [{ role: 'user', content: req.prompt }];
  return body;
}

/**
 * A curl command that sends the same request (streaming: -N prints the
 * events as they come). The key is quoted so the command pastes into a
 * POSIX shell as is; header:value with no space keeps each one shell word.
 */
export function playgroundCurl(endpoint: string, key: string, req: PlaygroundRequest): string {
  const url = shellQuote(`${endpoint.replace(/\/+$/, '')}/v1/messages`);
  // i18n-ignore: curl arguments, the same in every language
  const headers = [
    `-H x-api-key:${shellQuote(key)}`,
    '-H content-type:application/json',
    '-H anthropic-version:2023-06-01',
  ];
  if (req.account) headers.push(`-H ${PIN_HEADER}:${shellQuote(req.account)}`);
  return `curl -N ${url} \\\n  ${headers.join(' ')} \\\n  -d ${shellQuote(JSON.stringify(playgroundBody(req)))}`;
}
