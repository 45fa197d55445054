/** Reads the memory limit the kernel enforces on a process (cgroup v1 or v2), from /proc and /sys. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

async function readNumber(file: string): Promise<number | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text === 'max' ? Infinity : Number(text);
  } catch {
    return undefined;
  }
}

/** The tightest memory limit on the cgroup path of `pid`, walking up to the root. */
export async function memoryLimitOf(pid: number): Promise<number> {
  const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).trim().split('\n');
  const v1 = lines.find((l) => l.split(':')[1]?.split(',').includes('memory'));
  const [base, rel, file] = v1
    ? ['/sys/fs/cgroup/memory', v1.split(':')[2], 'memory.limit_in_bytes']
    : ['/sys/fs/cgroup', lines.find((l) => l.startsWith('0::'))!.slice(3), 'memory.max'];
  let limit = Infinity;
  for (let dir = rel; ; dir = path.posix.dirname(dir)) {
    const n = await readNumber(path.posix.join(base, dir, file));
    if (n !== undefined && n < limit) limit = n;
    if (dir === '/' || dir === '.' || dir === '') break;
  }
  return limit;
}
