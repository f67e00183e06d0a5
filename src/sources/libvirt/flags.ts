// The libvirt source's flags: the connection URI, the transport, and where libvirt keeps its pid files.
// Composed into the full flag table above the layers (src/flags.ts).
import { int, oneOf, str, type FlagTable } from '../../config/flag-spec.js';

export const TRANSPORT_CHOICES = ['auto', 'rpc', 'virsh'] as const;
export type TransportChoice = (typeof TRANSPORT_CHOICES)[number];

export const LIBVIRT_FLAGS = {
  'libvirt.uri': str('qemu:///system', 'libvirt connection URI (opened read-only).'),
  'libvirt.virsh': str('virsh', 'virsh executable used to talk to libvirt.'),
  'libvirt.run-dir': str('/run/libvirt/qemu', 'libvirt QEMU driver state directory (<domain>.pid files).'),
  'libvirt.save-dir': str(
    '/var/lib/libvirt/qemu/save',
    "libvirt's managed-save images (<domain>.save). Empty: not read.",
  ),
  'libvirt.log-dir': str(
    '/var/log/libvirt/qemu',
    'libvirt\'s qemu logs (<domain>.log): their last "shutting down" line dates a shut-off domain. Empty: not read.',
  ),
  'libvirt.transport': oneOf(
    TRANSPORT_CHOICES,
    'auto',
    "auto: libvirt's RPC protocol on the local read-only socket where the URI allows it (qemu:///system, " +
      'test+unix://, ?socket=), virsh for other URIs or when the handshake fails. rpc, virsh: only that one.',
  ),
  'libvirt.xml-refresh': int(
    20,
    "Each domain's XML is fetched again at least every this many collections, with no event or state change (a " +
      'config-only change of a shut-off domain fires none). 1: every collection.',
  ),
} satisfies FlagTable;

declare module '../source-flags.js' {
  interface SourceFlagTables {
    libvirt: typeof LIBVIRT_FLAGS;
  }
}
