// libvirt source: every domain with state, reason, autostart, persistence, disks, hostdevs and
// qemu pid, read through one kept read-only virsh shell in two batched rounds per collection.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Domain, FileStat, LibvirtSection } from '../../snapshot/libvirt.js';
import type { SourceDefinition } from '../source.js';
import { describeError, errorCode } from '../../util/fs-errors.js';
import { splitDev } from '../../util/devnum.js';
import { mapLimit } from '../../util/map-limit.js';
import { HungCallGuard } from '../../util/hung-call-guard.js';
import { escapeXml } from '../../util/xml-escape.js';
import { VirshShell } from './virsh-shell.js';
import { parseDomState, parseUuidList } from './parse-virsh.js';
import { parseDomainXml } from './parse-domain-xml.js';

/** A URI names this host when it has no server part and drives QEMU (whose processes we can see). */
export function isLocalQemuUri(uri: string): boolean {
  const m = /^([a-z0-9+]+):\/\/([^/]*)\//i.exec(uri);
  if (!m) return false;
  const [scheme, transport] = (m[1] as string).toLowerCase().split('+');
  return scheme === 'qemu' && (m[2] === '' || transport === 'unix');
}

/**
 * Commands per domain in the second round: dumpxml, domstate and the snapshot list (one list, not
 * one per location: each command costs a round trip, and internal snapshots are also counted from
 * the qcow2 headers by the pools source).
 */
const PER_DOMAIN = 3;

function countLines(text: string): number {
  return text.split('\n').filter((l) => l.trim() !== '').length;
}

export interface LibvirtOptions { virsh: string; uri: string; runDir: string }

export class LibvirtReader {
  private readonly shell: VirshShell;
  /** Disk images often live on NFS: a dead server must not pin every libuv thread. */
  private readonly statGuard = new HungCallGuard<FileStat>(4, 2000);
  constructor(private readonly opts: LibvirtOptions) {
    this.shell = new VirshShell(opts.virsh, opts.uri);
  }

  async read(signal: AbortSignal): Promise<LibvirtSection> {
    const problems: string[] = [];
    const lists = await this.shell.run(['list --all --uuid', 'list --all --uuid --autostart', 'list --all --uuid --persistent'], signal);
    const all = parseUuidList(lists.outputs[0] ?? '');
    for (const g of all.garbage) problems.push(`unexpected line in domain list: ${g.slice(0, 200)}`);
    const autostart = new Set(parseUuidList(lists.outputs[1] ?? '').uuids);
    const persistent = new Set(parseUuidList(lists.outputs[2] ?? '').uuids);

    const perDomain = all.uuids.flatMap((u) => [`dumpxml ${u}`, `domstate --reason ${u}`, `snapshot-list --name ${u}`]);
    const details = perDomain.length ? await this.shell.run(perDomain, signal) : { outputs: [], stderr: '' };
    for (const line of (lists.stderr + details.stderr).split('\n')) if (line.trim()) problems.push(line.trim());

    const local = isLocalQemuUri(this.opts.uri);
    const domains: Domain[] = [];
    for (const [i, uuid] of all.uuids.entries()) {
      const xmlText = details.outputs[PER_DOMAIN * i] ?? '';
      const stateText = details.outputs[PER_DOMAIN * i + 1] ?? '';
      const snapshots = countLines(details.outputs[PER_DOMAIN * i + 2] ?? '');
      // Empty output: the domain went away between the two rounds. Its error is on stderr.
      if (xmlText.trim() === '' && stateText.trim() === '') continue;
      try {
        const xml = parseDomainXml(xmlText);
        const state = parseDomState(stateText);
        if (!state) throw new Error(`unreadable domstate "${stateText.trim().slice(0, 100)}"`);
        const active = state.state !== 'shutoff' && state.state !== 'nostate';
        domains.push({
          ...xml,
          uuid,
          state: state.state,
          reason: state.reason,
          autostart: autostart.has(uuid),
          persistent: persistent.has(uuid),
          snapshots,
          pid: local && active ? await this.readPid(xml.name, problems) : null,
        });
      } catch (e: unknown) {
        problems.push(`domain ${uuid}: ${describeError(e)}`);
      }
    }
    const files = local ? await statFiles(domains, this.statGuard, signal) : [];
    for (const f of files) if (f.error) problems.push(`${f.path}: ${f.error}`);
    return { uri: this.opts.uri, local, domains, files, problems };
  }

  /**
   * The qemu pid libvirt recorded. libvirt 9 names the pid file after the XML-escaped domain name
   * (`a &quot;b&quot;.pid`), the status file after the plain one; try both, then the status XML.
   */
  private async readPid(name: string, problems: string[]): Promise<number | null> {
    const dir = this.opts.runDir;
    for (const file of [`${name}.pid`, `${escapeXml(name)}.pid`]) {
      const text = await readOptional(path.join(dir, file), problems);
      const pid = text === null ? NaN : Number(text.trim());
      if (Number.isInteger(pid) && pid > 0) return pid;
    }
    const status = await readOptional(path.join(dir, `${name}.xml`), problems);
    const m = status === null ? null : /<domstatus\b[^>]*\bpid=['"](\d+)['"]/.exec(status);
    return m ? Number(m[1]) : null;
  }

  close(): Promise<void> {
    return this.shell.close();
  }
}

async function readOptional(file: string, problems: string[]): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e: unknown) {
    if (errorCode(e) !== 'ENOENT') problems.push(`${file}: ${describeError(e)}`);
    return null;
  }
}

async function statFiles(domains: Domain[], guard: HungCallGuard<FileStat>, signal: AbortSignal): Promise<FileStat[]> {
  const paths = [...new Set(domains.flatMap((d) => d.disks.flatMap((disk) => [...(disk.source ? [disk.source] : []), ...disk.backingChain])))];
  return mapLimit(paths, 16, (p) => guard.run(p, () => statFile(p), (why) => unknownFile(p, `stat() ${why}`)), signal);
}

/** A file we could not look at: neither known to exist nor known missing, so no detector judges it. */
function unknownFile(p: string, error: string): FileStat {
  return { path: p, exists: true, inode: null, devMajor: null, devMinor: null, sizeBytes: null, allocatedBytes: null, mtimeSeconds: null, error };
}

export async function statFile(p: string): Promise<FileStat> {
  try {
    const st = await stat(p);
    const { major, minor } = splitDev(st.dev);
    return {
      path: p, exists: true, inode: st.ino, devMajor: major, devMinor: minor,
      sizeBytes: st.size, allocatedBytes: st.blocks * 512, mtimeSeconds: Math.floor(st.mtimeMs / 1000), error: null,
    };
  } catch (e: unknown) {
    const missing = errorCode(e) === 'ENOENT';
    return {
      path: p, exists: !missing, inode: null, devMajor: null, devMinor: null,
      sizeBytes: null, allocatedBytes: null, mtimeSeconds: null, error: missing ? null : describeError(e),
    };
  }
}

export const libvirtSource: SourceDefinition<'libvirt'> = {
  name: 'libvirt',
  description: 'domains, states, disks and devices through a read-only virsh shell (--libvirt.uri)',
  enabledByDefault: (config) => config.mode === 'node',
  create(config) {
    const reader = new LibvirtReader({ virsh: config['libvirt.virsh'], uri: config['libvirt.uri'], runDir: config['libvirt.run-dir'] });
    return { collect: ({ signal }) => reader.read(signal), close: () => reader.close() };
  },
};
