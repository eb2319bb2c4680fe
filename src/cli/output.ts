/** Where commands write: --out files and a stdout that may close early. */
import { statSync } from 'node:fs';
import { BadInputError } from '../errors.js';
import { ensureParentDirectory } from '../store/files.js';

/** An --out target before anything is read: a file, not a directory; the directories above it made (0750). */
export function prepareOutFile(path: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // not there yet: it will be
  }
  if (isDirectory) throw new BadInputError(`--out ${path} is a directory: name the file to write`);
  ensureParentDirectory(path, 'the --out file');
}

/** The reader of our stdout went away (`upw export … | head -1`): not an error, the output was simply not wanted. */
export function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE' || (error as NodeJS.ErrnoException | undefined)?.code === 'ERR_STREAM_DESTROYED';
}
