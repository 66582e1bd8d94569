/**
 * A renderer for the subset of Helm's Go-template syntax the Perch chart uses, so the chart can
 * be rendered and checked in tests without a `helm` binary:
 * `{{ .Values.a.b }}`, `.Release.Name`, `.Chart.Name/Version/AppVersion`, `$var`, string
 * literals, pipelines with `quote`, `toYaml`, `nindent N`, `indent N`, `default X`,
 * `{{ if }}…{{ else }}…{{ end }}`, `{{ range $k, $v := … }}…{{ end }}` (over maps, keys sorted
 * as Helm does), and the `{{-`/`-}}` whitespace trims. Anything else throws, so the chart cannot
 * quietly use syntax this renderer would get wrong.
 */
import { stringify } from 'yaml';

type Scope = { root: Record<string, unknown>; vars: Record<string, unknown> };
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'expr'; expr: string }
  | { kind: 'if'; cond: string; then: Node[]; else: Node[] }
  | { kind: 'range'; key: string; value: string; over: string; body: Node[] };

const TAG = /\{\{(-?)\s*([\s\S]*?)\s*(-?)\}\}/g;

function tokenize(template: string): (string | { action: string })[] {
  const out: (string | { action: string })[] = [];
  let last = 0;
  let trimNext = false;
  for (const match of template.matchAll(TAG)) {
    let text = template.slice(last, match.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (match[1] === '-') text = text.replace(/\s+$/, '');
    out.push(text);
    out.push({ action: match[2]! });
    trimNext = match[3] === '-';
    last = match.index! + match[0].length;
  }
  let tail = template.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, '');
  out.push(tail);
  return out;
}

function parse(tokens: (string | { action: string })[], pos = { i: 0 }, closers: string[] = []): { nodes: Node[]; closer?: string } {
  const nodes: Node[] = [];
  while (pos.i < tokens.length) {
    const token = tokens[pos.i++]!;
    if (typeof token === 'string') {
      if (token) nodes.push({ kind: 'text', text: token });
      continue;
    }
    const action = token.action;
    if (action.startsWith('/*')) continue;
    if (closers.includes(action)) return { nodes, closer: action };
    const ifMatch = /^if\s+(.+)$/.exec(action);
    if (ifMatch) {
      const then = parse(tokens, pos, ['else', 'end']);
      const otherwise = then.closer === 'else' ? parse(tokens, pos, ['end']).nodes : [];
      nodes.push({ kind: 'if', cond: ifMatch[1]!, then: then.nodes, else: otherwise });
      continue;
    }
    const rangeMatch = /^range\s+\$(\w+),\s*\$(\w+)\s*:=\s*(.+)$/.exec(action);
    if (rangeMatch) {
      nodes.push({ kind: 'range', key: rangeMatch[1]!, value: rangeMatch[2]!, over: rangeMatch[3]!, body: parse(tokens, pos, ['end']).nodes });
      continue;
    }
    if (/^(else|end|define|include|template|with|block)\b/.test(action)) throw new Error(`unsupported template action: {{ ${action} }}`);
    nodes.push({ kind: 'expr', expr: action });
  }
  if (closers.length > 0) throw new Error(`missing {{ ${closers.join(' / ')} }}`);
  return { nodes };
}

function lookup(path: string, scope: Scope): unknown {
  if (path.startsWith('$')) {
    const [name, ...rest] = path.slice(1).split('.');
    return rest.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], scope.vars[name!]);
  }
  if (!path.startsWith('.')) throw new Error(`unsupported term: ${path}`);
  return path
    .slice(1)
    .split('.')
    .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], scope.root);
}

function term(text: string, scope: Scope): unknown {
  if (/^".*"$/.test(text)) return JSON.parse(text);
  if (/^-?\d+$/.test(text)) return Number(text);
  return lookup(text, scope);
}

const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  quote: (v) => JSON.stringify(v === undefined || v === null ? '' : String(v)),
  toYaml: (v) => (v === undefined || v === null ? '' : stringify(v).trimEnd()),
  nindent: (n, s) => '\n' + indent(Number(n), String(s)),
  indent: (n, s) => indent(Number(n), String(s)),
  default: (fallback, v) => (v === undefined || v === null || v === '' || v === false ? fallback : v),
};

function indent(n: number, s: string): string {
  return s
    .split('\n')
    .map((line) => ' '.repeat(n) + line)
    .join('\n');
}

function evaluate(expr: string, scope: Scope): unknown {
  let value: unknown;
  expr.split('|').forEach((stage, index) => {
    const parts = stage.trim().match(/"[^"]*"|\S+/g) ?? [];
    const [head, ...args] = parts;
    if (head === undefined) throw new Error(`empty pipeline stage in {{ ${expr} }}`);
    const fn = FUNCTIONS[head];
    if (!fn) {
      if (index > 0 || args.length > 0) throw new Error(`unsupported function ${head}`);
      value = term(head, scope);
      return;
    }
    const values = args.map((a) => term(a, scope));
    value = fn(...(index > 0 ? [...values, value] : values));
  });
  return value;
}

function render(nodes: Node[], scope: Scope): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'expr') {
      const value = evaluate(node.expr, scope);
      if (value === undefined) throw new Error(`{{ ${node.expr} }} is undefined`);
      out += String(value);
    } else if (node.kind === 'if') {
      const cond = evaluate(node.cond, scope);
      out += render(cond ? node.then : node.else, scope);
    } else {
      const over = evaluate(node.over, scope) as Record<string, unknown> | undefined;
      for (const key of Object.keys(over ?? {}).sort()) {
        out += render(node.body, { root: scope.root, vars: { ...scope.vars, [node.key]: key, [node.value]: over![key] } });
      }
    }
  }
  return out;
}

/**
 * Render one template with Helm's top-level objects.
 *
 * @example
 * ```ts
 * renderTemplate('name: {{ .Release.Name }}', { Release: { Name: 'perch' } }); // 'name: perch'
 * ```
 */
export function renderTemplate(template: string, root: Record<string, unknown>): string {
  return render(parse(tokenize(template)).nodes, { root, vars: {} });
}
