// Pure parsers for virsh's text output: uuid lists and `domstate --reason`.
import type { DomainState } from '../../snapshot/libvirt.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface UuidList {
  uuids: string[];
  garbage: string[];
}

/** `list --all --uuid`: one uuid per line; anything else is reported, not trusted. */
export function parseUuidList(text: string): UuidList {
  const uuids: string[] = [];
  const garbage: string[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    if (UUID.test(t)) uuids.push(t.toLowerCase());
    else garbage.push(t);
  }
  return { uuids, garbage };
}

const STATE_WORDS: ReadonlyArray<[string, DomainState]> = [
  ['no state', 'nostate'],
  ['running', 'running'],
  ['idle', 'blocked'],
  ['paused', 'paused'],
  ['in shutdown', 'shutdown'],
  ['shut off', 'shutoff'],
  ['crashed', 'crashed'],
  ['pmsuspended', 'pmsuspended'],
];

/** `domstate --reason`: "shut off (destroyed)", "paused (user)", "running (booted)". */
export function parseDomState(text: string): { state: DomainState; reason: string } | null {
  const m = /^(.+?)\s*\(([^()]*)\)\s*$/.exec(text.trim());
  const word = (m ? m[1] : text.trim())?.toLowerCase();
  const found = STATE_WORDS.find(([w]) => w === word);
  if (!found) return null;
  return { state: found[1], reason: m ? (m[2] as string).trim() : 'unknown' };
}

export interface IdNameList {
  domains: Array<{ uuid: string; id: number | null; name: string }>;
  garbage: string[];
}

/** `list --all --uuid --id --name`: "uuid id name" per line, id "-" when inactive; names may hold spaces. */
export function parseIdNameList(text: string): IdNameList {
  const domains: IdNameList['domains'] = [];
  const garbage: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^\s*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}) (-|\d+) (.+)$/i.exec(line);
    if (m)
      domains.push({
        uuid: (m[1] as string).toLowerCase(),
        id: m[2] === '-' ? null : Number(m[2]),
        name: m[3] as string,
      });
    else garbage.push(line.trim());
  }
  return { domains, garbage };
}

/** `domstats --state --nowait`: per "Domain: 'name'" block, state.state and state.reason numbers. */
export function parseDomStats(text: string): Map<string, { state: number; reason: number }> {
  const out = new Map<string, { state: number; reason: number }>();
  let current: { state: number; reason: number } | null = null;
  for (const line of text.split('\n')) {
    const head = /^Domain: '(.*)'$/.exec(line);
    if (head) {
      current = { state: NaN, reason: NaN };
      out.set(head[1] as string, current);
      continue;
    }
    const kv = /^\s+state\.(state|reason)=(\d+)\s*$/.exec(line);
    if (kv && current) current[kv[1] as 'state' | 'reason'] = Number(kv[2]);
  }
  for (const [name, s] of out) if (!Number.isInteger(s.state) || !Number.isInteger(s.reason)) out.delete(name);
  return out;
}
