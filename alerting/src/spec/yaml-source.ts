// Parsed YAML that still knows where each value was written, so problems name a line.
import { isMap, isSeq, LineCounter, parseAllDocuments, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { formatPath } from '../problems';
import type { SpecProblem } from '../problems';

export type Path = (string | number)[];

export class YamlSource {
  readonly problems: SpecProblem[] = [];
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  get data(): unknown {
    return this.doc.toJS();
  }

  lineOf(path: Path): number {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as YamlNode | undefined;
      if (node && (node.range || isMap(node) || isSeq(node)))
        return this.lines.linePos(node.range?.[0] ?? 0).line;
    }
    return 1;
  }

  report(path: Path, message: string): void {
    this.problems.push({
      file: this.file,
      line: this.lineOf(path),
      path: formatPath(path),
      message,
    });
  }
}

function syntaxProblems(file: string, doc: Document, lines: LineCounter): SpecProblem[] {
  return doc.errors.map((err) => ({
    file,
    line: lines.linePos(err.pos[0]).line,
    path: '',
    message: `YAML syntax error: ${err.message.split('\n')[0]}`,
  }));
}

/** One YAML document; syntax errors come back as problems. */
export function readYaml(text: string, file: string): YamlSource | SpecProblem[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const errs = syntaxProblems(file, doc, lines);
  return errs.length ? errs : new YamlSource(file, doc, lines);
}

/** Every document of a multi-document stream (OpenSLO files put SLO and SLI together). */
export function readYamlDocuments(text: string, file: string): YamlSource[] | SpecProblem[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  if (!Array.isArray(docs)) return [{ file, line: 1, path: '', message: 'not a YAML stream' }];
  const errs = docs.flatMap((d) => syntaxProblems(file, d, lines));
  return errs.length ? errs : docs.map((d) => new YamlSource(file, d, lines));
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
