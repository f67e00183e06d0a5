// Networks, DHCP leases and nwfilter bindings through the libvirt source's kept `virsh -r` shell, for
// URIs the RPC socket cannot reach: `net-list`, `net-info` and `net-dhcp-leases` per network,
// `nwfilter-binding-list` and `nwfilter-binding-dumpxml` per binding.
import { noteStderr, type VirshShell } from '../virsh-shell.js';
import type { WireBinding, WireLease } from '../rpc/network-calls.js';
import { NetworkUnsupportedError, type ListedNetwork, type NetworkBackend } from './network-reader.js';
import { parseBindingList, parseDhcpLeases, parseNetInfoBridge } from './parse-network.js';

/** virsh's words for a network or binding that went away between two commands. */
const GONE = /Network not found|no nwfilter binding|Network filter binding not found|failed to get network/i;
const NO_DRIVER = /not supported by the connection driver|no connection driver available/i;

/** virsh's own quoting: single quotes, no escapes inside; a name holding one cannot be passed. */
function quote(s: string): string | null {
  return /['\n\r]/.test(s) ? null : `'${s}'`;
}

const names = (text: string | undefined) =>
  (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

export class VirshNetwork implements NetworkBackend {
  constructor(private readonly shell: VirshShell) {}

  async networks(signal: AbortSignal, problems: string[]): Promise<ListedNetwork[]> {
    const run = await this.shell.run(['net-list --all --name', 'net-list --name'], signal);
    if (NO_DRIVER.test(run.stderr)) throw new NetworkUnsupportedError(run.stderr.trim());
    noteStderr(run.stderr, problems);
    const active = new Set(names(run.outputs[1]));
    return names(run.outputs[0]).map((name) => ({ name, uuid: '', active: active.has(name) }));
  }

  async leases(
    nets: readonly ListedNetwork[],
    signal: AbortSignal,
    problems: string[],
  ): Promise<Map<string, WireLease[]>> {
    const asked = nets.flatMap((n) => {
      const q = quote(n.name);
      if (q === null) {
        problems.push(`network ${n.name}: a quote in its name, not passed to virsh`);
        return [];
      }
      return [{ n, cmds: [`net-info ${q}`, `net-dhcp-leases ${q}`] }];
    });
    if (asked.length === 0) return new Map();
    const run = await this.shell.run(
      asked.flatMap((a) => a.cmds),
      signal,
    );
    // libvirt's test driver lists networks but has no leases: nothing can be judged, nothing is broken.
    if (NO_DRIVER.test(run.stderr)) throw new NetworkUnsupportedError(run.stderr.trim());
    noteStderr(run.stderr, problems, GONE);
    const out = run.outputs;
    return new Map(
      asked.map((a, i) => [
        a.n.name,
        parseDhcpLeases(out[2 * i + 1] ?? '', parseNetInfoBridge(out[2 * i] ?? ''), problems),
      ]),
    );
  }

  async bindings(signal: AbortSignal, problems: string[]): Promise<WireBinding[]> {
    const run = await this.shell.run(['nwfilter-binding-list'], signal);
    if (NO_DRIVER.test(run.stderr)) throw new NetworkUnsupportedError(run.stderr.trim());
    noteStderr(run.stderr, problems);
    return parseBindingList(run.outputs[0] ?? '', problems);
  }

  async bindingXml(
    bindings: readonly WireBinding[],
    signal: AbortSignal,
    problems: string[],
  ): Promise<Map<string, string>> {
    const asked = bindings.flatMap((b) => {
      const q = quote(b.portdev);
      return q === null ? [] : [{ b, cmd: `nwfilter-binding-dumpxml ${q}` }];
    });
    const out = await this.shell.outputs(
      asked.map((a) => a.cmd),
      signal,
      problems,
      GONE,
    );
    return new Map(asked.flatMap((a, i) => (out[i]?.trim() ? [[a.b.portdev, out[i] as string]] : [])));
  }
}
