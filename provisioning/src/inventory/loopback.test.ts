import { isLoopback, loopbackAddress, toLoopback } from './loopback';
import type { Inventory } from './schema';

describe('loopback mapping', () => {
  it('maps A.B.C.D to 127.0.C.D', () => {
    expect(loopbackAddress('192.168.86.30', 0)).toBe('127.0.86.30');
    expect(loopbackAddress('10.1.2.3', 5)).toBe('127.0.2.3');
  });

  it('gives a named node 127.0.250.N by its position', () => {
    expect(loopbackAddress('node-gpu-primary', 0)).toBe('127.0.250.1');
    expect(loopbackAddress('jetson.local', 3)).toBe('127.0.250.4');
  });

  it('keeps loopback addresses and rejects out-of-range octets as names', () => {
    expect(loopbackAddress('127.0.86.49', 2)).toBe('127.0.86.49');
    expect(loopbackAddress('300.1.2.3', 1)).toBe('127.0.250.2');
  });

  it('recognises loopback', () => {
    expect(isLoopback('127.0.86.30')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('192.168.86.30')).toBe(false);
  });

  it('maps a whole inventory and marks it simulated', () => {
    const inv = {
      nodes: [
        { id: 'a', address: '192.168.86.41' },
        { id: 'b', address: 'pi5' },
      ],
    } as unknown as Inventory;
    const out = toLoopback(inv);
    expect(out.simulated).toBe(true);
    expect(out.nodes.map((n) => n.address)).toEqual(['127.0.86.41', '127.0.250.2']);
  });
});
