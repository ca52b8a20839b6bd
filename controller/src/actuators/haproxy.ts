// HAProxy actuator over the runtime API (admin socket): backend = pool name, server = node id.
// enabled → `state ready` + configured weight, drain → `state drain`, disabled → `state maint`.
// Verified with `show servers state`; established streams are never cut by either command.
import { connect } from 'node:net';
import type { BackendState } from '@okome/provisioning';
import { ActuatorError } from '../errors';
import { faultPoint } from '../faults';
import { stateOf } from './types';
import type { Actuator, PoolChange } from './types';

const HAPROXY_STATE: Record<BackendState, string> = {
  enabled: 'ready',
  drain: 'drain',
  disabled: 'maint',
};

/** srv_admin_state bits (haproxy/include/haproxy/server-t.h). */
const ADMF_MAINT = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;
const ADMF_DRAIN = 0x08 | 0x10;

/** One runtime API command; the socket answers and closes (non-interactive mode). */
export function haproxyCommand(socket: string, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = connect(socket);
    let out = '';
    const timer = setTimeout(() => {
      conn.destroy();
      reject(
        new ActuatorError('haproxy', `${socket}: no answer to "${command}" within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(command + '\n'));
    conn.on('data', (d: string) => (out += d));
    conn.on('error', (err) => {
      clearTimeout(timer);
      reject(new ActuatorError('haproxy', `${socket}: ${err.message}`));
    });
    conn.on('end', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

export interface ServerRuntimeState {
  backend: string;
  server: string;
  adminState: number;
  weight: number;
}

/** Parses `show servers state [backend]` (format version 1). */
export function parseServersState(text: string): ServerRuntimeState[] {
  const lines = text.split('\n').filter((l) => l.trim() && !/^\d+$/.test(l.trim()));
  const header = lines.find((l) => l.startsWith('#'));
  if (!header) return [];
  const cols = header.replace(/^#\s*/, '').split(/\s+/);
  const at = (name: string): number => cols.indexOf(name);
  return lines
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.split(/\s+/))
    .map((f) => ({
      backend: f[at('be_name')] ?? '',
      server: f[at('srv_name')] ?? '',
      adminState: Number(f[at('srv_admin_state')]),
      weight: Number(f[at('srv_uweight')]),
    }));
}

export function runtimeStateOf(s: ServerRuntimeState): BackendState {
  if (s.adminState & ADMF_MAINT) return 'disabled';
  if (s.adminState & ADMF_DRAIN) return 'drain';
  return 'enabled';
}

export class HaproxyActuator implements Actuator {
  readonly name = 'haproxy';

  private sockets(change: PoolChange): { node: string; socket: string }[] {
    return change.pool.frontends.map((id) => {
      const socket = change.inventory.nodes.find((n) => n.id === id)?.tools?.haproxySocket;
      if (!socket)
        throw new ActuatorError(
          'haproxy',
          `frontend ${id} of pool ${change.pool.name} has no tools.haproxySocket`,
        );
      return { node: id, socket };
    });
  }

  private async set(change: PoolChange, states: Record<string, BackendState>): Promise<void> {
    for (const { node, socket } of this.sockets(change)) {
      for (const b of change.pool.backends) {
        const st = stateOf(states, b.node);
        const srv = `${change.pool.name}/${b.node}`;
        const cmds = [`set server ${srv} state ${HAPROXY_STATE[st]}`];
        if (st === 'enabled') cmds.push(`set server ${srv} weight ${b.weight}`);
        for (const cmd of cmds) {
          const answer = (await haproxyCommand(socket, cmd)).trim();
          // Success is an empty answer; anything else is HAProxy explaining what it refused.
          if (answer) throw new ActuatorError('haproxy', `${node}: "${cmd}": ${answer}`);
        }
      }
      faultPoint('after-reload');
    }
  }

  apply(change: PoolChange): Promise<void> {
    return this.set(change, change.desired);
  }

  async verify(change: PoolChange): Promise<void> {
    for (const { node, socket } of this.sockets(change)) {
      const servers = parseServersState(
        await haproxyCommand(socket, `show servers state ${change.pool.name}`),
      );
      for (const b of change.pool.backends) {
        const s = servers.find((x) => x.server === b.node);
        if (!s)
          throw new ActuatorError('haproxy', `${node}: no server ${change.pool.name}/${b.node}`);
        const want = stateOf(change.desired, b.node);
        const got = runtimeStateOf(s);
        if (got !== want)
          throw new ActuatorError(
            'haproxy',
            `${node}: ${change.pool.name}/${b.node} is ${got}, expected ${want}`,
          );
        if (want === 'enabled' && s.weight !== b.weight)
          throw new ActuatorError(
            'haproxy',
            `${node}: ${change.pool.name}/${b.node} weight ${s.weight}, expected ${b.weight}`,
          );
      }
    }
  }

  rollback(change: PoolChange): Promise<void> {
    return this.set(change, change.previous);
  }
}
