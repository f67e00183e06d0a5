// The catalog: one entry per finding kind, each naming its detector, gathered from every family's
// kinds (`catalog/<family>.ts`). The kind union, each kind's evidence and labels, the detector list and
// the `detect.*` flags are all derived from it.
import type { UnionToIntersection } from '../util/types.js';
import type { AnyDetector } from '../detectors/detector.js';
import { FAMILIES } from '../families/index.js';

type Entries = UnionToIntersection<(typeof FAMILIES)[number]['kinds']>;
type Kind = keyof Entries & string;

export const CATALOG_ENTRIES = Object.assign({}, ...FAMILIES.map((f) => f.kinds)) as Entries;

// An entry whose detector reports another kind does not compile.
type MisfiledKinds = { [K in Kind]: Entries[K]['detector']['kind'] extends K ? never : K }[Kind];
const entriesMatchTheirDetectors: [MisfiledKinds] extends [never] ? true : MisfiledKinds = true;
void entriesMatchTheirDetectors;

export type CatalogSpec<K extends Kind> = Entries[K] & { labels: Entries[K]['detector']['labels']; graceFlag: string };

export const CATALOG = Object.fromEntries(
  Object.entries(CATALOG_ENTRIES).map(([kind, entry]) => [
    kind,
    { ...entry, labels: entry.detector.labels, graceFlag: entry.detector.grace ?? 'detect.grace' },
  ]),
) as { [K in Kind]: CatalogSpec<K> };

export const FINDING_KINDS = Object.keys(CATALOG_ENTRIES) as Kind[];

/** Every detector, in catalog order. */
export const DETECTORS: readonly AnyDetector[] = FINDING_KINDS.map((kind) => CATALOG_ENTRIES[kind].detector);
