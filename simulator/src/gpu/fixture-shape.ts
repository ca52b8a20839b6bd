// The format of a tool's output cell, independent of its value: what "matches real output
// line for line in format" means for the fake tools' tests.

const SHAPES: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^\[[^\]]+\]$|^N\/A$/, (m) => `literal:${m[0]}`],
  [/^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, () => 'uuid'],
  [/^[0-9A-F]{8}:[0-9A-F]{2}:[0-9A-F]{2}\.[0-9A-F]$/, () => 'pci-bus-id'],
  [/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/, () => 'timestamp'],
  [/^0x[0-9A-Fa-f]+$/, (m) => `hex${m[0].length}`],
  [/^P\d{1,2}$/, () => 'pstate'],
  [
    /^-?\d+(?:\.(\d+))?(?: (%|MiB|W|MHz|C))?$/,
    (m) => `number.${m[1]?.length ?? 0}${m[2] ? ` ${m[2]}` : ''}`,
  ],
];

export function cellShape(cell: string): string {
  for (const [re, name] of SHAPES) {
    const m = re.exec(cell);
    if (m) return name(m);
  }
  return 'text';
}

/** Splits a CSV line as nvidia-smi writes it (", " between cells, no quoting). */
export function csvCells(line: string): string[] {
  return line.split(', ');
}

/** The shape of a whole line: cell by cell. */
export function lineShape(line: string): string[] {
  return csvCells(line).map(cellShape);
}

export interface ToolFixture {
  name: string;
  tool: string;
  args: string[];
  card: string;
  output: string[];
}

export function parseFixture(name: string, text: string): ToolFixture {
  const lines = text.replace(/\n$/, '').split('\n');
  const cmd = /^# command: (\S+)\s*(.*)$/.exec(lines[0] ?? '');
  const card = /^# card: (.+)$/.exec(lines[1] ?? '');
  if (!cmd || !card) throw new Error(`${name}: expected "# command:" and "# card:" header lines`);
  return {
    name,
    tool: cmd[1] as string,
    args: (cmd[2] as string).split(/\s+/).filter(Boolean),
    card: card[1] as string,
    output: lines.slice(2),
  };
}
