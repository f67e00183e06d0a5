// nwfilter_binding_without_domain: an nwfilter binding (a filter libvirt applies to a guest's port
// device) whose owner is no active domain: it outlived its guest (a daemon restart or crash during a
// teardown). Its rules stay on the tap name, and the next guest that gets that tap is filtered or
// blocked by them. The grace covers a domain starting, stopping or migrating, when binding and domain
// state change one after the other.
import { duration } from '../config/flag-spec.js';
import type { Detector, FindingFrom } from './detector.js';
import { domainOwner, ownerLabel, type Owner } from '../views/libvirt-owner.js';

export interface NwfilterBindingEvidence {
  portDev: string;
  filter: string;
  ownerName: string | null;
  ownerUuid: string | null;
  mac: string | null;
  /** The owner's state when it is still defined (shutoff, crashed ...); null when libvirt has no such domain. */
  ownerState: string | null;
  /** Active domains whose interface has this port device now: their traffic goes through the stale filter. */
  portDevNowUsedBy: string[];
  owner: Owner | null;
}

export const nwfilterBindingWithoutDomain: Detector<
  'nwfilter_binding_without_domain',
  NwfilterBindingEvidence,
  'port_dev' | 'filter' | 'domain' | 'uuid' | 'owner',
  'detect.nwfilter-binding-grace'
> = {
  kind: 'nwfilter_binding_without_domain',
  labels: ['port_dev', 'filter', 'domain', 'uuid', 'owner'],
  knobs: {
    'detect.nwfilter-binding-grace': duration(
      '10m',
      'How long an nwfilter binding may name an owner that is no active domain before nwfilter_binding_without_domain.',
    ),
  },
  grace: 'detect.nwfilter-binding-grace',
  needs: ['libvirt', 'libvirt.nwfilter-bindings'],
  detect(s) {
    const libvirt = s.libvirt;
    const bindings = libvirt?.nwfilterBindings;
    if (!libvirt || !bindings) return [];
    const isActive = (d: { id: number | null }) => d.id !== null;
    const findings: Array<FindingFrom<typeof nwfilterBindingWithoutDomain>> = [];
    for (const b of bindings) {
      // By uuid when the binding records one (names can be reused), else by name.
      const defined =
        b.ownerUuid !== null
          ? libvirt.domains.find((d) => d.uuid === b.ownerUuid)
          : libvirt.domains.find((d) => d.name === b.ownerName);
      if (defined && isActive(defined)) continue;
      const owner = defined ? domainOwner(defined) : null;
      findings.push({
        kind: 'nwfilter_binding_without_domain',
        subject: `${b.portDev} ${b.filter} (${b.ownerName ?? '?'})`,
        labels: {
          port_dev: b.portDev,
          filter: b.filter,
          domain: b.ownerName ?? '',
          uuid: b.ownerUuid ?? '',
          owner: ownerLabel(owner),
        },
        since: null,
        reclaimable: {},
        evidence: {
          portDev: b.portDev,
          filter: b.filter,
          ownerName: b.ownerName,
          ownerUuid: b.ownerUuid,
          mac: b.mac,
          ownerState: defined?.state ?? null,
          portDevNowUsedBy: libvirt.domains
            .filter((d) => isActive(d) && d.interfaces.some((i) => i.targetDev === b.portDev))
            .map((d) => `${d.name} (${d.uuid})`),
          owner,
        },
        refs: [`interface:${b.portDev}`, ...(b.ownerUuid ? [`domain:${b.ownerUuid}`] : [])],
      });
    }
    return findings;
  },
};
