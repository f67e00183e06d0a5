// Answers for the fake virsh in the libvirt source's incremental command set: the overview round
// (lists and `domstats --state --nowait`), then snapshot lists and dumpxml per domain.
import type { Fake } from './fake-virsh.js';

export interface FakeDomain {
  name: string;
  uuid: string;
  /** null: inactive ("-" in the list). */
  id: number | null;
  /** virDomainState and reason numbers, as domstats prints them. */
  state: number;
  reason: number;
  xml?: string;
  autostart?: boolean;
  transient?: boolean;
  snapshots?: string[];
  managedSave?: boolean;
  /** Listed, but gone before its XML is fetched. */
  vanished?: boolean;
}

export async function answerOverview(fake: Fake, domains: FakeDomain[], extraListLines: string[] = []): Promise<void> {
  const uuids = (pick: (d: FakeDomain) => boolean) =>
    domains
      .filter(pick)
      .map((d) => `${d.uuid}\n`)
      .join('');
  await fake.answer(
    'list --all --uuid --id --name',
    domains.map((d) => `${d.uuid} ${d.id ?? '-'} ${d.name}\n`).join('') + extraListLines.map((l) => `${l}\n`).join(''),
  );
  await fake.answer(
    'list --all --uuid --autostart',
    uuids((d) => d.autostart === true),
  );
  await fake.answer(
    'list --all --uuid --transient',
    uuids((d) => d.transient === true),
  );
  await fake.answer(
    'list --all --uuid --with-snapshot',
    uuids((d) => (d.snapshots?.length ?? 0) > 0),
  );
  await fake.answer(
    'list --all --uuid --with-managed-save',
    uuids((d) => d.managedSave === true),
  );
  // No storage pools: the storage round lists none.
  await fake.answer('pool-list --all --uuid', '');
  // No networks and no filter bindings.
  await fake.answer('net-list --all --name', '');
  await fake.answer('net-list --name', '');
  await fake.answer('nwfilter-binding-list', '');
  await fake.answer(
    'domstats --state --nowait',
    domains.map((d) => `Domain: '${d.name}'\n  state.state=${d.state}\n  state.reason=${d.reason}\n\n`).join(''),
  );
  for (const d of domains) {
    if ((d.snapshots?.length ?? 0) > 0)
      await fake.answer(`snapshot-list --name ${d.uuid}`, (d.snapshots ?? []).map((s) => `${s}\n`).join(''));
    if (!d.vanished && d.xml !== undefined) await fake.answer(`dumpxml ${d.uuid}`, d.xml);
  }
}
