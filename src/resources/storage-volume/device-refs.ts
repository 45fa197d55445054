/** How a device of an instance or a profile names this kind: a disk's source: (a custom volume in its pool:) (ResourceSpec.deviceReferences). */
import type { DeviceReference } from '../spec.js';

declare module '../spec.js' {
  interface DeviceReferencedKinds {
    storage_volume: true;
  }
}

export function volumeDeviceReferences(dev: Record<string, string>): DeviceReference[] {
  // A disk's source: that is not a path, in its pool:.
  return dev.type === 'disk' && dev.pool && dev.source && !dev.source.startsWith('/')
    ? [{ key: 'source', name: `${dev.pool}/${dev.source}`, mustExist: true }]
    : [];
}
