/** How snapshots are exported (lxplan export): in their instance's `snapshots:` list (instance/export.ts), and imported with it by export --import. */
import type { KindExport } from '../export-kind.js';

export const snapshotExport: KindExport = {};
