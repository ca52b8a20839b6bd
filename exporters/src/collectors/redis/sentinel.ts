// A target that is a Sentinel (`redis_mode:sentinel`), as redis_exporter's sentinels.go: the
// `masterN:` lines of INFO's Sentinel section, then per monitored master SENTINEL CKQUORUM,
// SENTINEL SENTINELS and SENTINEL SLAVES for the "ok" counts. The plain sentinel_* INFO fields
// (masters, tilt, scripts) come through the INFO table in metric-map.ts.
import type { MetricSink } from './exposition';
import { HELP } from './metric-map';
import { RespError, type RespClient, type RespValue } from './resp';

export interface SentinelMaster {
  name: string;
  status: string;
  address: string;
  slaves: number;
  sentinels: number;
}

/** `master0:name=mymaster,status=ok,address=127.0.0.1:6379,slaves=1,sentinels=3` lines. */
export function parseSentinelMasters(info: string): SentinelMaster[] {
  const out: SentinelMaster[] = [];
  for (const m of info.matchAll(/^master\d+:(.*)$/gm)) {
    const kv = new Map<string, string>();
    for (const part of m[1]!.trim().split(',')) {
      const i = part.indexOf('=');
      if (i > 0) kv.set(part.slice(0, i), part.slice(i + 1));
    }
    const name = kv.get('name');
    if (name === undefined) continue;
    out.push({
      name,
      status: kv.get('status') ?? '',
      address: kv.get('address') ?? '',
      slaves: Number(kv.get('slaves') ?? NaN),
      sentinels: Number(kv.get('sentinels') ?? NaN),
    });
  }
  return out;
}

/** Flat `[k, v, ...]` → map (SENTINEL MASTERS/SENTINELS/SLAVES entries). */
function fields(v: RespValue): Map<string, string> {
  const m = new Map<string, string>();
  if (!Array.isArray(v)) return m;
  for (let i = 0; i + 1 < v.length; i += 2) m.set(String(v[i]), String(v[i + 1]));
  return m;
}

/** Peers not flagged subjectively or objectively down. */
function okCount(reply: RespValue): number {
  if (!Array.isArray(reply)) return 0;
  return reply.filter((e) => {
    const flags = fields(e).get('flags');
    return flags !== undefined && !flags.includes('s_down') && !flags.includes('o_down');
  }).length;
}

export async function extractSentinelMetrics(
  sink: MetricSink,
  c: RespClient,
  info: string,
): Promise<void> {
  for (const m of parseSentinelMasters(info)) {
    const l = { master_name: m.name, master_address: m.address };
    sink.gauge(
      'sentinel_master_status',
      m.status === 'ok' ? 1 : 0,
      { ...l, master_status: m.status },
      HELP.sentinel_master_status,
    );
    if (!Number.isNaN(m.slaves))
      sink.gauge('sentinel_master_slaves', m.slaves, l, HELP.sentinel_master_slaves);
    if (!Number.isNaN(m.sentinels))
      sink.gauge('sentinel_master_sentinels', m.sentinels, l, HELP.sentinel_master_sentinels);
  }

  const masters = await c.call('SENTINEL', 'MASTERS');
  if (!Array.isArray(masters)) return;
  for (const entry of masters) {
    const f = fields(entry);
    const name = f.get('name');
    if (name === undefined) continue;
    const l = { master_name: name, master_address: `${f.get('ip') ?? ''}:${f.get('port') ?? ''}` };
    const [quorum, sentinels, slaves] = await Promise.all([
      c.send('SENTINEL', 'CKQUORUM', name),
      c.send('SENTINEL', 'SENTINELS', name),
      c.send('SENTINEL', 'SLAVES', name),
    ]);
    const ok = !(quorum instanceof RespError);
    sink.gauge(
      'sentinel_master_ckquorum_status',
      ok ? 1 : 0,
      { master_name: name, message: ok ? String(quorum) : quorum.message },
      HELP.sentinel_master_ckquorum_status,
    );
    // This sentinel is not in its own SENTINEL SENTINELS list, hence the 1 +.
    if (!(sentinels instanceof RespError))
      sink.gauge(
        'sentinel_master_ok_sentinels',
        1 + okCount(sentinels),
        l,
        HELP.sentinel_master_ok_sentinels,
      );
    if (!(slaves instanceof RespError))
      sink.gauge('sentinel_master_ok_slaves', okCount(slaves), l, HELP.sentinel_master_ok_slaves);
  }
}
