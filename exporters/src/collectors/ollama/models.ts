// Model names become label values, so their set must stay bounded (DESIGN.md §4): names the
// inventory knows pass; others pass until the cap, then count as "other".
export class ModelLabels {
  private readonly seen = new Set<string>();

  constructor(
    private readonly known: ReadonlySet<string>,
    private readonly maxUnknown = 50,
  ) {}

  label(model: string | undefined): string {
    const m = (model ?? '').trim();
    if (!m) return 'unknown';
    if (this.known.has(m) || this.seen.has(m)) return m;
    if (this.seen.size >= this.maxUnknown) return 'other';
    this.seen.add(m);
    return m;
  }
}
