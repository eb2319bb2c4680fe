/** Plain-text tables for the terminal: the first column left-aligned, numbers right-aligned. */

export type Cell = string | number | null | undefined;

/** A number with thousands separators; empty for a missing value. */
export function formatCell(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  return typeof cell === 'number' ? cell.toLocaleString('en-US', { maximumFractionDigits: 6 }) : cell;
}

/** Render rows under a header; a `null` row draws a separator line (e.g. before a total). */
export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly Cell[] | null>): string {
  const text = rows.map((row) => row?.map(formatCell) ?? null);
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => r?.[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ').trimEnd();
  return [line(header), rule, ...text.map((r) => (r === null ? rule : line(r)))].join('\n') + '\n';
}
