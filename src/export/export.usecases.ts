/** `upw export`: one BI view, filtered, streamed out as CSV or JSON. */
import { once } from 'node:events';
import { isValidDay } from '../dates.js';
import { BadInputError } from '../errors.js';
import { listViews, selectView, viewColumns, type ViewFilter } from '../store/export.repository.js';
import type { Warehouse } from '../store/warehouse.js';
import { ENCODERS, FORMATS, type ExportFormat } from './export.format.js';

export interface ExportInput {
  wh: Warehouse;
  /** A v_* view; the `v_` may be left out (`daily_metrics`). */
  view: string;
  format?: string;
  profiles?: readonly string[];
  platforms?: readonly string[];
  startDate?: string;
  endDate?: string;
  /** Where the encoded rows go; written with backpressure, never ended here. */
  out: NodeJS.WritableStream;
}

export interface ExportSummary {
  view: string;
  format: ExportFormat;
  columns: string[];
  rows: number;
}

/** The view's real name, or bad input naming it and listing the ones there are. */
export function resolveView(wh: Warehouse, name: string): string {
  const views = listViews(wh);
  const found = views.find((v) => v === name || v === `v_${name}`);
  if (!found) throw new BadInputError(`unknown view "${name}" (expected one of ${views.join(', ')})`);
  return found;
}

function checkFormat(format: string | undefined): ExportFormat {
  const f = (format ?? 'csv').toLowerCase();
  if (!(FORMATS as readonly string[]).includes(f)) throw new BadInputError(`--format: unknown format "${format}" (expected csv or json)`);
  return f as ExportFormat;
}

function checkDay(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && !isValidDay(value)) throw new BadInputError(`${flag}: "${value}" is not a real day in YYYY-MM-DD format`);
  return value;
}

/** The filter, checked against the columns the view actually has. */
export function filterFor(wh: Warehouse, view: string, input: Omit<ExportInput, 'wh' | 'view' | 'out' | 'format'>): ViewFilter {
  const startDay = checkDay('--start-date', input.startDate);
  const endDay = checkDay('--end-date', input.endDate);
  if (startDay && endDay && startDay > endDay) throw new BadInputError(`--start-date ${startDay} is after --end-date ${endDay}`);
  const columns = new Set(viewColumns(wh, view).map((c) => c.name));
  const need = (flag: string, column: string) => {
    if (!columns.has(column)) throw new BadInputError(`${flag} does not apply to ${view}: it has no ${column} column`);
  };
  if (input.profiles?.length) need('--profile', 'profile_username');
  if (input.platforms?.length) need('--platform', 'platform');
  if (startDay !== undefined || endDay !== undefined) need(startDay !== undefined ? '--start-date' : '--end-date', 'day');
  return { profiles: input.profiles, platforms: input.platforms, startDay, endDay };
}

// Rows are batched into chunks of about this many characters: one write per row would be slow.
const CHUNK = 64 * 1024;

async function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  // A stream already torn down (its reader went away) would never emit 'drain': stop here.
  if ((out as { destroyed?: boolean }).destroyed) throw Object.assign(new Error('the output was closed'), { code: 'EPIPE' });
  if (!out.write(text)) await once(out, 'drain');
}

/** Validate, then stream the view's rows to `out`. Nothing is written unless the input is good. */
export async function exportView(input: ExportInput): Promise<ExportSummary> {
  const { wh, out } = input;
  const view = resolveView(wh, input.view);
  const format = checkFormat(input.format);
  const filter = filterFor(wh, view, input);
  const encoder = ENCODERS[format];
  const { columns, rows } = selectView(wh, view, filter);
  let buffer = encoder.header(columns);
  let count = 0;
  for (const values of rows) {
    buffer += encoder.row(columns, values, count++);
    if (buffer.length >= CHUNK) {
      await write(out, buffer);
      buffer = '';
    }
  }
  await write(out, buffer + encoder.footer(count));
  return { view, format, columns, rows: count };
}
