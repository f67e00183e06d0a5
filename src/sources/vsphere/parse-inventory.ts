// Turns the fast path's ObjectContents (VirtualMachine, HostSystem, ClusterComputeResource,
// Datastore) into typed snapshot records. Pure: unit-tested on captured answers.
import type { VsphereCluster, VsphereHost, VsphereSnapshot, VsphereVm } from '../../snapshot/vsphere.js';
import type { ObjectContent, PropertySpec } from './retrieve.js';
import { child, children, moRef, text, type XmlNode } from './xml.js';
import { parseKeepValue } from '../../keep/resource-marker.js';

/**
 * The custom attribute that marks a VM as kept on purpose, in the single-value syntax
 * `reason; by=alice; until=2027-03-31` (`govc fields.add -type VirtualMachine vmzombie.keep`).
 */
export const KEEP_ATTRIBUTE = 'vmzombie.keep';

export const INVENTORY_SPECS: readonly PropertySpec[] = [
  {
    type: 'VirtualMachine',
    paths: [
      'name',
      'config.instanceUuid',
      'config.template',
      'config.files.vmPathName',
      'config.hardware.numCPU',
      'config.hardware.memoryMB',
      'runtime.powerState',
      'runtime.connectionState',
      'runtime.host',
      'runtime.consolidationNeeded',
      'snapshot',
      'config.managedBy',
      // The owner (its folder, its resource pool) and the keep attribute.
      'parent',
      'resourcePool',
      'customValue',
    ],
  },
  { type: 'Folder', paths: ['name', 'parent'] },
  { type: 'ResourcePool', paths: ['name', 'parent'] },
  {
    type: 'HostSystem',
    paths: [
      'name',
      'runtime.connectionState',
      'runtime.bootTime',
      'runtime.inMaintenanceMode',
      'parent',
      'config.autoStart',
    ],
  },
  { type: 'ClusterComputeResource', paths: ['name', 'configurationEx'] },
  { type: 'Datastore', paths: ['name', 'browser', 'summary.accessible', 'summary.type'] },
];

export interface Inventory {
  vms: VsphereVm[];
  hosts: VsphereHost[];
  clusters: VsphereCluster[];
  datastores: Array<{ moid: string; name: string; accessible: boolean; type: string; browser: string | null }>;
  problems: string[];
}

/** xsd:dateTime to Unix seconds; null when absent or unreadable. */
export function parseDateTime(s: string): number | null {
  if (!s) return null;
  // Some servers write microseconds; Date.parse wants at most milliseconds.
  const ms = Date.parse(s.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? ms / 1000 : null;
}

function bool(v: XmlNode | undefined): boolean | null {
  const t = text(v);
  return t === 'true' ? true : t === 'false' ? false : null;
}

function num(v: XmlNode | undefined): number | null {
  const t = text(v);
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** Flattens a snapshot tree (rootSnapshotList/childSnapshotList) depth first. */
export function flattenSnapshots(info: XmlNode | undefined): VsphereSnapshot[] {
  const out: VsphereSnapshot[] = [];
  const walk = (nodes: XmlNode[], depth: number, parent: number | null) => {
    for (const n of nodes) {
      const index = out.length;
      out.push({
        moid: text(child(n, 'snapshot')),
        name: text(child(n, 'name')),
        createTime: parseDateTime(text(child(n, 'createTime'))),
        depth,
        parent,
      });
      walk(children(n, 'childSnapshotList'), depth + 1, index);
    }
  };
  walk(children(info, 'rootSnapshotList'), 1, null);
  return out;
}

function managedBy(v: XmlNode | undefined): { extensionKey: string; type: string } | null {
  const extensionKey = text(child(v, 'extensionKey'));
  return extensionKey ? { extensionKey, type: text(child(v, 'type')) } : null;
}

/** The keys of the custom fields named KEEP_ATTRIBUTE for VMs (or for every type), from CustomFieldsManager.field. */
export function keepFieldKeys(fields: XmlNode | undefined): Set<string> {
  return new Set(
    children(fields, 'CustomFieldDef')
      .filter((f) => text(child(f, 'name')) === KEEP_ATTRIBUTE)
      .filter((f) => ['', 'VirtualMachine'].includes(text(child(f, 'managedObjectType'))))
      .map((f) => text(child(f, 'key'))),
  );
}

/** `finance/prod`: a folder's or pool's path below the datacenter's VM folder or the root resource pool. */
function pathOf(
  nodes: ReadonlyMap<string, { name: string; parent: string | null }>,
  moid: string | null,
): string | null {
  const parts: string[] = [];
  // A path stops at the top (a Datacenter, a compute resource), which is not part of it; bounded against loops.
  for (let id = moid, depth = 0; id !== null && depth < 64; depth++) {
    const n = nodes.get(id);
    if (!n) return null;
    if (n.parent === null || !nodes.has(n.parent)) break;
    parts.unshift(n.name);
    id = n.parent;
  }
  return parts.length > 0 ? parts.join('/') : null;
}

export function parseInventory(
  objects: readonly ObjectContent[],
  keepKeys: ReadonlySet<string> = new Set(),
): Inventory {
  const inv: Inventory = { vms: [], hosts: [], clusters: [], datastores: [], problems: [] };
  const folders = new Map<string, { name: string; parent: string | null }>();
  const pools = new Map<string, { name: string; parent: string | null }>();
  const placement = new Map<VsphereVm, { folder: string | null; pool: string | null }>();
  for (const o of objects) {
    const p = (path: string) => o.props.get(path);
    for (const m of o.missing) inv.problems.push(`${o.ref.type} ${o.ref.value}: ${m.path} not readable (${m.fault})`);
    const name = text(p('name'));
    switch (o.ref.type) {
      case 'VirtualMachine': {
        const power = text(p('runtime.powerState'));
        const conn = text(p('runtime.connectionState'));
        if (!name || !power || !conn) {
          const missing = !name ? 'name' : !power ? 'runtime.powerState' : 'runtime.connectionState';
          inv.problems.push(`VirtualMachine ${o.ref.value}: no ${missing} in the answer; skipped`);
          continue;
        }
        const memMb = num(p('config.hardware.memoryMB'));
        // SetField may leave an older value beside the new one: the last is the current.
        const keepValue = children(p('customValue'), 'CustomFieldValue')
          .filter((v) => keepKeys.has(text(child(v, 'key'))))
          .map((v) => text(child(v, 'value')))
          .at(-1);
        const vm: VsphereVm = {
          moid: o.ref.value,
          name,
          instanceUuid: text(p('config.instanceUuid')) || null,
          template: bool(p('config.template')) ?? false,
          vmPathName: text(p('config.files.vmPathName')) || null,
          powerState: power,
          connectionState: conn,
          host: moRef(p('runtime.host'))?.value ?? null,
          consolidationNeeded: bool(p('runtime.consolidationNeeded')),
          numCpu: num(p('config.hardware.numCPU')),
          memoryBytes: memMb === null ? null : memMb * 1024 * 1024,
          snapshots: flattenSnapshots(p('snapshot')),
          managedBy: managedBy(p('config.managedBy')),
          ...(keepValue ? { keep: parseKeepValue(keepValue) } : {}),
        };
        inv.vms.push(vm);
        placement.set(vm, {
          folder: moRef(p('parent'))?.value ?? null,
          pool: moRef(p('resourcePool'))?.value ?? null,
        });
        break;
      }
      case 'Folder':
        folders.set(o.ref.value, { name, parent: moRef(p('parent'))?.value ?? null });
        break;
      case 'ResourcePool':
        pools.set(o.ref.value, { name, parent: moRef(p('parent'))?.value ?? null });
        break;
      case 'HostSystem': {
        const conn = text(p('runtime.connectionState'));
        if (!name || !conn) {
          inv.problems.push(
            `HostSystem ${o.ref.value}: no ${!name ? 'name' : 'runtime.connectionState'} in the answer; skipped`,
          );
          continue;
        }
        const auto = p('config.autoStart');
        const defaults = child(auto, 'defaults');
        inv.hosts.push({
          moid: o.ref.value,
          name,
          connectionState: conn,
          bootTime: parseDateTime(text(p('runtime.bootTime'))),
          inMaintenanceMode: bool(p('runtime.inMaintenanceMode')) ?? false,
          parent: moRef(p('parent')),
          autoStart:
            auto === undefined
              ? null
              : {
                  enabled: bool(child(defaults, 'enabled')),
                  defaultStartDelay: num(child(defaults, 'startDelay')) ?? 0,
                  powerInfo: children(auto, 'powerInfo')
                    .map((pi) => ({
                      vm: moRef(child(pi, 'key'))?.value ?? '',
                      startAction: text(child(pi, 'startAction')),
                      startDelay: num(child(pi, 'startDelay')) ?? -1,
                      startOrder: num(child(pi, 'startOrder')) ?? -1,
                    }))
                    .filter((pi) => pi.vm !== ''),
                },
        });
        break;
      }
      case 'ClusterComputeResource': {
        // An unset dasConfig.enabled means HA is off; an unreadable configurationEx means unknown.
        const cfg = p('configurationEx');
        inv.clusters.push({
          moid: o.ref.value,
          name,
          haEnabled: cfg === undefined ? null : bool(child(child(cfg, 'dasConfig'), 'enabled')) === true,
        });
        break;
      }
      case 'Datastore':
        inv.datastores.push({
          moid: o.ref.value,
          name,
          accessible: bool(p('summary.accessible')) ?? false,
          type: text(p('summary.type')),
          browser: moRef(p('browser'))?.value ?? null,
        });
        break;
      default:
        inv.problems.push(`unexpected object type ${o.ref.type} in the answer`);
    }
  }
  for (const [vm, at] of placement) {
    const folder = pathOf(folders, at.folder);
    const resourcePool = pathOf(pools, at.pool);
    if (folder !== null) vm.folder = folder;
    if (resourcePool !== null) vm.resourcePool = resourcePool;
  }
  return inv;
}
