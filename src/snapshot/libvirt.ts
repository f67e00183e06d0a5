// Shape of what the libvirt source reads: domains as libvirt describes them, plus the identity of
// their disk files on this host. Zod schemas are the single definition; types are inferred from them.
import { z } from 'zod';
import { FileIdentitySchema } from './file-identity.js';
import { LibvirtStorageSchema } from './libvirt-storage.js';
import { ResourceKeepSchema } from './keep.js';
import { LibvirtNetworksSchema, NwfilterBindingSchema } from './libvirt-network.js';

/** virDomainState names, in libvirt's numeric order (0..7). */
export const DOMAIN_STATES = [
  'nostate',
  'running',
  'blocked',
  'paused',
  'shutdown',
  'shutoff',
  'crashed',
  'pmsuspended',
] as const;
export const DomainStateSchema = z.enum(DOMAIN_STATES);
export type DomainState = z.infer<typeof DomainStateSchema>;

/** stat() of a file a domain references, taken on this host (null fields when it could not be read). */
export const FileStatSchema = FileIdentitySchema;
export type FileStat = z.infer<typeof FileStatSchema>;

export const DomainDiskSchema = z.object({
  target: z.string(),
  device: z.string(),
  type: z.string(),
  /** Host path of the active layer (file or block device); null for network/volume disks or empty cdroms. */
  source: z.string().nullable(),
  readonly: z.boolean(),
  shareable: z.boolean(),
  /** Backing files below the active layer, nearest first, as the live XML's <backingStore> lists them. */
  backingChain: z.array(z.string()),
  /** For type='volume' disks: the storage pool and volume the disk names instead of a path. */
  volume: z.object({ pool: z.string(), volume: z.string() }).nullable().optional(),
  /** For type='network' disks: the protocol and name, e.g. rbd and `pool/image`. */
  network: z.object({ protocol: z.string(), name: z.string() }).optional(),
  /** A block job's target (<mirror>): copy or active-commit, and whether it reached its end (ready). */
  mirror: z.object({ job: z.string(), ready: z.boolean(), source: z.string().nullable() }).optional(),
});
export type DomainDisk = z.infer<typeof DomainDiskSchema>;

export const DomainHostdevSchema = z.object({
  /** PCI address in sysfs form, e.g. 0000:01:00.0; mdev uuid for mdev hostdevs. */
  address: z.string(),
  type: z.enum(['pci', 'mdev', 'other']),
  managed: z.boolean(),
});
export type DomainHostdev = z.infer<typeof DomainHostdevSchema>;

export const DomainInterfaceSchema = z.object({
  type: z.string(),
  targetDev: z.string().nullable(),
  mac: z.string().nullable(),
});

export const DomainSchema = z.object({
  name: z.string(),
  uuid: z.string(),
  /** Runtime id; null when the domain is not active. */
  id: z.number().nullable(),
  state: DomainStateSchema,
  /** Reason as `virsh domstate --reason` words it, e.g. "destroyed", "user", "unknown". */
  reason: z.string(),
  autostart: z.boolean(),
  persistent: z.boolean(),
  /** Snapshots libvirt has metadata for (`snapshot-list --name`), internal and external together. */
  snapshots: z.number().optional(),
  vcpus: z.number(),
  memoryBytes: z.number(),
  hugepages: z.boolean(),
  disks: z.array(DomainDiskSchema),
  hostdevs: z.array(DomainHostdevSchema),
  interfaces: z.array(DomainInterfaceSchema),
  /** Host files the domain boots from or keeps state in: <os> kernel, initrd, dtb, loader, nvram. */
  bootFiles: z.array(z.string()).optional(),
  /** Has a managed-save image (`virsh managedsave`): the next start resumes from it. */
  managedSave: z.boolean().optional(),
  /** Who the host records as the domain's owner: nova metadata, a KubeVirt launcher's name. */
  owner: z.object({ system: z.string(), project: z.string().nullable(), name: z.string().nullable() }).optional(),
  /** Marked as a template (metadata in the urn:vmzombie:template namespace): never judged as idle. */
  template: z.boolean().optional(),
  /** A keep marker in the domain's <metadata> (namespace https://vmzombie.io/keep), as written. */
  keep: ResourceKeepSchema.optional(),
  /** qemu pid from libvirt's run directory (<name>.pid), null when not running or not readable. */
  pid: z.number().nullable(),
});
export type Domain = z.infer<typeof DomainSchema>;

/** How the section was read: libvirt's RPC socket or virsh, and why (reason is a fixed word). */
export const LibvirtTransportSchema = z.object({
  name: z.enum(['rpc', 'virsh']),
  /** local_socket; configured, remote_uri, session_uri, in_process_driver, unsupported_uri, handshake_failed. */
  reason: z.string(),
  /** The socket path, or the error that sent us to virsh. */
  detail: z.string(),
});
export type LibvirtTransport = z.infer<typeof LibvirtTransportSchema>;

export const LibvirtSectionSchema = z.object({
  uri: z.string(),
  /** True when the URI points at this host, so /proc and the run directory describe the same machine. */
  local: z.boolean(),
  domains: z.array(DomainSchema),
  /** stat() of every disk file and backing file the domains reference (local URIs only). */
  files: z.array(FileStatSchema),
  /** Records that could not be read or parsed; counted, never fatal. */
  problems: z.array(z.string()),
  /** libvirt's storage API: every pool of any type and its volumes; absent when it could not be read. */
  storage: LibvirtStorageSchema.optional(),
  /** libvirt's virtual networks and their DHCP leases; absent when the network driver could not be read. */
  networks: LibvirtNetworksSchema.optional(),
  /** Every nwfilter binding (filter on a port device); absent when the nwfilter driver could not be read. */
  nwfilterBindings: z.array(NwfilterBindingSchema).optional(),
  /** Files in libvirt's managed-save directory (local URIs only). */
  saveFiles: z.array(FileStatSchema).optional(),
  /** When each shut-off domain (uuid) last stopped, from its qemu log (local URIs only). */
  shutOff: z.array(z.object({ uuid: z.string(), since: z.number(), record: z.string() })).optional(),
  /** Absent in snapshots taken before the RPC transport existed. */
  transport: LibvirtTransportSchema.optional(),
});
export type LibvirtSection = z.infer<typeof LibvirtSectionSchema>;

declare module './snapshot.js' {
  interface Sections {
    libvirt: LibvirtSection;
  }
}
