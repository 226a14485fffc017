#!/usr/bin/env node
/** The ecs-diag CLI entry point (built into dist/cli/ecs-diag.mjs by build/build.mjs). */
import { main } from './program.ts';

process.exitCode = await main(process.argv.slice(2));
