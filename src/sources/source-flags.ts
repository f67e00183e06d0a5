// Every source's flags, as one type: the typed Config (config/flags.ts) is built from it. Each source's
// flags.ts adds its table here (`declare module '../source-flags.js'`), so a new source needs no shared
// edit; the values are composed into the full flag table from each source's definition (src/flags.ts).
import type { UnionToIntersection } from '../util/types.js';

/** Each source's flag table by source name; filled in by the sources' own flags files. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SourceFlagTables {}

export type SourceFlags = UnionToIntersection<SourceFlagTables[keyof SourceFlagTables]>;
