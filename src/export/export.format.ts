/** Row encoders for `upw export`: RFC 4180 CSV and a JSON array, one chunk per row. */

export const FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof FORMATS)[number];

export interface Encoder {
  header(columns: readonly string[]): string;
  row(columns: readonly string[], values: readonly unknown[], index: number): string;
  footer(rowCount: number): string;
}

// RFC 4180: a field holding a comma, a quote or a line break is quoted, with quotes doubled.
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field: NULL is the empty field; everything else its text. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : typeof value === 'bigint' ? value.toString() : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// RFC 4180 ends records with CRLF; every spreadsheet and BI loader accepts it.
const CRLF = '\r\n';

const csv: Encoder = {
  header: (columns) => columns.map(csvField).join(',') + CRLF,
  row: (_columns, values) => values.map(csvField).join(',') + CRLF,
  footer: () => '',
};

const json: Encoder = {
  header: () => '[',
  row: (columns, values, index) => {
    const object: Record<string, unknown> = {};
    columns.forEach((c, i) => (object[c] = values[i] ?? null));
    return `${index === 0 ? '\n' : ',\n'}  ${JSON.stringify(object)}`;
  },
  footer: (rowCount) => (rowCount === 0 ? ']\n' : '\n]\n'),
};

export const ENCODERS: Readonly<Record<ExportFormat, Encoder>> = { csv, json };
