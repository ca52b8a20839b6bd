// --export-client-list: CLIENT LIST → redis_connected_clients_details{name,age,idle,flags,db,
// omem,cmd,host[,port]} 1, the shape Debian's redis_exporter (v1.45) exports; age and idle are
// turned into unix timestamps, as there.
import type { Labels, MetricSink } from './exposition';
import { HELP } from './metric-map';

export function parseClientLine(
  line: string,
  nowSeconds: number,
  withPort: boolean,
): Labels | undefined {
  if (!/^id=\d+ addr=\d+/.test(line)) return undefined;
  const kv = new Map<string, string>();
  for (const part of line.trim().split(' ')) {
    const i = part.indexOf('=');
    if (i < 0) return undefined;
    kv.set(part.slice(0, i), part.slice(i + 1));
  }
  const age = Number(kv.get('age'));
  const idle = Number(kv.get('idle'));
  if (!kv.has('age') || !kv.has('idle') || Number.isNaN(age) || Number.isNaN(idle))
    return undefined;
  const addr = kv.get('addr') ?? '';
  const colon = addr.lastIndexOf(':');
  if (colon < 0) return undefined;
  const labels: Labels = {
    name: kv.get('name') ?? '',
    age: String(Math.floor(nowSeconds) - age),
    idle: String(Math.floor(nowSeconds) - idle),
    flags: kv.get('flags') ?? '',
    db: kv.get('db') ?? '',
    omem: kv.get('omem') ?? '',
    cmd: kv.get('cmd') ?? '',
    host: addr.slice(0, colon),
  };
  if (withPort) labels.port = addr.slice(colon + 1);
  return labels;
}

export function extractClientList(
  sink: MetricSink,
  clientList: string,
  withPort: boolean,
  nowSeconds = Date.now() / 1000,
): void {
  for (const line of clientList.split('\n')) {
    const labels = parseClientLine(line, nowSeconds, withPort);
    if (labels) sink.gauge('connected_clients_details', 1, labels, HELP.connected_clients_details);
  }
}
