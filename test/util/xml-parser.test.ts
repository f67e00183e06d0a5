// The shared XML parser: character references decoded in text and attributes, whitespace and
// non-ASCII kept, DOCTYPEs refused quickly (billion laughs, external entities) with a clear error.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { SafeXmlParser, decodeXmlReferences, isXmlRefusedError, refuseDoctype } from '../../src/util/xml-parser.js';
import { parseDomainXml } from '../../src/sources/shared/parse-domain-xml.js';
import { parsePoolXml } from '../../src/sources/shared/libvirt-config.js';
import { parseEnvelope } from '../../src/sources/vsphere/xml.js';

const parser = new SafeXmlParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
});

test('decodes named, decimal and hex references; keeps unknown and invalid ones as written', () => {
  const cases: Array<[string, string]> = [
    ['a&#34;b', 'a"b'],
    ['&#x540D;&#X540d;', '名名'],
    ['&amp;&lt;&gt;&quot;&apos;', '&<>"\''],
    ['tab&#9;nl&#10;cr&#13;', 'tab\tnl\ncr\r'],
    ['&#x1F600;', '😀'],
    ['&amp;#34;', '&#34;'],
    ['&nbsp;', '&nbsp;'],
    ['&#0;', '&#0;'],
    ['&#xD800;', '&#xD800;'],
    ['&#x110000;', '&#x110000;'],
    ['&#;&#x;&', '&#;&#x;&'],
    ['plain ünïcødé', 'plain ünïcødé'],
  ];
  for (const [input, want] of cases) assert.equal(decodeXmlReferences(input), want, input);
});

test('text and attribute values come out decoded; encoded leading whitespace survives trimming', () => {
  const doc = parser.parse('<a n="x&#34;y &amp; &#x540D; &lt;">&#9;q&#34;&#x540D;&amp;&lt;z&#10;</a>') as {
    a: Record<string, string>;
  };
  assert.deepEqual(doc.a, { '#text': '\tq"名&<z\n', '@n': 'x"y & 名 <' });
});

test('a DOCTYPE is refused before parsing: billion laughs, external entities, after a declaration and comments', () => {
  const lol = Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('');
  const laughs =
    `<?xml version="1.0"?>\n<!-- x -->\n<!DOCTYPE d [<!ENTITY l0 "lol">${lol}]>` + '<domain><name>&l9;</name></domain>';
  for (const xml of [
    laughs,
    '<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>',
    '\ufeff<!doctype a><a/>',
  ]) {
    assert.throws(
      () => parser.parse(xml),
      (e: unknown) => isXmlRefusedError(e) && /DOCTYPE is refused/.test(e.message),
    );
  }
  assert.throws(() => parseDomainXml(laughs), /DOCTYPE is refused/);
  assert.throws(() => parsePoolXml(laughs.replace(/domain/g, 'pool')), /DOCTYPE is refused/);
  assert.throws(() => parseEnvelope(laughs), /DOCTYPE is refused/);
  // Only the prolog counts: the same words in content are text.
  refuseDoctype('<a>&lt;!DOCTYPE x&gt;<![CDATA[<!DOCTYPE y>]]></a>');
  refuseDoctype('<?xml version="1.0"');
});

test('a billion-laughs document of 1 MB is refused in well under the time expanding it would take', () => {
  // Not a timing assertion: the document would expand to 10^9 copies; refusing it reads 9 characters.
  const big = `<!DOCTYPE d [${'<!ENTITY x "y">'.repeat(70_000)}]><d>&x;</d>`;
  assert.ok(big.length > 1_000_000);
  assert.throws(() => parser.parse(big), /DOCTYPE is refused/);
});

test('domain XML: names with quotes, &, <, tabs, newlines and non-ASCII come out intact', () => {
  const name = 'a"b&c<d>\te\nf ünï 名\'';
  const enc = name
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&#34;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/'/g, '&#39;');
  const d = parseDomainXml(
    `<domain type='kvm'><name>${enc}</name><uuid>0b1c-x</uuid><memory unit='KiB'>1024</memory><vcpu>1</vcpu>` +
      "<devices><disk type='file' device='disk'><source file='/img/&#x540D; &amp; &#34;q&#34;.qcow2'/>" +
      "<target dev='vda'/></disk></devices></domain>",
  );
  assert.equal(d.name, name);
  assert.equal(d.disks[0]?.source, '/img/名 & "q".qcow2');
});

test('pool XML: the target path is decoded', () => {
  assert.deepEqual(
    parsePoolXml("<pool type='dir'><name>p&#34;1</name><target><path>/srv/&#x540D;&amp;x</path></target></pool>"),
    { name: 'p"1', type: 'dir', path: '/srv/名&x' },
  );
});

test('SOAP: a VM name with numeric references (as govmomi sends them) is decoded', () => {
  const body = parseEnvelope(
    '<?xml version="1.0" encoding="UTF-8"?>' +
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
      '<soapenv:Body><RetrievePropertiesExResponse><returnval><name>vm &#34;q&#34; &amp; &#x540D;</name></returnval>' +
      '</RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>',
  );
  assert.deepEqual(body, { RetrievePropertiesExResponse: { returnval: { name: 'vm "q" & 名' } } });
});
