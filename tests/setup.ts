import { jest } from '@jest/globals';

jest.setTimeout(60_000);
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_REGION ??= 'eu-west-1';
process.env.AWS_ACCESS_KEY_ID ??= 'AKIDLOCALTESTING';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local-testing-secret';
