/// <reference types="node" />
// Runs the copied command through a real shell: node types for this file only.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { PlaygroundRequest } from '../bridge';
import { PLAYGROUND_MAX_TOKENS, playgroundBody, playgroundCurl } from './playground';

const run = promisify(execFile);

const req = (o: Partial<PlaygroundRequest> = {}): PlaygroundRequest => ({
  model: 'claude-sonnet-4.5',
  prompt: 'Say hello',
  system: '',
  account: '',
  maxTokens: PLAYGROUND_MAX_TOKENS,
  ...o,
});

/** The words a POSIX shell makes of cmd, with curl swapped for printf. */
async function shellWords(cmd: string): Promise<string[]> {
  const { stdout } = await run('sh', ['-c', cmd.replace(/^curl /, `printf '%s\\0' `)]);
  return stdout.split('\0').slice(0, -1);
}

describe('playground request', () => {
  it('is a streaming /v1/messages body, with a system prompt only when there is one', () => {
    expect(playgroundBody(req())).toEqual({
      model: 'claude-sonnet-4.5',
      max_tokens: 1024,
      stream: true,
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    expect(playgroundBody(req({ system: '  ' }))).not.toHaveProperty('system');
    expect(playgroundBody(req({ system: 'Be brief.', maxTokens: 0 }))).toMatchObject({ system: 'Be brief.', max_tokens: 1024 });
  });

  it('copies as a curl command the shell reads back word for word', async () => {
    const key = `kd-it's "odd" $HOME`;
    const prompt = "Don't stop:\n$(echo no) `echo no` \\ end";
    const cmd = playgroundCurl('http://127.0.0.1:8990/', key, req({ prompt, system: 'Be brief.', account: 'acc-1' }));
    expect(cmd.startsWith('curl -N http://127.0.0.1:8990/v1/messages \\\n')).toBe(true);
    const words = await shellWords(cmd);
    expect(words.slice(0, 2)).toEqual(['-N', 'http://127.0.0.1:8990/v1/messages']);
    const headers = words.filter((_, i) => words[i - 1] === '-H');
    expect(headers).toEqual([
      `x-api-key:${key}`,
      'content-type:application/json',
      'anthropic-version:2023-06-01',
      'x-kirodesk-account:acc-1',
    ]);
    const body = JSON.parse(words[words.indexOf('-d') + 1]!);
    expect(body).toEqual({
      model: 'claude-sonnet-4.5',
      max_tokens: 1024,
      stream: true,
      system: 'Be brief.',
      messages: [{ role: 'user', content: prompt }],
    });
  });

  it('pins no account when the pool serves', () => {
    expect(playgroundCurl('http://127.0.0.1:8990', 'k1', req())).not.toContain('x-kirodesk-account');
  });
});
