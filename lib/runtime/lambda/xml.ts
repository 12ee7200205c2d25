/**
 * A small XML reader for the answers of AWS's Query-protocol APIs (ELBv2, EC2), so the router bundle
 * needs no XML package: elements, their text and children, the five predefined entities and
 * character references, CDATA; comments, declarations and attributes are skipped (the answers carry
 * only `xmlns`). It reads trusted, well-formed service answers; a tag that does not close is an error.
 */
export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  /** The element's own text (not its children's), entities decoded. */
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

/** The document's root element. */
export function parseXml(document: string): XmlElement {
  const top: XmlElement = { name: '', children: [], text: '' };
  const open: XmlElement[] = [top];
  let i = 0;
  while (i < document.length) {
    const lt = document.indexOf('<', i);
    const current = open[open.length - 1];
    if (lt < 0) {
      current.text += decodeEntities(document.slice(i));
      break;
    }
    current.text += decodeEntities(document.slice(i, lt));
    if (document.startsWith('<![CDATA[', lt)) {
      const end = closing(document, ']]>', lt);
      current.text += document.slice(lt + 9, end);
      i = end + 3;
      continue;
    }
    if (document.startsWith('<!--', lt)) {
      i = closing(document, '-->', lt) + 3;
      continue;
    }
    const gt = closing(document, '>', lt);
    i = gt + 1;
    const tag = document.slice(lt + 1, gt);
    if (tag.startsWith('?') || tag.startsWith('!')) continue;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      if (open.length === 1 || current.name !== name) throw new Error(`XML: </${name}> closes ${current.name ? `<${current.name}>` : 'nothing'}`);
      open.pop();
      continue;
    }
    const element: XmlElement = { name: /^[^\s/>]+/.exec(tag)![0], children: [], text: '' };
    current.children.push(element);
    if (!tag.endsWith('/')) open.push(element);
  }
  if (open.length > 1) throw new Error(`XML: <${open[open.length - 1].name}> is not closed`);
  const root = top.children[0];
  if (!root) throw new Error('XML: no element');
  return root;
}

function closing(document: string, marker: string, from: number): number {
  const at = document.indexOf(marker, from);
  if (at < 0) throw new Error(`XML: '${document.slice(from, from + 20)}' does not end`);
  return at;
}

/** The children of `element` named `name`. */
export function childrenNamed(element: XmlElement | undefined, name: string): XmlElement[] {
  return element ? element.children.filter((c) => c.name === name) : [];
}

/** The first child named `name`, following a path of names (`child(e, 'a', 'b')` is e/a/b). */
export function child(element: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let found = element;
  for (const name of path) found = found?.children.find((c) => c.name === name);
  return found;
}

/** The trimmed text at a path of names, or undefined when the path is absent. */
export function textAt(element: XmlElement | undefined, ...path: string[]): string | undefined {
  return child(element, ...path)?.text.trim();
}

/** The first element named `name` anywhere below `element`, depth first. */
export function findDescendant(element: XmlElement, name: string): XmlElement | undefined {
  for (const c of element.children) {
    if (c.name === name) return c;
    const deeper = findDescendant(c, name);
    if (deeper) return deeper;
  }
  return undefined;
}
