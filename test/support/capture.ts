// Saves the snapshot an end-to-end scenario produced as a replay fixture, when CAPTURE_SNAPSHOTS=1:
// `CAPTURE_SNAPSHOTS=1 npx vitest run --project e2e <file>` rewrites test/fixtures/snapshots/<name>.json.
// Host-specific text (the scenario's temp dirs and random tags, loopback ports; the host name and init) is
// replaced with fixed names, and /proc is cut to the processes the scenario involves, so a fixture holds nothing else.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Snapshot } from '../../src/snapshot/snapshot.js';

export const SNAPSHOT_FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/snapshots');

const RELEVANT_COMM = /^(qemu-|kvm$|libvirtd$|virtqemud$|virtlogd$|virtlockd$)/;

/** Cuts a captured snapshot to the scenario: the named sections, and /proc to the processes it involves. */
export function cleanSnapshot(snap: Snapshot, sections?: readonly string[]): Snapshot {
  const out = { ...snap } as Snapshot & Record<string, unknown>;
  if (sections) {
    for (const key of ['libvirt', 'procfs', 'sysfs', 'pools', 'kubevirt', 'virthandler', 'vsphere'])
      if (!sections.includes(key)) delete out[key];
    out.collectors = Object.fromEntries(Object.entries(snap.collectors).filter(([k]) => sections.includes(k)));
  }
  if (out.procfs) {
    const procfs = { ...out.procfs };
    const scenario = (f: string) =>
      f.startsWith('/srv/vmzt-e2e') || f.startsWith('/var/lib/libvirt/') || f.startsWith('/run/libvirt/');
    const pids = new Set(
      procfs.openFiles.filter((f) => scenario(f.target) || f.target.startsWith('/dev/')).map((f) => f.pid),
    );
    procfs.processes = procfs.processes
      .filter((p) => p.pid === 1 || RELEVANT_COMM.test(p.comm) || pids.has(p.pid))
      // The sandbox's own init says nothing about the scenario.
      .map((p) => (p.pid === 1 ? { ...p, comm: 'init', cmdline: ['/sbin/init'] } : p));
    const kept = new Set(procfs.processes.map((p) => p.pid));
    procfs.openFiles = procfs.openFiles.filter((f) => kept.has(f.pid));
    procfs.locks = procfs.locks.filter((l) =>
      l.pid === -1 ? procfs.openFiles.some((f) => f.inode === l.inode) : kept.has(l.pid),
    );
    procfs.problems = [];
    out.procfs = procfs;
  }
  return out;
}

export async function captureSnapshot(
  name: string,
  json: string,
  args: string[],
  replacements: Array<[string, string]> = [],
  sections?: readonly string[],
): Promise<void> {
  if (process.env.CAPTURE_SNAPSHOTS !== '1') return;
  let text = json;
  for (const [from, to] of replacements) text = text.split(from).join(to);
  const snap = cleanSnapshot({ ...(JSON.parse(text) as Snapshot), hostname: 'hv-e2e' }, sections);
  await mkdir(SNAPSHOT_FIXTURES, { recursive: true });
  await writeFile(
    path.join(SNAPSHOT_FIXTURES, `${name}.json`),
    `${JSON.stringify({ args, snapshot: snap }, null, 1)}\n`,
  );
}
