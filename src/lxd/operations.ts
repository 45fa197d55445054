/**
 * Background operations. LXD answers long actions (create, start, stop, delete an
 * instance, upload an image) with 202 and an operation URL; the result is known only
 * when the operation ends. lxplan always waits: the executor's order (image, then the
 * instance using it) relies on each step being finished when its call returns.
 */
import type { LxdOperation } from './types.js';

/** LXD status codes (shared/api/status_code.go): below 200 still going, 200 done, 4xx ended badly. */
export const OP_SUCCESS = 200;
export const OP_FAILURE = 400;
export const OP_CANCELLED = 401;

export function isOperationFinished(op: Pick<LxdOperation, 'status_code'>): boolean {
  return op.status_code >= 200;
}

/** "/1.0/operations/<uuid>" from whatever LXD put in the envelope (it may carry a query). */
export function operationPath(url: string): string {
  return new URL(url, 'http://lxd').pathname;
}

/**
 * Long-polls /wait until the operation ends. Each poll is bounded (`timeoutS`) so a
 * daemon that drops the connection, or a proxy in between, cannot hang us forever
 * without notice, yet the loop itself waits as long as the operation takes.
 */
export async function waitOperation(
  get: (path: string, query: Record<string, string>) => Promise<LxdOperation>,
  url: string,
  timeoutS: number,
): Promise<LxdOperation> {
  const wait = `${operationPath(url)}/wait`;
  for (;;) {
    const op = await get(wait, { timeout: String(timeoutS) });
    if (isOperationFinished(op)) return op;
  }
}
