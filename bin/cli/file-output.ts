/** A file that a capture's output is written to, for `--out`. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';

/**
 * Opens `path` now, so that a path that cannot be written fails before a session is consumed, and returns a
 * stream that writes to it synchronously. A new file is created readable by its owner only (the output is raw and
 * unredacted); an existing one is truncated and keeps its mode. A regular file's writes land in the page cache, so
 * a synchronous write costs less than `createWriteStream`'s round trip through the thread pool per chunk (a 512 MB
 * `attach`: 0.0125 against 0.0156 CPU-s/MB, medians, BENCHMARKS.md). Throws the `open` error (ENOENT, EACCES,
 * EISDIR).
 */
export function openOutputFile(path: string): Writable {
  const fd = openSync(path, 'w', 0o600);
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      try {
        writeAll(fd, chunk);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    final(callback) {
      try {
        close();
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    destroy(error, callback) {
      try {
        close();
      } catch {
        // the stream is already failing with `error`
      }
      callback(error);
    },
  });
}

function writeAll(fd: number, chunk: Buffer): void {
  for (let offset = 0; offset < chunk.length; ) offset += writeSync(fd, chunk, offset);
}
