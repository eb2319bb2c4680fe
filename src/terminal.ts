/**
 * One status line (a progress bar) at the bottom of a terminal, and log lines
 * that never run into it: a log line clears the bar, is written, and the bar
 * is drawn again below it. Every write here is synchronous (stderr is, on a
 * Linux terminal or pipe), so the three never interleave.
 */
const CLEAR = '\r\x1b[2K';

let current: { stream: NodeJS.WritableStream; text: string } | undefined;

/** Draw (or redraw) the status line on `stream`, a terminal. */
export function showStatus(stream: NodeJS.WritableStream, text: string): void {
  current = { stream, text };
  stream.write(`${CLEAR}${text}`);
}

/** Leave the status line as it is drawn and move below it: the next output starts on a fresh line. */
export function endStatus(): void {
  if (!current) return;
  current.stream.write('\n');
  current = undefined;
}

/** Run `write` (a log line) with the status line out of its way. */
export function aboveStatus(write: () => void): void {
  if (!current) return write();
  current.stream.write(CLEAR);
  write();
  current.stream.write(current.text);
}
