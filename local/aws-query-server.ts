/**
 * A small HTTP server for the AWS query protocols (IAM's awsQuery, EC2's ec2Query): the SDK POSTs a
 * form-encoded body with `Action` and `Version`; answers are XML (`<ActionResponse>`), errors are
 * AWS's XML error documents. Shared by the IAM, EC2 and SNS emulators. Binds 127.0.0.1 only.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsServiceError } from './aws-json-server.ts';

export { AwsServiceError };

/** The form parameters of one call (`ActionNames.member.1` → value). */
export type QueryParams = Map<string, string>;

/** One operation: takes the parameters, returns the result element's content (or throws AwsServiceError). */
export type QueryOperation = (params: QueryParams) => XmlValue | Promise<XmlValue>;

/** XML content: text, a list (repeated `member`/`item` elements), or child elements by name. */
export type XmlValue = string | number | boolean | undefined | XmlValue[] | { [tag: string]: XmlValue };

export interface AwsQueryServerOptions {
  /** `awsQuery` wraps results in `<ActionResult>` and lists in `<member>`; `ec2Query` uses neither/`<item>`. */
  protocol: 'awsQuery' | 'ec2Query';
  /** The XML namespace of responses. */
  namespace: string;
  operations: Record<string, QueryOperation>;
  port?: number;
}

export interface AwsQueryServer {
  endpoint: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Serialises XML content; lists become repeated `itemTag` elements. */
export function toXml(value: XmlValue, itemTag: string): string {
  if (value === undefined) return '';
  if (Array.isArray(value))
    return value.map((item) => `<${itemTag}>${toXml(item, itemTag)}</${itemTag}>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, child]) => child !== undefined)
      .map(([tag, child]) => `<${tag}>${toXml(child, itemTag)}</${tag}>`)
      .join('');
  }
  return escapeXml(String(value));
}

/** The values of a query list: `prefix.1`, `prefix.2`, ... (awsQuery lists put `.member` in the prefix). */
export function listParam(params: QueryParams, prefix: string): string[] {
  const values: string[] = [];
  for (let index = 1; params.has(`${prefix}.${index}`); index++)
    values.push(params.get(`${prefix}.${index}`) ?? '');
  return values;
}

/** The indexes of a list of structures: `prefix.N.field` present for N = 1, 2, ... */
export function structIndexes(params: QueryParams, prefix: string): number[] {
  const indexes: number[] = [];
  for (let index = 1; [...params.keys()].some((key) => key.startsWith(`${prefix}.${index}.`)); index++) {
    indexes.push(index);
  }
  return indexes;
}

/** Starts the server on 127.0.0.1 (port 0 by default). */
export async function startAwsQueryServer(options: AwsQueryServerOptions): Promise<AwsQueryServer> {
  const itemTag = options.protocol === 'awsQuery' ? 'member' : 'item';

  function send(res: ServerResponse, status: number, xml: string): void {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
    res.writeHead(status, {
      'content-type': 'text/xml',
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(body);
  }

  function sendError(res: ServerResponse, status: number, code: string, message: string): void {
    const requestId = randomUUID();
    if (options.protocol === 'awsQuery') {
      send(
        res,
        status,
        `<ErrorResponse xmlns="${options.namespace}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    } else {
      send(
        res,
        status,
        `<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      );
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new Error('request body too large');
      chunks.push(chunk as Buffer);
    }
    const params: QueryParams = new Map(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const action = params.get('Action') ?? '';
    const operation = Object.hasOwn(options.operations, action) ? options.operations[action] : undefined;
    if (req.method !== 'POST' || operation === undefined) {
      sendError(
        res,
        400,
        'InvalidAction',
        `The action ${action || '(none)'} is not valid for this web service (not emulated locally).`,
      );
      return;
    }
    try {
      const content = toXml(await operation(params), itemTag);
      const requestId = randomUUID();
      send(
        res,
        200,
        options.protocol === 'awsQuery'
          ? `<${action}Response xmlns="${options.namespace}"><${action}Result>${content}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
          : `<${action}Response xmlns="${options.namespace}"><requestId>${requestId}</requestId>${content}</${action}Response>`,
      );
    } catch (error) {
      if (error instanceof AwsServiceError) sendError(res, error.statusCode, error.type, error.message);
      else sendError(res, 500, 'InternalFailure', `emulator failure: ${String(error)}`);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendError(res, 500, 'InternalFailure', String(error)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
