/** How a device of an instance or a profile names this kind: a nic's network: or parent: (ResourceSpec.deviceReferences). */
import type { DeviceReference } from '../spec.js';

declare module '../spec.js' {
  interface DeviceReferencedKinds {
    network: true;
  }
}

export function networkDeviceReferences(dev: Record<string, string>): DeviceReference[] {
  // A nic's network: (a managed network), or its parent: (maybe a host interface: never an error).
  return dev.type !== 'nic'
    ? []
    : dev.network
      ? [{ key: 'network', name: dev.network, mustExist: true }]
      : dev.parent
        ? [{ key: 'parent', name: dev.parent, mustExist: false }]
        : [];
}
