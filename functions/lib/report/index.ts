/** The run report: `summary.md` and `report.html`, rendered from the manifest and written next to it. */
export { escapeHtml, escapeMarkdown } from './escape.ts';
export { type Excerpts, type OutputExcerpt, readExcerpts } from './excerpts.ts';
export { REPORT_CSP, renderReportHtml } from './report-html.ts';
export { renderSummaryMarkdown } from './summary-markdown.ts';
export { REPORT_CONTENT_TYPE, SUMMARY_CONTENT_TYPE, type WrittenReport, writeRunReport } from './write.ts';
