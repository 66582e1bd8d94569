/** Built-in roles, each a superset of the one before. */
export const ROLES = ['viewer', 'explorer', 'maker', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, explorer: 1, maker: 2, admin: 3 };

/** True when `role` has at least the capabilities of `minimum`. */
export function roleAtLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
