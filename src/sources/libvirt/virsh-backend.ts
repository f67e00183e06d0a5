// The libvirt source through one kept `virsh -r` shell, for what the RPC socket cannot reach
// (remote and session URIs, the in-process test driver, a failed handshake). The same incremental
// command set: one round of lists and `domstats --state --nowait`, then snapshot counts and
// `dumpxml` only for the domains that need them.
import type { DomainListing, LibvirtBackend, Overview } from './backend.js';
import { VirshShell, noteStderr } from './virsh-shell.js';
import { parseDomStats, parseIdNameList, parseUuidList } from './parse-virsh.js';
import { reasonWord, stateName } from './state-reasons.js';
import { VirshStorage } from './storage/virsh-storage.js';
import { VirshNetwork } from './network/virsh-network.js';

/** virsh's words for a domain that went away between two commands: a clean "gone". */
const GONE = /Domain not found|failed to get domain/i;

export class VirshBackend implements LibvirtBackend {
  readonly transport = 'virsh' as const;
  private readonly shell: VirshShell;
  readonly storage: VirshStorage;
  readonly network: VirshNetwork;

  constructor(virsh: string, uri: string) {
    this.shell = new VirshShell(virsh, uri);
    this.storage = new VirshStorage(this.shell);
    this.network = new VirshNetwork(this.shell);
  }

  takeReconnected(): boolean {
    return false;
  }

  async overview(signal: AbortSignal, problems: string[]): Promise<Overview> {
    const run = await this.shell.run(
      [
        'list --all --uuid --id --name',
        'list --all --uuid --autostart',
        'list --all --uuid --transient',
        'list --all --uuid --with-snapshot',
        'list --all --uuid --with-managed-save',
        'domstats --state --nowait',
      ],
      signal,
    );
    noteStderr(run.stderr, problems, GONE);
    const [all, autostart, transient, withSnapshots, withManagedSave, stats] = run.outputs;
    const listed = parseIdNameList(all ?? '');
    for (const g of listed.garbage) problems.push(`unexpected line in domain list: ${g.slice(0, 200)}`);
    const states = parseDomStats(stats ?? '');
    const domains: DomainListing[] = [];
    for (const d of listed.domains) {
      const s = states.get(d.name);
      // Defined or undefined between the two commands: it shows up whole next time.
      if (!s) continue;
      const state = stateName(s.state);
      domains.push({ ...d, state, reason: reasonWord(state, s.reason) });
    }
    const set = (text: string | undefined) => new Set(parseUuidList(text ?? '').uuids);
    return {
      domains,
      autostart: set(autostart),
      transient: set(transient),
      withSnapshots: set(withSnapshots),
      withManagedSave: set(withManagedSave),
    };
  }

  async snapshotCounts(
    domains: readonly DomainListing[],
    signal: AbortSignal,
    problems: string[],
  ): Promise<Map<string, number>> {
    if (domains.length === 0) return new Map();
    const run = await this.shell.run(
      domains.map((d) => `snapshot-list --name ${d.uuid}`),
      signal,
    );
    noteStderr(run.stderr, problems, GONE);
    return new Map(
      domains.map((d, i) => [d.uuid, (run.outputs[i] ?? '').split('\n').filter((l) => l.trim() !== '').length]),
    );
  }

  async xml(domains: readonly DomainListing[], signal: AbortSignal, problems: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (domains.length === 0) return out;
    const run = await this.shell.run(
      domains.map((d) => `dumpxml ${d.uuid}`),
      signal,
    );
    noteStderr(run.stderr, problems, GONE);
    for (const [i, d] of domains.entries()) {
      const text = run.outputs[i] ?? '';
      // Empty output: the domain went away (its error is on stderr).
      if (text.trim() !== '') out.set(d.uuid, text);
    }
    return out;
  }

  close(): Promise<void> {
    return this.shell.close();
  }
}
