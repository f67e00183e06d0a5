// virDomainState and its reason numbers in the words `virsh domstate --reason` prints
// (tools/virsh-domain-monitor.c), so the RPC and virsh paths describe a domain identically.
import { DOMAIN_STATES, type DomainState } from '../../snapshot/libvirt.js';

const REASONS: Record<DomainState, readonly string[]> = {
  nostate: ['unknown'],
  running: [
    'unknown',
    'booted',
    'migrated',
    'restored',
    'from snapshot',
    'unpaused',
    'migration canceled',
    'save canceled',
    'event wakeup',
    'crashed',
    'post-copy',
    'post-copy failed',
  ],
  blocked: ['unknown'],
  paused: [
    'unknown',
    'user',
    'migrating',
    'saving',
    'dumping',
    'I/O error',
    'watchdog',
    'from snapshot',
    'shutting down',
    'creating snapshot',
    'crashed',
    'starting up',
    'post-copy',
    'post-copy failed',
    'api error',
  ],
  shutdown: ['unknown', 'user'],
  shutoff: ['unknown', 'shutdown', 'destroyed', 'crashed', 'migrated', 'saved', 'failed', 'from snapshot', 'daemon'],
  crashed: ['unknown', 'panicked'],
  pmsuspended: ['unknown'],
};

/** An out-of-range state (a newer libvirt) reads as "nostate", as virsh prints "no state". */
export function stateName(state: number): DomainState {
  return DOMAIN_STATES[state] ?? 'nostate';
}

/** Like virsh: a reason this table does not know is "unknown". */
export function reasonWord(state: DomainState, reason: number): string {
  return REASONS[state][reason] ?? 'unknown';
}
