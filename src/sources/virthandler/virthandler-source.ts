// virthandler source (node mode): the local virt-handler's container cgroup memory, read under
// --path.procfs and --path.sysfs. Absent (quietly) on hosts that run no virt-handler.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { VirtHandlerCgroup, VirtHandlerSection } from '../../snapshot/virthandler.js';
import type { SourceDefinition } from '../source.js';
import { SourceAbsentError } from '../source-absent-error.js';
import { describeError, isDenied, isVanished } from '../../util/fs-errors.js';
import type { SharedWork } from '../shared-work.js';
import { sharedProcessList } from '../shared/process-list.js';
import { parseEnviron, parseKeyValues, parseMemoryValue, parseProcCgroup, podUidFromCgroup } from './parse.js';

export async function readVirtHandler(
  procRoot: string,
  sysRoot: string,
  hostname: string,
  signal?: AbortSignal,
  shared?: SharedWork,
): Promise<VirtHandlerSection> {
  const problems: string[] = [];
  // The comm of every process, from the collection's one walk of /proc (the procfs source reads the same list).
  const { listed, failed } = await sharedProcessList(procRoot, shared, signal);
  const found = listed.filter((p) => p.stat.comm === 'virt-handler').map((p) => p.pid);
  for (const { pid, error } of failed) {
    if (!isVanished(error) && !isDenied(error)) problems.push(`pid ${pid}: ${describeError(error)}`);
  }
  if (found.length === 0) throw new SourceAbsentError('no virt-handler process on this host');
  const handlers: VirtHandlerCgroup[] = [];
  const seen = new Set<string>();
  for (const pid of found.sort((a, b) => a - b)) {
    try {
      const ref = parseProcCgroup(await readFile(path.join(procRoot, String(pid), 'cgroup'), 'utf8'));
      if (!ref) throw new Error('no memory cgroup in /proc/<pid>/cgroup');
      // Child processes share the container's cgroup: report each cgroup once.
      if (seen.has(ref.path)) continue;
      seen.add(ref.path);
      const env = await readFile(path.join(procRoot, String(pid), 'environ')).then(
        parseEnviron,
        () => ({}) as Record<string, string>,
      );
      const dir =
        ref.version === 2
          ? path.join(sysRoot, 'fs/cgroup', ref.path)
          : path.join(sysRoot, 'fs/cgroup/memory', ref.path);
      const read = (f: string) => readFile(path.join(dir, f), 'utf8');
      const current = parseMemoryValue(await read(ref.version === 2 ? 'memory.current' : 'memory.usage_in_bytes'));
      const max = parseMemoryValue(await read(ref.version === 2 ? 'memory.max' : 'memory.limit_in_bytes'));
      const stat = parseKeyValues(await read('memory.stat').catch(() => ''));
      const inactive = (ref.version === 2 ? stat.inactive_file : stat.total_inactive_file) ?? 0;
      const events = ref.version === 2 ? parseKeyValues(await read('memory.events').catch(() => '')) : {};
      handlers.push({
        pid,
        pod: env.HOSTNAME ?? null,
        namespace: env.POD_NAMESPACE ?? null,
        node: env.NODE_NAME ?? hostname,
        podUid: podUidFromCgroup(ref.path),
        cgroupPath: ref.path,
        cgroupVersion: ref.version,
        memoryCurrentBytes: current ?? 0,
        memoryMaxBytes: max,
        workingSetBytes: Math.max(0, (current ?? 0) - inactive),
        oomKills: events.oom_kill ?? null,
      });
    } catch (e: unknown) {
      if (!isVanished(e)) problems.push(`virt-handler pid ${pid}: ${describeError(e)}`);
    }
  }
  return { handlers, problems };
}

export const virtHandlerSource: SourceDefinition<'virthandler'> = {
  name: 'virthandler',
  description: "the local virt-handler container's cgroup memory (--path.procfs, --path.sysfs)",
  // No virt-handler (nor /proc) on a Windows node agent, where only the hyperv collector has work.
  enabledByDefault: (config) => config.mode === 'node' && process.platform !== 'win32',
  create(config) {
    return {
      collect: ({ signal, shared }) =>
        readVirtHandler(config['path.procfs'], config['path.sysfs'], os.hostname(), signal, shared),
      close: () => Promise.resolve(),
    };
  },
};
