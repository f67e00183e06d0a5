// Builders of vsphere snapshot literals for the detector tables: a healthy vCenter by default,
// each test changes what its case needs.
import type { Snapshot } from '../../src/snapshot/snapshot.js';
import type { Vcenter, VsphereHost, VsphereVm } from '../../src/snapshot/vsphere.js';
import type { DetectContext } from '../../src/detectors/detector.js';
import { detectContext, type Knobs } from '../support/detect-context.js';

export const NOW = 1_800_000_000;
export const HOUR = 3600;

export function vm(name: string, over: Partial<VsphereVm> = {}): VsphereVm {
  return {
    moid: `vm-${name}`,
    name,
    instanceUuid: `uuid-${name}`,
    template: false,
    vmPathName: `[ds1] ${name}/${name}.vmx`,
    powerState: 'poweredOn',
    connectionState: 'connected',
    host: 'host-1',
    consolidationNeeded: false,
    numCpu: 2,
    memoryBytes: 4 * 1024 ** 3,
    snapshots: [],
    ...over,
  };
}

export function host(moid: string, over: Partial<VsphereHost> = {}): VsphereHost {
  return {
    moid,
    name: `esx-${moid}`,
    connectionState: 'connected',
    bootTime: NOW - 48 * HOUR,
    inMaintenanceMode: false,
    parent: { type: 'ComputeResource', value: `cr-${moid}` },
    autoStart: null,
    ...over,
  };
}

export function vcenter(over: Partial<Vcenter> = {}): Vcenter {
  return {
    vcenter: 'vc1:443',
    apiType: 'VirtualCenter',
    vms: [vm('web-1')],
    hosts: [host('host-1')],
    clusters: [],
    datastores: [{ moid: 'datastore-1', name: 'ds1', accessible: true, type: 'VMFS' }],
    files: { layoutsAt: null, layoutError: null, layouts: [], datastores: [] },
    ...over,
  };
}

export function snapshotOf(...vcenters: Vcenter[]): Snapshot {
  return {
    schemaVersion: 1,
    hostname: 'exporter',
    takenAt: NOW,
    collectors: { vsphere: { state: 'ok', reason: null, durationSeconds: 0.1, lastSuccessSeconds: NOW, stale: false } },
    vsphere: { vcenters, problems: [] },
  };
}

export function ctx(over: Partial<Knobs> = {}): DetectContext<string> {
  // Every knob's default, the vsphere ones pinned so the tables do not move with the defaults.
  return detectContext(NOW, {
    'detect.autostart-grace': 600,
    'detect.snapshot-max-age': 72 * HOUR,
    'detect.snapshot-max-depth': 3,
    'detect.orphan-min-age': 24 * HOUR,
    ...over,
  });
}

/** "kind subject" of each finding, sorted: what the tables compare. */
export function summary(findings: ReadonlyArray<{ kind: string; subject: string }>): string[] {
  return findings.map((f) => `${f.kind} ${f.subject}`).sort();
}
