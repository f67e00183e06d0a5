// libvirt source: every domain with state, reason, autostart, persistence, disks, hostdevs and
// qemu pid. Local URIs go over libvirt's RPC protocol on the read-only socket; the rest (remote,
// session, the in-process test driver, a failed handshake) through one kept read-only virsh shell
// (transport.ts). Either way a collection is incremental (libvirt-reader.ts).
import type { SourceDefinition } from '../source.js';
import { LIBVIRT_FLAGS } from './flags.js';
import { LibvirtReader } from './libvirt-reader.js';

export const libvirtSource: SourceDefinition<'libvirt'> = {
  name: 'libvirt',
  description:
    "domains, states, disks and devices over libvirt's read-only RPC socket, " +
    'or a read-only virsh shell (--libvirt.uri)',
  flags: LIBVIRT_FLAGS,
  enabledByDefault: (config) => config.mode === 'node',
  create(config, _log, env = {}) {
    const reader = new LibvirtReader({
      virsh: config['libvirt.virsh'],
      uri: config['libvirt.uri'],
      runDir: config['libvirt.run-dir'],
      transport: config['libvirt.transport'],
      xmlRefreshCollections: config['libvirt.xml-refresh'],
      saveDir: config['libvirt.save-dir'],
      logDir: config['libvirt.log-dir'],
      // A guest started, stopped or migrated ends a CPU budget's hold (src/engine/cpu-budget.ts).
      ...(env.changed ? { onLifecycle: env.changed } : {}),
    });
    return {
      collect: ({ signal }) => reader.read(signal),
      close: () => reader.close(),
      hearsChanges: () => reader.hearsLifecycle(),
    };
  },
};
