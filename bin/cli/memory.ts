/** Memory settings for the commands that stream a session's output for as long as it lasts. */
import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its initial size (1 MiB semi-spaces) for the rest of the process. V8 doubles it,
 * up to 32 MiB per semi-space on Node 24, whenever enough objects survive scavenges, which a long capture's
 * steady allocation always reaches: a 1 GB `attach` then peaked at 146–156 MiB RSS, and at 81.5–85 MiB with this,
 * for the same CPU (BENCHMARKS.md, capture-attach). The growth factor is read each time V8 would grow the space, so
 * setting it at run time works (the semi-space maximum is fixed at start-up and cannot be lowered here).
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
