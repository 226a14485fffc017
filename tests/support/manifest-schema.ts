/** Validates a written manifest against schemas/manifest.v2.schema.json (ajv, draft 2020-12, with formats). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const schema = JSON.parse(
  readFileSync(join(process.cwd(), 'schemas', 'manifest.v2.schema.json'), 'utf8'),
) as Record<string, unknown>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(
  new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }),
);
const validate = ajv.compile(schema);

/** Throws (a failed expectation listing every violation) unless `manifest` is a valid v2 manifest. */
export function expectValidManifest(manifest: unknown): void {
  const valid = validate(manifest);
  const problems = (validate.errors ?? []).map(
    (error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
  );
  expect(problems).toEqual([]);
  expect(valid).toBe(true);
}
