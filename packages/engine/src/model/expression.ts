/**
 * Parser for `expression` measures: other measures of the same dataset combined with `+ - * /`,
 * parentheses and numeric literals. The text is parsed into nodes and never spliced into SQL, so
 * an expression cannot smuggle a function call, a column or a subquery into a query.
 */

export type MeasureExpression =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'ref'; readonly measure: string }
  | { readonly kind: 'negate'; readonly operand: MeasureExpression }
  | { readonly kind: 'arithmetic'; readonly op: '+' | '-' | '*' | '/'; readonly left: MeasureExpression; readonly right: MeasureExpression };

type Token = { type: 'number'; value: number } | { type: 'ident'; value: string } | { type: 'op'; value: '+' | '-' | '*' | '/' | '(' | ')' };

export class ExpressionSyntaxError extends Error {}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([-+*/()]))/y;
  let index = 0;
  while (index < text.length) {
    if (/^\s*$/.test(text.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(text);
    if (!match) throw new ExpressionSyntaxError(`unexpected character at offset ${index}`);
    index = pattern.lastIndex;
    if (match[1] !== undefined) tokens.push({ type: 'number', value: Number(match[1]) });
    else if (match[2] !== undefined) tokens.push({ type: 'ident', value: match[2] });
    else tokens.push({ type: 'op', value: match[3] as '+' });
  }
  return tokens;
}

/**
 * Parse a measure expression.
 *
 * @example
 * ```ts
 * parseMeasureExpression('(revenue - cost) / revenue')
 * // { kind: 'arithmetic', op: '/', left: {...}, right: { kind: 'ref', measure: 'revenue' } }
 * ```
 */
export function parseMeasureExpression(text: string): MeasureExpression {
  const tokens = tokenize(text);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const isOp = (token: Token | undefined, ...ops: string[]): boolean => token?.type === 'op' && ops.includes(token.value);

  function primary(depth: number): MeasureExpression {
    if (depth > 32) throw new ExpressionSyntaxError('expression nests too deeply');
    const token = tokens[position++];
    if (!token) throw new ExpressionSyntaxError('unexpected end of expression');
    if (token.type === 'number') return Object.freeze({ kind: 'number', value: token.value });
    if (token.type === 'ident') return Object.freeze({ kind: 'ref', measure: token.value });
    if (token.value === '-') return Object.freeze({ kind: 'negate', operand: primary(depth + 1) });
    if (token.value === '(') {
      const inner = sum(depth + 1);
      if (!isOp(tokens[position++], ')')) throw new ExpressionSyntaxError('missing closing parenthesis');
      return inner;
    }
    throw new ExpressionSyntaxError(`unexpected '${token.value}'`);
  }
  function product(depth: number): MeasureExpression {
    let left = primary(depth);
    while (isOp(peek(), '*', '/')) {
      const op = (tokens[position++] as { value: '*' | '/' }).value;
      left = Object.freeze({ kind: 'arithmetic', op, left, right: primary(depth) });
    }
    return left;
  }
  function sum(depth: number): MeasureExpression {
    let left = product(depth);
    while (isOp(peek(), '+', '-')) {
      const op = (tokens[position++] as { value: '+' | '-' }).value;
      left = Object.freeze({ kind: 'arithmetic', op, left, right: product(depth) });
    }
    return left;
  }

  const expression = sum(0);
  if (position !== tokens.length) throw new ExpressionSyntaxError('unexpected trailing input');
  return expression;
}

/** The measures an expression refers to. */
export function referencedMeasures(expression: MeasureExpression, into: Set<string> = new Set()): Set<string> {
  switch (expression.kind) {
    case 'ref':
      into.add(expression.measure);
      break;
    case 'negate':
      referencedMeasures(expression.operand, into);
      break;
    case 'arithmetic':
      referencedMeasures(expression.left, into);
      referencedMeasures(expression.right, into);
      break;
    case 'number':
      break;
  }
  return into;
}
