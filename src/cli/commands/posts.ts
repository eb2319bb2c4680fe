import { BadInputError } from '../../errors.js';
import type { CommandIo } from '../common.js';

export async function run(_argv: string[], _io: CommandIo): Promise<number> {
  throw new BadInputError('upw posts is not built yet');
}
