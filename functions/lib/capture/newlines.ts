import { Transform, type TransformCallback } from 'node:stream';
import { PRELUDE_PREFIX } from './command.ts';

/** How the pty's `\n` → `\r\n` translation (ONLCR) was handled: turned off in the container, or undone here. */
export type NewlineHandling = 'stty-onlcr-off' | 'crlf-undone';

const CR = 0x0d;
const LF = 0x0a;

/**
 * Restores the newlines the script printed. The exec wrapper runs `stty -onlcr` and then prints the prelude
 * line `__ECSDIAG_TTY_<nonce>`: when it ends in `\n` the pty no longer translates and the rest passes as it
 * is; when it ends in `\r\n` (no stty in the container) every `\r\n` is turned back into `\n`, the exact
 * inverse of ONLCR. Output that does not start with the prelude (no shell at all) is treated as translated.
 * The prelude line itself is removed.
 */
export class NewlineRestorer extends Transform {
  /** Decided once the prelude (or its absence) is seen; `crlf-undone` until then. */
  handling: NewlineHandling = 'crlf-undone';
  private readonly prelude: Buffer;
  private head: Buffer | undefined = Buffer.alloc(0);
  private heldCr = false;

  constructor(nonce: string) {
    super();
    this.prelude = Buffer.from(`${PRELUDE_PREFIX}${nonce}`, 'latin1');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.head === undefined) {
      this.release(chunk);
      callback();
      return;
    }
    this.head = Buffer.concat([this.head, chunk]);
    this.readPrelude(false);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.head !== undefined) this.readPrelude(true);
    if (this.heldCr) this.push(Buffer.from([CR]));
    this.heldCr = false;
    callback();
  }

  private readPrelude(final: boolean): void {
    const head = this.head ?? Buffer.alloc(0);
    const needed = this.prelude.length + 2;
    const comparable = Math.min(head.length, this.prelude.length);
    if (!head.subarray(0, comparable).equals(this.prelude.subarray(0, comparable))) {
      this.head = undefined;
      this.release(head);
      return;
    }
    if (head.length < needed && !final) return;
    this.head = undefined;
    const after = head.subarray(this.prelude.length);
    if (after[0] === LF) {
      this.handling = 'stty-onlcr-off';
      this.release(after.subarray(1));
    } else if (after[0] === CR && after[1] === LF) {
      this.release(after.subarray(2));
    } else {
      this.release(head);
    }
  }

  private release(data: Buffer): void {
    if (this.handling === 'stty-onlcr-off') {
      if (data.length > 0) this.push(data);
      return;
    }
    let input = data;
    if (this.heldCr) {
      this.heldCr = false;
      input = Buffer.concat([Buffer.from([CR]), data]);
    }
    if (input.length === 0) return;
    if (input[input.length - 1] === CR) {
      this.heldCr = true;
      input = input.subarray(0, -1);
    }
    const out = Buffer.allocUnsafe(input.length);
    let length = 0;
    let from = 0;
    for (let at = input.indexOf(CR, from); at >= 0; at = input.indexOf(CR, at + 1)) {
      if (input[at + 1] !== LF) continue;
      length += input.copy(out, length, from, at);
      from = at + 1;
    }
    length += input.copy(out, length, from);
    if (length > 0) this.push(out.subarray(0, length));
  }
}
