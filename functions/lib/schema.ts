/**
 * The schema library for every validated input: zod's `zod/mini` build, which tree-shakes to the checks a
 * schema uses (the classic `zod` entry pulls in every method and locale, about 450 KiB and 30+ ms of module
 * initialisation per cold start). Mini carries no messages of its own; the English locale configured here
 * gives the same messages as the classic build.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

// Consumers import it as a namespace (`import * as z`): esbuild keeps only the members they use.
export * from 'zod/mini';
