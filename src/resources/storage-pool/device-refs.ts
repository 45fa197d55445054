/** How a device of an instance or a profile names this kind: a disk's pool: (ResourceSpec.deviceReferences). */
import type { DeviceReference } from '../spec.js';

declare module '../spec.js' {
  interface DeviceReferencedKinds {
    storage_pool: true;
  }
}

export function poolDeviceReferences(dev: Record<string, string>): DeviceReference[] {
  return dev.type === 'disk' && dev.pool ? [{ key: 'pool', name: dev.pool, mustExist: true }] : [];
}
