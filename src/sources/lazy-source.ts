// A source whose module is imported only when an instance is created (heavy, mode-specific
// dependencies stay unloaded where the source does not run).
import type { SectionName } from '../snapshot/snapshot.js';
import type { SourceDefinition } from './source.js';

export function lazySource<N extends SectionName>(
  meta: Pick<SourceDefinition<N>, 'name' | 'description' | 'flags' | 'enabledByDefault'>,
  load: () => Promise<SourceDefinition<N>>,
): SourceDefinition<N> {
  return {
    ...meta,
    create(...args) {
      const instance = load().then((def) => def.create(...args));
      // A failed import shows as this collector's error, not as an unhandled rejection.
      instance.catch(() => {});
      return {
        collect: async (ctx) => (await instance).collect(ctx),
        close: async () => (await instance.catch(() => null))?.close(),
      };
    },
  };
}
