/**
 * Console roles, as in the PHI issue: `viewer` sees counts, statuses, ids and
 * errors; `operator` may also act (replay, cancel, pause, resume); `phi` may
 * also see message content. Each role includes the ones before it.
 */
export const roles = ['viewer', 'operator', 'phi'] as const;
export type Role = (typeof roles)[number];

export type Permission = 'view' | 'act' | 'content';

const needed: Record<Permission, Role> = { view: 'viewer', act: 'operator', content: 'phi' };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return roles.indexOf(role) >= roles.indexOf(needed[permission]);
}
