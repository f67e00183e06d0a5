// autostart_not_running: a domain marked autostart is not running although the host and libvirt
// have been up longer than --detect.autostart-grace. After a reboot libvirt forgets shut-off
// reasons (they read "unknown"), so the uptime of host and daemon is the only fair test.
import { AUTOSTART_GRACE } from './lib/knobs.js';
import type { Detector, FindingFrom } from './detector.js';
import { domainSubject } from './domain-state-evidence.js';

export interface AutostartNotRunningEvidence {
  state: string;
  reason: string;
  hostBootTime: number | null;
  libvirtdStartTime: number | null;
}

const DAEMONS = new Set(['libvirtd', 'virtqemud']);
const NOT_RUNNING = new Set(['shutoff', 'crashed', 'nostate']);

export const autostartNotRunning: Detector<
  'autostart_not_running',
  AutostartNotRunningEvidence,
  'domain' | 'uuid',
  'detect.autostart-grace'
> = {
  kind: 'autostart_not_running',
  labels: ['domain', 'uuid'],
  knobs: { ...AUTOSTART_GRACE },
  needs: ['libvirt'],
  detect(s, { now, options }) {
    const { libvirt, procfs } = s;
    if (!libvirt) return [];
    const local = libvirt.local && procfs !== undefined;
    const bootTime = local ? procfs.bootTimeSeconds : null;
    const daemonStarts = local
      ? procfs.processes.filter((p) => DAEMONS.has(p.comm)).map((p) => p.startTimeSeconds)
      : [];
    const daemonStart = daemonStarts.length ? Math.max(...daemonStarts) : null;
    const upSince = Math.max(bootTime ?? 0, daemonStart ?? 0);
    if (now - upSince < options['detect.autostart-grace']) return [];
    const findings: Array<FindingFrom<typeof autostartNotRunning>> = [];
    for (const d of libvirt.domains) {
      if (!d.autostart || !NOT_RUNNING.has(d.state)) continue;
      findings.push({
        kind: 'autostart_not_running',
        subject: domainSubject(d),
        labels: { domain: d.name, uuid: d.uuid },
        since: null,
        reclaimable: {},
        evidence: { state: d.state, reason: d.reason, hostBootTime: bootTime, libvirtdStartTime: daemonStart },
      });
    }
    return findings;
  },
};
