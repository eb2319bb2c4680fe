/** A one-line progress bar on a terminal; silent otherwise (pino logs tell the story). */
import { endStatus, showStatus } from '../terminal.js';

export function progressBar(stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string): { update(done: number, total: number): void; end(): void } {
  if (!stream.isTTY) return { update() {}, end() {} };
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      drawn = true;
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      // Through the status line, so that a log line written meanwhile clears the bar first.
      showStatus(stream, `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    },
    end() {
      if (drawn) endStatus();
    },
  };
}
