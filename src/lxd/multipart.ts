/**
 * The body of a split-image upload: multipart/form-data with a `metadata` part and a
 * `rootfs` part, as LXD's Go client writes it. LXD hashes the part contents in order,
 * so the fingerprint is sha256(metadata bytes, rootfs bytes) whatever the framing.
 * Files are streamed from disk (images can be gigabytes) and the total length is known
 * up front, so the request carries a Content-Length instead of chunked encoding.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';

export interface MultipartFile {
  /** Form field name: LXD expects `metadata`, then `rootfs` (`rootfs.img` for VMs). */
  field: string;
  path: string;
}

export interface MultipartBody {
  stream: Readable;
  length: number;
  contentType: string;
}

export async function multipartFiles(files: MultipartFile[], onProgress?: (sent: number, total: number) => void): Promise<MultipartBody> {
  const boundary = `lxplan-${randomBytes(12).toString('hex')}`;
  const sizes = await Promise.all(files.map(async (f) => (await stat(f.path)).size));
  const heads = files.map((f, i) =>
    Buffer.from(
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\n` +
        `Content-Disposition: form-data; name="${f.field}"; filename="${path.basename(f.path).replace(/"/g, '')}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const total = sizes.reduce((a, b) => a + b, 0);
  const length = heads.reduce((a, h) => a + h.length, 0) + total + tail.length;

  async function* parts(): AsyncGenerator<Buffer> {
    let sent = 0;
    for (let i = 0; i < files.length; i++) {
      yield heads[i];
      let read = 0;
      for await (const chunk of createReadStream(files[i].path) as AsyncIterable<Buffer>) {
        read += chunk.length;
        // A file that grows while it is sent would break the promised Content-Length.
        if (read > sizes[i]) throw new Error(`${files[i].path} changed while it was being uploaded`);
        yield chunk;
        sent += chunk.length;
        onProgress?.(sent, total);
      }
      if (read !== sizes[i]) throw new Error(`${files[i].path} changed while it was being uploaded`);
    }
    yield tail;
  }

  return { stream: Readable.from(parts(), { objectMode: false }), length, contentType: `multipart/form-data; boundary=${boundary}` };
}
