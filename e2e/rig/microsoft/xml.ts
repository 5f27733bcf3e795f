// A small XML reader for SOAP requests (elements, attributes, text, CDATA, comments; no DTDs) and an escaper
// for writing responses. Names are kept without their namespace prefix: EWS element names are unambiguous.
export type XmlElement = {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
};

export class XmlError extends Error {}

export function parseXml(source: string): XmlElement {
  let pos = 0;
  const root: XmlElement = { name: "#document", attrs: {}, children: [], text: "" };
  const stack: XmlElement[] = [root];
  const fail = (message: string): never => {
    throw new XmlError(`${message} at offset ${pos}`);
  };

  while (pos < source.length) {
    const lt = source.indexOf("<", pos);
    const textEnd = lt < 0 ? source.length : lt;
    if (textEnd > pos) stack[stack.length - 1].text += decodeEntities(source.slice(pos, textEnd));
    if (lt < 0) break;
    pos = lt;
    if (source.startsWith("<?", pos)) {
      const end = source.indexOf("?>", pos);
      if (end < 0) fail("unterminated processing instruction");
      pos = end + 2;
    } else if (source.startsWith("<!--", pos)) {
      const end = source.indexOf("-->", pos);
      if (end < 0) fail("unterminated comment");
      pos = end + 3;
    } else if (source.startsWith("<![CDATA[", pos)) {
      const end = source.indexOf("]]>", pos);
      if (end < 0) fail("unterminated CDATA");
      stack[stack.length - 1].text += source.slice(pos + 9, end);
      pos = end + 3;
    } else if (source.startsWith("<!", pos)) {
      fail("DTDs are not accepted");
    } else if (source.startsWith("</", pos)) {
      const end = source.indexOf(">", pos);
      if (end < 0) fail("unterminated end tag");
      const name = localName(source.slice(pos + 2, end).trim());
      const open = stack.pop();
      if (!open || open === root || open.name !== name) fail(`unexpected </${name}>`);
      pos = end + 1;
    } else {
      const tag = /^<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(
        source.slice(pos, pos + 65536),
      );
      if (!tag) fail("malformed start tag");
      const element: XmlElement = { name: localName(tag![1]), attrs: {}, children: [], text: "" };
      for (const attr of tag![2].matchAll(/([\w.:-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
        if (attr[1] === "xmlns" || attr[1].startsWith("xmlns:")) continue;
        element.attrs[localName(attr[1])] = decodeEntities(attr[3] ?? attr[4] ?? "");
      }
      stack[stack.length - 1].children.push(element);
      if (tag![3] !== "/") stack.push(element);
      pos += tag![0].length;
    }
  }
  if (stack.length !== 1) fail(`unclosed <${stack[stack.length - 1].name}>`);
  const [document] = root.children;
  if (!document || root.children.length !== 1) fail("expected one root element");
  return document;
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(":");
  return colon < 0 ? qualified : qualified.slice(colon + 1);
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, entity: string) => {
    if (entity[0] === "#") {
      return String.fromCodePoint(entity[1] === "x" ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
    }
    return ({ lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" } as Record<string, string>)[entity];
  });
}

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return element?.children.filter((c) => c.name === name) ?? [];
}

/** The first element named `name` anywhere below `element` (depth first). */
export function descendant(element: XmlElement | undefined, name: string): XmlElement | undefined {
  if (!element) return undefined;
  for (const c of element.children) {
    if (c.name === name) return c;
    const found = descendant(c, name);
    if (found) return found;
  }
  return undefined;
}

export function textOf(element: XmlElement | undefined): string {
  return element?.text.trim() ?? "";
}

export function escapeXml(text: string): string {
  // Control characters are not allowed in XML 1.0 at all, not even escaped.
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}
