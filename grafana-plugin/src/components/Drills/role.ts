import { config } from '@grafana/runtime';

const RANK: Record<string, number> = { Viewer: 1, Editor: 2, Admin: 3 };

export interface StartPermission {
  allowed: boolean;
  /** Why the Start button is disabled, in the user's words. */
  reason?: string;
  user?: string;
}

/** Starting or aborting a drill changes the cluster: Editor and above, as the plugin routes require. */
export function drillPermission(role: string | undefined, login?: string): StartPermission {
  const user = login && /^[\w.@-]{1,64}$/.test(login) ? login : undefined;
  if ((RANK[role ?? ''] ?? 0) >= RANK.Editor!) return { allowed: true, user };
  return {
    allowed: false,
    user,
    reason: `Your role is ${role || 'unknown'}: starting or aborting a drill needs the Editor role`,
  };
}

export function currentDrillPermission(): StartPermission {
  const u = config.bootData?.user;
  return drillPermission(u?.orgRole, u?.login);
}
