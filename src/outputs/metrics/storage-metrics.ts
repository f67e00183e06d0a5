// Pool and disk chain series: images and their allocated bytes per pool, each domain disk's chain
// depth and each domain's snapshot count, rebuilt from every snapshot.
import { Gauge } from 'prom-client';
import { CachedTextGauge } from './cached-text-gauge.js';
import type { Domain } from '../../snapshot/libvirt.js';
import { diskChains } from '../../views/disk-chains.js';
import type { SectionMetricsFactory } from './section-metrics.js';

export const storageMetrics: SectionMetricsFactory = (registry) => {
  const images = new Gauge<'pool' | 'format'>({
    name: 'vmzombie_pool_images',
    help: 'Image files in each storage pool directory, per format.',
    labelNames: ['pool', 'format'],
    registers: [registry],
  });
  const bytes = new Gauge<'pool'>({
    name: 'vmzombie_pool_image_bytes',
    help: 'Bytes allocated on disk (st_blocks × 512) by the image files of each pool.',
    labelNames: ['pool'],
    registers: [registry],
  });
  const depth = new Gauge<'domain' | 'target'>({
    name: 'vmzombie_domain_disk_chain_depth',
    help: 'Layers in each domain disk chain: the active image plus its backing files.',
    labelNames: ['domain', 'target'],
    registers: [registry],
  });
  const snapshots = new CachedTextGauge(
    'vmzombie_domain_snapshots',
    'Snapshots libvirt has metadata for, per domain (internal and external).',
    ['domain'],
    (d: Domain) => (d.snapshots === undefined ? null : { labels: { domain: d.name }, value: d.snapshots }),
    registry,
  );
  return {
    update(snapshot) {
      images.reset();
      bytes.reset();
      depth.reset();
      snapshots.reset();
      const { pools, libvirt } = snapshot;
      if (pools) {
        for (const pool of pools.pools) if (pool.readable) bytes.set({ pool: pool.name }, 0);
        for (const img of pools.images) {
          const pool = img.pool ?? '';
          images.inc({ pool, format: img.format });
          bytes.inc({ pool }, img.allocatedBytes ?? 0);
        }
      }
      if (libvirt) {
        snapshots.set(libvirt.domains);
        if (libvirt.local)
          for (const c of diskChains(libvirt, pools))
            if (c.depth > 0) depth.set({ domain: c.domain.name, target: c.disk.target }, c.depth);
      }
    },
  };
};
