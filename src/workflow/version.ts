/** lxplan's own version, from package.json (read once). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

let cached: string | undefined;

export function lxplanVersion(): string {
  if (cached) return cached;
  // Walk up from this file (src/ or dist/src/) to the package root.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lxplan' && pkg.version) return (cached = pkg.version);
    } catch {
      // keep looking upwards
    }
  }
  return (cached = '0.0.0');
}
