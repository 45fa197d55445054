/**
 * Images published from an instance (`source: {instance: base, snapshot: clean}`), checked
 * against the instances of the manifests. LXD 5.0.2 refuses to publish a running container
 * ("Cannot export a running instance as an image", checked on this machine); a snapshot of a
 * running one publishes fine. So lxplan requires a snapshot unless the manifest keeps the
 * instance stopped: a plan never stops an instance behind the user's back to publish it.
 */
import { LxplanError } from '../../errors.js';
import type { Manifest } from '../types.js';
import { isPublishedSource } from './types.js';

export function checkPublishedSources(m: Manifest): LxplanError[] {
  const errors: LxplanError[] = [];
  for (const img of Object.values(m.images)) {
    const s = img.source;
    if (!isPublishedSource(s)) continue;
    const inst = m.instances[s.instance];
    const at = img.keyAt?.['source.instance'] ?? img.at;
    if (s.snapshot === undefined) {
      if (!inst || inst.state !== 'stopped') {
        errors.push(
          new LxplanError(
            'manifest.value',
            `image "${img.name}" is published from instance "${s.instance}"${inst ? `, which the manifests keep ${inst.state}` : ', which the manifests do not declare stopped'}: LXD cannot publish a running container`,
            {
              location: at,
              hint: `publish a snapshot of it: source: {instance: ${s.instance}, snapshot: NAME} with NAME under the instance's snapshots:${inst ? ', or declare the instance state: stopped' : ''}`,
            },
          ),
        );
      }
      continue;
    }
    if (inst && !(inst.snapshots ?? []).includes(s.snapshot)) {
      errors.push(
        new LxplanError(
          'manifest.reference',
          `image "${img.name}" is published from snapshot "${s.snapshot}" of instance "${s.instance}", which its snapshots: do not list`,
          {
            location: img.keyAt?.['source.snapshot'] ?? at,
            hint: `add ${s.snapshot} to snapshots: of instance "${s.instance}" (lxplan takes it before publishing)`,
          },
        ),
      );
    }
  }
  return errors;
}
