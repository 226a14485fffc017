import { ConfigurationError } from './errors.ts';

/** Reads a required environment variable; a missing one fails the cold start, not the tenth request. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`environment variable ${name} is not set; set it in template.yaml`);
  }
  return value;
}

/** Reads an optional environment variable, with a default. */
export function optionalEnv(name: string, fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  return value === undefined || value.trim() === '' ? fallback : value;
}

/** Reads an integer environment variable within [min, max]. */
export function integerEnv(
  name: string,
  fallback: number,
  range: { min: number; max: number },
  env: NodeJS.ProcessEnv = process.env,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new ConfigurationError(
      `environment variable ${name}=${JSON.stringify(raw)} must be an integer from ${range.min} to ${range.max}`,
    );
  }
  return value;
}

/** Reads a comma-separated list environment variable (empty entries dropped). */
export function listEnv(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
