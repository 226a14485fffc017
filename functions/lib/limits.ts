/**
 * Request limits that code outside the schemas needs too: a module without dependencies, so that reading a
 * limit (the CLI's `--max-tasks` parser) does not load the schema library.
 */

/** Largest `maxTasks` (tasks sampled per service). */
export const MAX_TASKS_LIMIT = 50;
