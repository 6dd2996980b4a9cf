// Finds user-visible English (or any prose) written as a literal in UI code
// instead of going through t(): JSX text, visible attributes (title,
// aria-label, placeholder, ...), label-like properties, and any other string
// that reads like words for a person. Built on the TypeScript compiler API
// (a dependency already) rather than a lint plugin: one test, no config.
//
// Not flagged: module specifiers, t() keys, type literals, comparisons and
// case labels, object keys, non-visible JSX attributes (className, type, ...),
// and any node under a comment saying
// "i18n-ignore" with its reason (code snippets, product names).
import ts from 'typescript';

export interface Finding {
  file: string;
  line: number;
  text: string;
  why: string;
}

const visibleAttributes = new Set([
  'title',
  'aria-label',
  'aria-description',
  'aria-roledescription',
  'aria-valuetext',
  'aria-placeholder',
  'placeholder',
  'alt',
  'label',
]);

const visibleProperties = new Set([
  'label',
  'title',
  'text',
  'message',
  'hint',
  'description',
  'placeholder',
  'heading',
  'summary',
  'detail',
  'copyLabel',
  'ariaLabel',
]);

const letters = /\p{L}/u;
const han = /\p{Script=Han}/u;

/** Reads like words for a person rather than an identifier, a class list or a format. */
export function looksLikeProse(s: string): boolean {
  if (han.test(s)) return true;
  const t = s.trim();
  const words = t.match(/[A-Za-z]{2,}/g) ?? [];
  if (words.length === 0) return false;
  if (/^[A-Z][a-z]/.test(t) && /[\s]/.test(t) && words.length >= 2) return true; // "Could not save"
  if (/[a-z]{2,}[.!?…:]$/.test(t) && words.length >= 2) return true; // "it failed."
  if (/^[A-Z][a-z]+…$/.test(t)) return true; // "Saving…"
  return words.length >= 3 && /\s/.test(t) && !/^[a-z0-9-]+( [a-z0-9-]+)*$/.test(t); // not a class list
}

function ignored(node: ts.Node, source: ts.SourceFile): boolean {
  const text = source.getFullText();
  // A comment at the end of the literal's own line: placeholder="…" // i18n-ignore: an example
  const { line } = source.getLineAndCharacterOfPosition(node.getStart());
  const lineText = text.slice(source.getPositionOfLineAndCharacter(line, 0)).split('\n', 1)[0] ?? '';
  if (/\/\/.*i18n-ignore/.test(lineText)) return true;
  // A comment before the literal's statement, property or block.
  for (let n: ts.Node | undefined = node; n && n !== source; n = n.parent) {
    const ranges = ts.getLeadingCommentRanges(text, n.getFullStart()) ?? [];
    if (ranges.some((r) => text.slice(r.pos, r.end).includes('i18n-ignore'))) return true;
  }
  return false;
}

function attributeName(a: ts.JsxAttribute): string {
  return a.name.getText();
}

/** The JSX attribute a literal is the value of, without crossing a function. */
function enclosingAttribute(node: ts.Node): ts.JsxAttribute | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isJsxAttribute(n)) return n;
    if (ts.isFunctionLike(n) || ts.isJsxElement(n) || ts.isJsxSelfClosingElement(n)) return undefined;
  }
  return undefined;
}

function propertyName(node: ts.Node): string | undefined {
  const p = node.parent;
  if (p && ts.isPropertyAssignment(p) && p.initializer === node) {
    return ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) ? p.name.text : undefined;
  }
  // label: cond ? 'A' : 'B'
  if (p && (ts.isConditionalExpression(p) || ts.isParenthesizedExpression(p) || ts.isBinaryExpression(p))) {
    return propertyName(p);
  }
  return undefined;
}

/** A string shown as an element's content: <p>{ok ? 'Saved' : 'Failed'}</p>. */
function inJsxChild(node: ts.Node): boolean {
  let n: ts.Node = node;
  for (let p = n.parent; p; n = p, p = p.parent) {
    if (ts.isJsxExpression(p)) return !!p.parent && (ts.isJsxElement(p.parent) || ts.isJsxFragment(p.parent));
    if (ts.isConditionalExpression(p) && p.condition === n) return false;
    if (ts.isConditionalExpression(p) || ts.isParenthesizedExpression(p)) continue;
    if (ts.isBinaryExpression(p) && p.right === n) continue; // cond && 'text', a ?? 'text'
    return false;
  }
  return false;
}

/** A value in a table of UI strings (const T = {...}, const TEXT = {...}, const LABELS = ...). */
function inStringTable(node: ts.Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isVariableDeclaration(n)) return ts.isIdentifier(n.name) && /^(T|TEXT|LABELS?|STRINGS?|MESSAGES?)$/.test(n.name.text);
    if (ts.isFunctionLike(n)) return false;
  }
  return false;
}

function skippedContext(node: ts.Node): boolean {
  const p = node.parent;
  if (!p) return true;
  if (ts.isImportDeclaration(p) || ts.isExportDeclaration(p) || ts.isExternalModuleReference(p)) return true;
  if (ts.isLiteralTypeNode(p)) return true;
  if (ts.isCaseClause(p)) return true;
  if (ts.isPropertyAssignment(p) && p.name === node) return true;
  if (ts.isElementAccessExpression(p) && p.argumentExpression === node) return true;
  if (ts.isBinaryExpression(p)) {
    const op = p.operatorToken.kind;
    if (
      op === ts.SyntaxKind.EqualsEqualsEqualsToken ||
      op === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
      op === ts.SyntaxKind.EqualsEqualsToken ||
      op === ts.SyntaxKind.ExclamationEqualsToken ||
      op === ts.SyntaxKind.InKeyword
    ) {
      return true;
    }
  }
  if (ts.isCallExpression(p) || ts.isNewExpression(p)) {
    const callee = p.expression.getText();
    if (/(^|\.)t$/.test(callee) && p.arguments?.[0] === node) return true; // t('key')
    if (/^(console\.\w+|(window\.)?matchMedia|document\.\w+)$/.test(callee)) return true;
  }
  return false;
}

function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    return node.head.text + node.templateSpans.map((s) => ` ${s.literal.text}`).join('');
  }
  return undefined;
}

export function findLiterals(file: string, code: string): Finding[] {
  const source = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: Finding[] = [];
  const report = (node: ts.Node, text: string, why: string) => {
    if (ignored(node, source)) return;
    const { line } = source.getLineAndCharacterOfPosition(node.getStart());
    out.push({ file, line: line + 1, text: text.trim().slice(0, 80), why });
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node)) {
      if (letters.test(node.text)) report(node, node.text, 'JSX text');
    } else {
      const text = literalText(node);
      if (text !== undefined && letters.test(text) && !skippedContext(node)) {
        const attr = enclosingAttribute(node);
        const prop = propertyName(node);
        if (attr && visibleAttributes.has(attributeName(attr))) report(node, text, `${attributeName(attr)}=`);
        else if (attr) {
          // className, type, href, ...: not read by a person
        } else if (prop && visibleProperties.has(prop)) report(node, text, `${prop}:`);
        else if (inStringTable(node)) report(node, text, 'string table');
        else if (inJsxChild(node)) report(node, text, 'JSX child');
        else if (looksLikeProse(text)) report(node, text, 'prose');
      }
      if (ts.isTemplateExpression(node)) {
        node.templateSpans.forEach((s) => visit(s.expression));
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}
