/** A one-line progress bar on a terminal; silent otherwise (pino logs tell the story). */
export function progressBar(stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string): { update(done: number, total: number): void; end(): void } {
  if (!stream.isTTY) return { update() {}, end() {} };
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    },
    end() {
      stream.write('\n');
    },
  };
}
