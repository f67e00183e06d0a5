// A PersistentVolume's CSI driver and volume handle (spec.csi), or null for in-tree and other volumes.
import type { KubernetesObject } from '@kubernetes/client-node';

export function csiVolumeHandle(o: KubernetesObject): { driver: string; volumeHandle: string } | null {
  const csi = (o as { spec?: { csi?: { driver?: unknown; volumeHandle?: unknown } } }).spec?.csi;
  return typeof csi?.driver === 'string' && typeof csi.volumeHandle === 'string' && csi.volumeHandle !== ''
    ? { driver: csi.driver, volumeHandle: csi.volumeHandle }
    : null;
}
