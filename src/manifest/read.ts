/**
 * Reading one manifest file's bytes into text, defensively: a manifest is a small hand-written
 * file, so anything else (a 50 MB file, /dev/zero, a tarball or a UTF-16 file saved under a
 * .yaml name) gets one clear error instead of a parser that runs out of memory or a confusing
 * YAML message about replacement characters.
 */
import { open } from 'node:fs/promises';
import { LxplanError, type SourceLocation } from '../errors.js';

/**
 * The largest manifest file lxplan reads. Loading costs about 200 bytes of memory per byte of
 * YAML (nodes with positions, plain data, desired objects): 100,000 one-line instances are a
 * 2 MB file that loads in about 2 s and 400 MB; at this limit, about 7 s and 900 MB. A
 * hand-written configuration is far smaller; a bigger one can be split into several files.
 */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

function mib(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
}

/**
 * The file's text, or a `manifest.io` error (cannot read, not a regular file, too big) or a
 * located `manifest.syntax` error (not UTF-8, control characters: not a text file).
 * Reads at most MAX_MANIFEST_BYTES + 1 bytes whatever the file claims its size is.
 */
export async function readManifestText(abs: string, display: string): Promise<{ text: string } | { error: LxplanError }> {
  let fh;
  try {
    fh = await open(abs, 'r');
  } catch (e) {
    return { error: new LxplanError('manifest.io', `cannot read manifest file ${display}: ${(e as Error).message}`, { cause: e }) };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      return {
        error: new LxplanError('manifest.io', `manifest file ${display} is not a regular file`, {
          hint: 'give a manifest file or a directory of *.yaml files',
        }),
      };
    }
    const tooBig = (size: string) =>
      new LxplanError('manifest.io', `manifest file ${display} is too big (${size}); lxplan reads manifest files of at most ${mib(MAX_MANIFEST_BYTES)}`, {
        hint: 'a manifest is hand-written YAML: check that this is the file you meant, or split the configuration into several files in the same directory',
      });
    if (st.size > MAX_MANIFEST_BYTES) return { error: tooBig(mib(st.size)) };
    // The file can grow while we read: read until the end, never past the limit.
    let buf = Buffer.alloc(Math.max(st.size + 1, 4096));
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        const bigger = Buffer.alloc(Math.min(buf.length * 2, MAX_MANIFEST_BYTES + 1));
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > MAX_MANIFEST_BYTES) return { error: tooBig(`more than ${mib(MAX_MANIFEST_BYTES)}`) };
    }
    return decodeManifest(buf.subarray(0, n), display);
  } catch (e) {
    return { error: new LxplanError('manifest.io', `cannot read manifest file ${display}: ${(e as Error).message}`, { cause: e }) };
  } finally {
    await fh.close().catch(() => {});
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Bytes to text: UTF-8 (an initial byte order mark is dropped) without control characters. */
export function decodeManifest(bytes: Uint8Array, display: string): { text: string } | { error: LxplanError } {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    const bad = Math.min(firstInvalidUtf8(bytes), bytes.length - 1);
    const before = decoder.decode(bytes.subarray(0, bad));
    const utf16 = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
    return {
      error: new LxplanError('manifest.syntax', `manifest file is not UTF-8 text: invalid byte 0x${bytes[bad].toString(16).padStart(2, '0')}`, {
        location: position(display, before, before.length),
        hint: utf16 ? 'the file is UTF-16: save it as UTF-8' : 'is this a binary file? Manifests are UTF-8 YAML; save the file as UTF-8',
      }),
    };
  }
  // YAML allows tab, line feed and carriage return; other C0 controls and DEL are not printable.
  // eslint-disable-next-line no-control-regex -- what is looked for: control characters in a manifest
  const ctrl = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.exec(text);
  if (ctrl) {
    const code = ctrl[0].charCodeAt(0);
    return {
      error: new LxplanError(
        'manifest.syntax',
        `manifest file contains the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}, which YAML does not allow`,
        {
          location: position(display, text, ctrl.index),
          hint:
            code === 0
              ? 'is this a binary file? Manifests are UTF-8 YAML text'
              : 'write control characters as escapes in a double-quoted string, e.g. "\\u0007"',
        },
      ),
    };
  }
  return { text };
}

/** 1-based line and column (in UTF-16 code units, as the YAML positions) of `index` in `text`. */
function position(file: string, text: string, index: number): SourceLocation {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { file, line, col: index - lineStart + 1 };
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return b.length;
}
