// Pure parsers for virsh's text output: uuid lists and `domstate --reason`.
import type { DomainState } from '../../snapshot/libvirt.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface UuidList { uuids: string[]; garbage: string[] }

/** `list --all --uuid`: one uuid per line; anything else is reported, not trusted. */
export function parseUuidList(text: string): UuidList {
  const uuids: string[] = [];
  const garbage: string[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    if (UUID.test(t)) uuids.push(t.toLowerCase()); else garbage.push(t);
  }
  return { uuids, garbage };
}

const STATE_WORDS: ReadonlyArray<[string, DomainState]> = [
  ['no state', 'nostate'], ['running', 'running'], ['idle', 'blocked'], ['paused', 'paused'],
  ['in shutdown', 'shutdown'], ['shut off', 'shutoff'], ['crashed', 'crashed'], ['pmsuspended', 'pmsuspended'],
];

/** `domstate --reason`: "shut off (destroyed)", "paused (user)", "running (booted)". */
export function parseDomState(text: string): { state: DomainState; reason: string } | null {
  const m = /^(.+?)\s*\(([^()]*)\)\s*$/.exec(text.trim());
  const word = (m ? m[1] : text.trim())?.toLowerCase();
  const found = STATE_WORDS.find(([w]) => w === word);
  if (!found) return null;
  return { state: found[1], reason: m ? (m[2] as string).trim() : 'unknown' };
}
