import { describe, expect, it } from '@jest/globals';
import { shellQuote, shellSplit } from '#local/agent-emulator/shlex.ts';

describe('shlex', () => {
  it('splits like Go shlex: quotes, escapes, comments, no expansion', () => {
    expect(shellSplit(`ps  -ef`)).toEqual(['ps', '-ef']);
    expect(shellSplit(`sh -c 'echo "$HOME"; ls'`)).toEqual(['sh', '-c', 'echo "$HOME"; ls']);
    expect(shellSplit(`printf "a \\"b\\" c" d\\ e`)).toEqual(['printf', 'a "b" c', 'd e']);
    expect(shellSplit(`a'b'"c" # comment here`)).toEqual(['abc']);
    expect(shellSplit(`a#b`)).toEqual(['a#b']);
    expect(shellSplit(`''`)).toEqual(['']);
    expect(shellSplit(` \t\n`)).toEqual([]);
  });

  it('names the field and the problem for input it cannot split', () => {
    expect(() => shellSplit(`echo "open`)).toThrow('command: an unclosed double quote');
    expect(() => shellSplit(`echo \\`)).toThrow('command: a trailing backslash escapes nothing');
  });

  it('quotes every word so /bin/sh hands it to exec unchanged', () => {
    expect(shellQuote(`it's $HOME; \`x\``)).toBe(`'it'\\''s $HOME; \`x\`'`);
  });
});
