// XML on the vSphere SOAP wire: parses envelopes namespace-agnostically (prefixes vary between
// servers), turns soapenv:Fault into VsphereFaultError, and builds request bodies with escaping.
import { SafeXmlParser } from '../../util/xml-parser.js';
import { VsphereFaultError } from './vsphere-fault-error.js';
import { escapeXml } from '../../util/xml-escape.js';

// The SOAP helpers below build request bodies with it; callers take it from here with them.
export { escapeXml };
import type { MoRef } from '../../snapshot/vsphere.js';

/** A parsed element: a string for a text-only element, else an object of children and attributes. */
export type XmlNode = string | { [key: string]: XmlValue };
export type XmlValue = XmlNode | XmlNode[] | undefined;

const parser = new SafeXmlParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Tags: drop any namespace prefix. Attributes: keep `type` (of a managed object reference) apart
  // from `xsi:type` (the value's type), whatever prefix the server uses for the schema instance.
  transformTagName: (name) => name.slice(name.indexOf(':') + 1),
  // (the parser hands the name over with its '@' already in front).
  transformAttributeName: (name) => {
    const bare = name.startsWith('@') ? name.slice(1) : name;
    if (bare.startsWith('xmlns')) return '@xmlns';
    return `@${bare.includes(':') ? (bare.endsWith(':type') ? 'xsitype' : bare.slice(bare.indexOf(':') + 1)) : bare}`;
  },
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

/** Parses a SOAP response and returns the child of Body; throws VsphereFaultError for a fault. */
export function parseEnvelope(text: string): { [key: string]: XmlValue } {
  let doc: { [key: string]: XmlValue };
  try {
    doc = parser.parse(text, true) as { [key: string]: XmlValue };
  } catch (e: unknown) {
    throw new Error(
      `malformed SOAP response (${e instanceof Error ? e.message.split('\n')[0] : String(e)}), ${text.length} bytes`,
      { cause: e },
    );
  }
  const envelope = child(doc, 'Envelope');
  const body = child(envelope, 'Body');
  if (!body || typeof body === 'string')
    throw new Error(`not a SOAP envelope (${text.length} bytes: ${JSON.stringify(text.slice(0, 120))})`);
  const fault = child(body, 'Fault');
  if (fault !== undefined) throw faultError(fault);
  return body;
}

function faultError(fault: XmlNode): VsphereFaultError {
  const faultString = text(child(fault, 'faultstring'));
  const detail = child(fault, 'detail');
  let name = 'Unknown';
  let privilege: string | null = null;
  if (detail && typeof detail === 'object') {
    const key = Object.keys(detail).find((k) => !k.startsWith('@') && k !== '#text');
    if (key) {
      const inner = first(detail[key]);
      const xsi = inner && typeof inner === 'object' ? inner['@xsitype'] : undefined;
      name = (typeof xsi === 'string' ? stripPrefix(xsi) : key).replace(/Fault$/, '');
      const p = text(child(inner, 'privilegeId'));
      privilege = p || null;
    }
  }
  return new VsphereFaultError(name, faultString, privilege);
}

function stripPrefix(s: string): string {
  return s.slice(s.indexOf(':') + 1);
}

/** The first element of a repeated child, or the child itself. */
export function first(v: XmlValue): XmlNode | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function child(node: XmlValue, name: string): XmlNode | undefined {
  const n = first(node);
  if (!n || typeof n === 'string') return undefined;
  return first(n[name]);
}

/** Every `name` child of node, whether the parser saw one or many. */
export function children(node: XmlValue, name: string): XmlNode[] {
  const n = first(node);
  if (!n || typeof n === 'string') return [];
  const v = n[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Text content of an element ("" when absent). */
export function text(node: XmlValue): string {
  const n = first(node);
  if (n === undefined) return '';
  if (typeof n === 'string') return n;
  const t = n['#text'];
  return typeof t === 'string' ? t : t === undefined ? '' : String(t);
}

/** The xsi:type of an element without its prefix, or null. */
export function xsiType(node: XmlValue): string | null {
  const n = first(node);
  if (!n || typeof n === 'string') return null;
  const t = n['@xsitype'];
  return typeof t === 'string' ? stripPrefix(t) : null;
}

export function moRef(node: XmlValue): MoRef | null {
  const n = first(node);
  if (!n || typeof n === 'string') return null;
  const type = n['@type'];
  return typeof type === 'string' ? { type, value: text(n) } : null;
}

export function moRefXml(tag: string, ref: MoRef): string {
  return `<${tag} type="${escapeXml(ref.type)}">${escapeXml(ref.value)}</${tag}>`;
}

export function envelope(body: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"' +
    ' xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`
  );
}
