// The one XML parser setup for every document the exporter reads (libvirt domain and pool XML,
// vSphere SOAP): character references decoded (the five named ones, decimal and hex), and any
// DOCTYPE refused before parsing, so no entity declaration can expand ("billion laughs") or
// reach outside the document.
import { XMLParser, type X2jOptions } from 'fast-xml-parser';

type ForcedOption = 'processEntities' | 'htmlEntities' | 'tagValueProcessor' | 'attributeValueProcessor';

export class XmlRefusedError extends Error {
  override readonly name = 'XmlRefusedError';
}

export function isXmlRefusedError(e: unknown): e is XmlRefusedError {
  return e instanceof XmlRefusedError;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCE = /&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|(amp|lt|gt|quot|apos));/g;

/** A code point XML 1.0 allows in a document (Char production); others stay as written. */
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Decodes XML character and predefined entity references; unknown or invalid ones are kept verbatim. */
export function decodeXmlReferences(text: string): string {
  if (!text.includes('&')) return text;
  type Group = string | undefined;
  return text.replace(REFERENCE, (whole, dec: Group, hex: Group, named: Group) => {
    if (named !== undefined) return NAMED[named] as string;
    const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex as string, 16);
    return isXmlChar(cp) ? String.fromCodePoint(cp) : whole;
  });
}

/** Throws XmlRefusedError when the prolog holds a DOCTYPE; reads only up to the root element. */
export function refuseDoctype(xml: string): void {
  let i = 0;
  for (;;) {
    while (i < xml.length && ' \t\r\n\ufeff'.includes(xml[i] as string)) i++;
    if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      if (end < 0) return;
      i = end + 2;
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) return;
      i = end + 3;
    } else if (xml.slice(i, i + 9).toUpperCase() === '<!DOCTYPE') {
      throw new XmlRefusedError('XML with a DOCTYPE is refused: its entity declarations could expand without bound');
    } else {
      return;
    }
  }
}

/**
 * fast-xml-parser with the project's safety settings forced: entities are not expanded by the
 * parser (it would also expand DOCTYPE ones) but decoded here, in text and attribute values alike.
 */
export class SafeXmlParser extends XMLParser {
  constructor(options: Omit<X2jOptions, ForcedOption>) {
    super({
      ...options,
      processEntities: false,
      htmlEntities: false,
      tagValueProcessor: (_name, value) => decodeXmlReferences(value),
      attributeValueProcessor: (_name, value) => decodeXmlReferences(value),
    });
  }

  override parse(xml: string | Buffer, validation?: Parameters<XMLParser['parse']>[1]): ReturnType<XMLParser['parse']> {
    const text = typeof xml === 'string' ? xml : xml.toString('utf8');
    refuseDoctype(text);
    return validation === undefined ? super.parse(text) : super.parse(text, validation);
  }
}

/**
 * libvirt's XML as every libvirt reader here takes it: attributes as `@name`, every value a string (a uuid or a
 * size is never turned into a number), trimmed; `isArray` names the elements that can repeat.
 */
export function libvirtXmlParser(isArray?: (name: string) => boolean): SafeXmlParser {
  return new SafeXmlParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ...(isArray ? { isArray } : {}),
  });
}
