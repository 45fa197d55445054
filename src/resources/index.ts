/** The kinds lxplan manages, in dependency order for display: what others use comes first. */
import { imageOps, imageSpec } from './image.js';
import { instanceOps, instanceSpec } from './instance.js';
import { profileOps, profileSpec } from './profile.js';
import type { ResourceOps, ResourceSpec } from './spec.js';
import type { Kind } from './types.js';

export const specs: Record<Kind, ResourceSpec<any, any>> = {
  image: imageSpec,
  profile: profileSpec,
  instance: instanceSpec,
};

export const ops: Record<Kind, ResourceOps<any>> = {
  image: imageOps,
  profile: profileOps,
  instance: instanceOps,
};

export type { Impact } from './impact.js';
export { worstImpact } from './impact.js';
export * from './spec.js';
export * from './types.js';
