import { jest } from '@jest/globals';

jest.setTimeout(60_000);
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// EMF metrics go to stdout; the tests that check them turn them on for their own Metrics instance.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_REGION ??= 'eu-west-1';
process.env.AWS_ACCESS_KEY_ID ??= 'AKIDLOCALTESTING';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local-testing-secret';
// No test may reach a real AWS endpoint: a client that is not pointed at a local server (or mocked)
// goes to this closed loopback port and fails fast instead of leaving the machine.
process.env.AWS_ENDPOINT_URL ??= 'http://127.0.0.1:9';
