// vmzombie_libvirt_domain_info and vmzombie_libvirt_domains{state}: what libvirt says, so alerts
// and dashboards can join findings with domain state; vmzombie_libvirt_transport_info: how it was read.
import { Gauge } from 'prom-client';
import { CachedTextGauge } from './cached-text-gauge.js';
import type { Domain } from '../../snapshot/libvirt.js';
import { DOMAIN_STATES } from '../../snapshot/libvirt.js';
import type { SectionMetricsFactory } from './section-metrics.js';

export const libvirtMetrics: SectionMetricsFactory = (registry) => {
  const info = new CachedTextGauge(
    'vmzombie_libvirt_domain_info',
    'One series per libvirt domain, value 1.',
    ['domain', 'uuid', 'state', 'reason', 'autostart', 'persistent'],
    (d: Domain) => ({
      labels: {
        domain: d.name,
        uuid: d.uuid,
        state: d.state,
        reason: d.reason,
        autostart: String(d.autostart),
        persistent: String(d.persistent),
      },
      value: 1,
    }),
    registry,
  );
  const byState = new Gauge<'state'>({
    name: 'vmzombie_libvirt_domains',
    help: 'libvirt domains per state.',
    labelNames: ['state'],
    registers: [registry],
  });
  const transport = new Gauge<'transport' | 'reason'>({
    name: 'vmzombie_libvirt_transport_info',
    help: 'How the libvirt collector reads libvirt, value 1: transport rpc (the read-only socket) or virsh, and why.',
    labelNames: ['transport', 'reason'],
    registers: [registry],
  });
  return {
    update(snapshot) {
      info.reset();
      byState.reset();
      transport.reset();
      const t = snapshot.libvirt?.transport;
      if (t) transport.set({ transport: t.name, reason: t.reason }, 1);
      const domains = snapshot.libvirt?.domains;
      if (!domains) return;
      for (const state of DOMAIN_STATES) byState.set({ state }, 0);
      info.set(domains);
      const counts = new Map<string, number>();
      for (const d of domains) counts.set(d.state, (counts.get(d.state) ?? 0) + 1);
      for (const [state, n] of counts) byState.set({ state }, n);
    },
  };
};
