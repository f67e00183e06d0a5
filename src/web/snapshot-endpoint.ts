// Whether /snapshot.json is served, and what: off by default (it holds every process's command line,
// host and user names), the redacted snapshot with --web.enable-snapshot, the raw one only when
// --web.snapshot-unredacted is given as well.
import type { Config } from '../config/flags.js';
import type { SnapshotEndpoint } from '../outputs/pages.js';

export type SnapshotMode = SnapshotEndpoint;

/** The mode the flags ask for; the raw flag alone is a mistake, not a way to turn the endpoint on. */
export function snapshotMode(config: Pick<Config, 'web.enable-snapshot' | 'web.snapshot-unredacted'>): SnapshotMode {
  if (config['web.snapshot-unredacted'] && !config['web.enable-snapshot'])
    throw new Error('--web.snapshot-unredacted needs --web.enable-snapshot');
  if (!config['web.enable-snapshot']) return 'off';
  return config['web.snapshot-unredacted'] ? 'raw' : 'redacted';
}

/** One line for the log and the landing page. */
export function describeSnapshotMode(mode: SnapshotMode): string {
  switch (mode) {
    case 'off':
      return '/snapshot.json is not served (--web.enable-snapshot serves it redacted)';
    case 'redacted':
      return '/snapshot.json is served redacted: command lines cut to what detection reads, host and user names hidden';
    case 'raw':
      return (
        '/snapshot.json is served UNREDACTED (--web.snapshot-unredacted): every command line, host and user name, ' +
        'to anyone who can reach this port'
      );
  }
}

/** The body of the 404 /snapshot.json answers when it is off: like any unknown path, with the reason. */
export const SNAPSHOT_OFF_BODY =
  "404 Not found: /snapshot.json is off. It holds what the detectors read, including every process's command " +
  'line; start the exporter with --web.enable-snapshot to serve it redacted, or run `vmzombie-exporter snapshot ' +
  '--redact` on the host.\n';
