/**
 * `architecture:` and `ephemeral:` of instances.
 *
 * Architecture is a creation-time input: the image (or the instance copied) decides it. LXD 5.0.2
 * accepts `architecture` in an instance create from an image but makes the instance with the
 * image's architecture whatever was asked (observed: aarch64 asked, x86_64 made), so a declared
 * architecture that differs from the image's is an error before anything changes, when LXD has
 * the image; otherwise the create itself checks what LXD made. A changed architecture is a
 * replace (the new instance comes from an image of that architecture). LXD also takes
 * `architecture` in an update, where it only changes the personality the instance runs with:
 * lxplan does not do that.
 *
 * Ephemeral: LXD deletes an ephemeral instance when it stops (a restart keeps it: observed), so a
 * plan that stops a running ephemeral instance destroys it: it is planned as a replace (its disk
 * is lost; it is created again, stopped), guarded like every replace, with a note saying why.
 */
import { desiredProjectOf } from '../object-project.js';
import { LxplanError } from '../../errors.js';
import type { LxdImage } from '../../lxd/types.js';
import type { LiveSnapshot } from '../spec.js';
import type { DesiredInstance, Manifest } from '../types.js';

/** LXD's architecture names (shared/osarch), and the distribution names it accepts for them. */
export const ARCHITECTURES = [
  'x86_64',
  'i686',
  'aarch64',
  'armv6l',
  'armv7l',
  'armv8l',
  'ppc',
  'ppc64',
  'ppc64le',
  's390x',
  'mips',
  'mips64',
  'riscv32',
  'riscv64',
] as const;
const ALIASES: Record<string, string> = {
  amd64: 'x86_64',
  i386: 'i686',
  arm64: 'aarch64',
  armhf: 'armv7l',
  armel: 'armv6l',
  ppc64el: 'ppc64le',
  powerpc: 'ppc',
};

/** The canonical architecture name ("amd64" and "x86_64" are the same). */
export function canonicalArch(a: string): string {
  return ALIASES[a] ?? a;
}

export const EPHEMERAL_STOP_NOTE =
  'ephemeral: LXD deletes an ephemeral instance when it stops, so stopping it destroys it (and its disk); it is created again, stopped';

/** Whether this plan stops the running (or frozen) ephemeral instance `d` describes. */
export function stopsEphemeral(d: DesiredInstance, liveStatus: string): boolean {
  return Boolean(d.ephemeral) && d.state === 'stopped' && liveStatus !== 'stopped';
}

/**
 * A declared architecture must be the one LXD will make: the image's, when LXD has the image;
 * the copied instance's, for a copy of an instance that exists.
 */
export function checkArchitectures(m: Manifest, live: LiveSnapshot, resolveImage: (ref: string, project?: string) => string | undefined): LxplanError[] {
  const errors: LxplanError[] = [];
  for (const d of Object.values(m.instances)) {
    if (!d.architecture) continue;
    let actual: string | undefined;
    let from: string;
    if (d.copyOf) {
      actual = live.instances[d.copyOf.instance]?.architecture;
      from = `instance "${d.copyOf.instance}" it copies`;
    } else {
      const fp = resolveImage(d.image, desiredProjectOf(d, m));
      actual = fp ? live.images.find((i: LxdImage) => i.fingerprint === fp)?.architecture : undefined;
      from = `image "${d.image}"`;
    }
    if (actual === undefined || canonicalArch(actual) === canonicalArch(d.architecture)) continue;
    errors.push(
      new LxplanError('manifest.reference', `instance "${d.name}" declares architecture ${d.architecture}, but the ${from} is ${actual}`, {
        location: d.keyAt?.architecture ?? d.at,
        hint: `LXD makes an instance with its image's architecture: use an image built for ${d.architecture}, or remove architecture:`,
      }),
    );
  }
  return errors;
}

/**
 * An instance's type must match its image's (LXD has container images and virtual-machine
 * images); checked when LXD has the image (a manifest image's type is known once uploaded).
 */
export function checkImageTypes(m: Manifest, live: LiveSnapshot, resolveImage: (ref: string, project?: string) => string | undefined): LxplanError[] {
  const errors: LxplanError[] = [];
  for (const d of Object.values(m.instances)) {
    if (d.copyOf) continue;
    const fp = resolveImage(d.image, desiredProjectOf(d, m));
    const imageType = fp ? live.images.find((i) => i.fingerprint === fp)?.type : undefined;
    if (!imageType || imageType === d.type) continue;
    errors.push(
      new LxplanError('manifest.reference', `instance "${d.name}" is a ${d.type}, but image "${d.image}" is a ${imageType} image`, {
        location: d.keyAt?.type ?? d.keyAt?.image ?? d.at,
        hint:
          d.type === 'virtual-machine'
            ? 'a virtual machine needs a virtual-machine image (a disk image): import one, or make this a container'
            : 'use a container image, or make this a virtual-machine',
      }),
    );
  }
  return errors;
}
