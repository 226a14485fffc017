#!/usr/bin/env node
/** The ecs-diag CLI entry point (built into dist/cli/ecs-diag.mjs by build/build.mjs). */
import module from 'node:module';

// V8's on-disk compile cache (Node 22.1 and newer; absent on Node 20) for the modules imported below: each
// run then skips most of the parsing and compiling of the bundle's chunks. It is enabled before they load.
module.enableCompileCache?.();
const { main } = await import('./program.ts');
process.exitCode = await main(process.argv.slice(2));
