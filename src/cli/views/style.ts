/** Colours for a terminal only: NO_COLOR, a pipe or a dumb terminal get plain text. */
import { Chalk, type ChalkInstance } from 'chalk';

export function makeChalk(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const level =
    noColor || !stream.isTTY || env.TERM === 'dumb'
      ? 0
      : (Math.min(3, Math.max(1, (stream.getColorDepth?.() ?? 4) >= 24 ? 3 : (stream.getColorDepth?.() ?? 4) >= 8 ? 2 : 1)) as 1 | 2 | 3);
  return new Chalk({ level });
}

export const plain: ChalkInstance = new Chalk({ level: 0 });
