import { InvalidRequestError } from '#lib/errors.ts';

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

/**
 * Splits a command string into argv the way the agent does (Go shlex, no shell): whitespace separates words,
 * '...' is literal, "..." allows backslash escapes, a backslash outside quotes escapes the next character,
 * and a word starting with # begins a comment to the end of the line.
 */
export function shellSplit(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const fail = (message: string): never => {
    throw new InvalidRequestError('command', `${message} in ${JSON.stringify(command)}`);
  };
  while (i < command.length) {
    const ch = command.charAt(i);
    if (WHITESPACE.has(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i += 1;
    } else if (ch === '#' && !inWord) {
      while (i < command.length && command.charAt(i) !== '\n') i += 1;
    } else if (ch === '\\') {
      if (i + 1 >= command.length) fail('a trailing backslash escapes nothing');
      word += command.charAt(i + 1);
      inWord = true;
      i += 2;
    } else if (ch === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) fail('an unclosed single quote');
      word += command.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      i += 1;
      for (;;) {
        if (i >= command.length) fail('an unclosed double quote');
        const c = command.charAt(i);
        if (c === '"') break;
        if (c === '\\') {
          if (i + 1 >= command.length) fail('an unclosed double quote');
          word += command.charAt(i + 1);
          i += 2;
        } else {
          word += c;
          i += 1;
        }
      }
      inWord = true;
      i += 1;
    } else {
      word += ch;
      inWord = true;
      i += 1;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Quotes one word for /bin/sh so that it reaches exec as exactly these bytes. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
