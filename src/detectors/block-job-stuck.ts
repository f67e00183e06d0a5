// block_job_stuck: a disk with a block job whose target libvirt shows in the live XML (<mirror>: a
// copy or an active commit) for longer than the grace. `ready` means the job reached its end and waits
// for a pivot or cancel that never came: writes go to both images and the overlays stay. Read from
// the XML libvirt already serves (job-free); progress needs the monitor, so the runbook asks for it.
// The label is `block_job`: `job` is Prometheus' own.
import { duration } from '../config/flag-spec.js';
import type { Detector, FindingFrom } from './detector.js';
import { domainOwner, ownerLabel, type Owner } from '../views/libvirt-owner.js';

export interface BlockJobEvidence {
  disk: string;
  source: string | null;
  /** copy, active-commit (libvirt's <mirror job=...>). */
  job: string;
  /** The job reached its end and waits for `virsh blockjob --pivot` or `--abort`. */
  ready: boolean;
  mirrorTarget: string | null;
  domainState: string;
  owner: Owner | null;
}

export const blockJobStuck: Detector<
  'block_job_stuck',
  BlockJobEvidence,
  'domain' | 'uuid' | 'disk' | 'block_job' | 'ready' | 'owner',
  'detect.block-job-grace'
> = {
  kind: 'block_job_stuck',
  labels: ['domain', 'uuid', 'disk', 'block_job', 'ready', 'owner'],
  knobs: {
    'detect.block-job-grace': duration(
      '6h',
      'How long a block copy or active commit may stay in progress or unpivoted before block_job_stuck.',
    ),
  },
  grace: 'detect.block-job-grace',
  needs: ['libvirt'],
  detect(s) {
    const findings: Array<FindingFrom<typeof blockJobStuck>> = [];
    for (const d of s.libvirt?.domains ?? []) {
      for (const disk of d.disks) {
        if (!disk.mirror) continue;
        const owner = domainOwner(d);
        findings.push({
          kind: 'block_job_stuck',
          subject: `${d.name} (${d.uuid}) ${disk.target}`,
          labels: {
            domain: d.name,
            uuid: d.uuid,
            disk: disk.target,
            block_job: disk.mirror.job,
            ready: String(disk.mirror.ready),
            owner: ownerLabel(owner),
          },
          since: null,
          reclaimable: {},
          evidence: {
            disk: disk.target,
            source: disk.source,
            job: disk.mirror.job,
            ready: disk.mirror.ready,
            mirrorTarget: disk.mirror.source,
            domainState: d.state,
            owner,
          },
          refs: [`domain:${d.uuid}`],
        });
      }
    }
    return findings;
  },
};
