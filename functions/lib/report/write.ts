/** Writes a run's `summary.md` and `report.html` next to its manifest. */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Manifest } from '../manifest.ts';
import { type ExcerptLimits, readExcerpts } from './excerpts.ts';
import { renderReportHtml } from './report-html.ts';
import { renderSummaryMarkdown } from './summary-markdown.ts';

export const SUMMARY_CONTENT_TYPE = 'text/markdown; charset=utf-8';
export const REPORT_CONTENT_TYPE = 'text/html; charset=utf-8';

/** What was written, for the handler's log and the sandbox. */
export interface WrittenReport {
  summaryKey: string;
  reportKey: string;
  summaryBytes: number;
  reportBytes: number;
  excerpts: number;
  /** Outputs whose excerpt could not be read (the page says so on their cards). */
  excerptErrors: number;
}

/**
 * Reads the first part of each output (ranged GetObject), renders the summary and the page, and stores them
 * at `manifest.files.summary` and `manifest.files.report` with their content types. With `region`, both link
 * to the S3 console.
 */
export async function writeRunReport(
  s3: S3Client,
  bucket: string,
  manifest: Manifest,
  options: ExcerptLimits & { region?: string } = {},
): Promise<WrittenReport> {
  const excerpts = await readExcerpts(s3, bucket, manifest, options);
  const where = { bucket, ...(options.region === undefined ? {} : { region: options.region }) };
  const summary = renderSummaryMarkdown(manifest, where);
  const html = renderReportHtml(manifest, excerpts, where);
  await Promise.all([
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: manifest.files.summary,
        Body: summary,
        ContentType: SUMMARY_CONTENT_TYPE,
      }),
    ),
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: manifest.files.report,
        Body: html,
        ContentType: REPORT_CONTENT_TYPE,
      }),
    ),
  ]);
  return {
    summaryKey: manifest.files.summary,
    reportKey: manifest.files.report,
    summaryBytes: Buffer.byteLength(summary),
    reportBytes: Buffer.byteLength(html),
    excerpts: excerpts.size,
    excerptErrors: [...excerpts.values()].filter((excerpt) => excerpt.error !== undefined).length,
  };
}
