// Series of shared storage for the fleet rules: per store whether this host judged it, and per image
// "in use here" or "unused here", keyed by store and path inside it (the same on every host). Bounded by
// --pool.max-shared-image-series: "in use" first (a missing one could make another host's "unused" look
// like the fleet's verdict), then "unused" in key order, so every host keeps the same images.
import { Counter, Gauge } from 'prom-client';
import type { SectionMetricsFactory } from './section-metrics.js';
import type { SharedImage } from '../../views/shared-images.js';

export const sharedStorageMetrics: SectionMetricsFactory = (registry, config) => {
  const judged = new Gauge<'store'>({
    name: 'vmzombie_shared_storage_judged',
    help:
      'One series per shared store this host mounts: 1 when it judged the images it sees there, 0 when it could not ' +
      '(the fleet orphan rule then stays silent for the store).',
    labelNames: ['store'],
    registers: [registry],
  });
  const image = new Gauge<'store' | 'image' | 'state'>({
    name: 'vmzombie_shared_image',
    help: 'Images on shared storage, value 1: state in_use (referenced or open on this host) or unused (here).',
    labelNames: ['store', 'image', 'state'],
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'vmzombie_shared_images_dropped_total',
    help: 'vmzombie_shared_image series left out by --pool.max-shared-image-series, summed over collections.',
    registers: [registry],
  });
  return {
    update(_snapshot, detection) {
      judged.reset();
      image.reset();
      const view = detection?.sharedImages;
      if (!view) return;
      const max = config['pool.max-shared-image-series'];
      const inUseFirst = (a: SharedImage, b: SharedImage) => (a.state === b.state ? 0 : a.state === 'in_use' ? -1 : 1);
      const ordered = [...view.images].sort(inUseFirst);
      const kept = ordered.slice(0, max);
      const cut = ordered.slice(max);
      const unsure = new Set(cut.filter((i) => i.state === 'in_use').map((i) => i.store));
      for (const s of view.stores) judged.set({ store: s.store }, s.notJudged === null && !unsure.has(s.store) ? 1 : 0);
      for (const i of kept) image.set({ store: i.store, image: i.image, state: i.state }, 1);
      dropped.inc(cut.length);
    },
  };
};
