// Test helper: builds the vSphere cases through real SOAP calls (power, snapshots, unregister,
// virtual disks, host autostart) and the simulator's test hooks (ReconfigVM_Task extraConfig
// "SET.<path>" for VMs; the hooks object of ./simulator/main.go for hosts and clusters). Write
// calls live here only: the product stays read-only.
import { SoapClient } from '../../src/sources/vsphere/soap-client.js';
import { retrieveFromContainer, retrieveObject } from '../../src/sources/vsphere/retrieve.js';
import { child, children, escapeXml, moRef, moRefXml, text, xsiType } from '../../src/sources/vsphere/xml.js';
import type { MoRef } from '../../src/snapshot/vsphere.js';

const TIMEOUT_MS = 30_000;
const signal = () => AbortSignal.timeout(TIMEOUT_MS);

export class VsphereAdmin {
  readonly client: SoapClient;
  constructor(url: string) {
    const u = new URL(url);
    this.client = new SoapClient({
      url: u,
      username: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
    });
  }

  async find(type: string, name: string): Promise<MoRef> {
    const { objects } = await retrieveFromContainer(this.client, [{ type, paths: ['name'] }], signal());
    const o = objects.find((x) => text(x.props.get('name')) === name);
    if (!o) throw new Error(`${type} ${name} not found`);
    return o.ref;
  }

  async names(type: string): Promise<Array<{ ref: MoRef; name: string }>> {
    const { objects } = await retrieveFromContainer(this.client, [{ type, paths: ['name'] }], signal());
    return objects.map((o) => ({ ref: o.ref, name: text(o.props.get('name')) }));
  }

  async property(ref: MoRef, path: string) {
    return (await retrieveObject(this.client, ref, [path], signal()))?.props.get(path);
  }

  async task(method: string, ref: MoRef, args: string): Promise<void> {
    const res = await this.client.call(method, ref, args, signal());
    const task = moRef(child(res, 'returnval'));
    if (!task) throw new Error(`${method}: no task`);
    for (let i = 0; i < 200; i++) {
      const info = await retrieveObject(this.client, task, ['info.state', 'info.error'], signal());
      const state = text(info?.props.get('info.state'));
      if (state === 'success') return;
      if (state === 'error')
        throw new Error(`${method} failed: ${xsiType(child(info?.props.get('info.error'), 'fault'))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${method}: task did not finish`);
  }

  /** The simulator's VM hook: ReconfigVM_Task with extraConfig SET.<path> sets that property. */
  setVm(vm: MoRef, path: string, xsi: string, valueXml: string): Promise<void> {
    return this.task(
      'ReconfigVM_Task',
      vm,
      `<spec><extraConfig xsi:type="OptionValue"><key>SET.${escapeXml(path)}</key>
      <value xsi:type="${xsi}">${valueXml}</value></extraConfig></spec>`,
    );
  }

  /** The test main's hooks object: sets a property of a host or cluster. */
  async hook(ref: MoRef, path: string, xsi: string, valueXml: string): Promise<void> {
    await this.client.call(
      'UpdateOptions',
      { type: 'OptionManager', value: 'vmzombie-test-hooks' },
      `<changedValue xsi:type="OptionValue"><key>${escapeXml(`${ref.type}:${ref.value}:${path}`)}</key>
      <value xsi:type="${xsi}">${valueXml}</value></changedValue>`,
      signal(),
    );
  }

  /** A custom attribute for VMs (CustomFieldsManager.AddCustomFieldDef); its key. */
  async addCustomField(name: string): Promise<string> {
    const sc = await this.client.serviceContent(signal());
    if (!sc.customFieldsManager) throw new Error('no CustomFieldsManager');
    const res = await this.client.call(
      'AddCustomFieldDef',
      sc.customFieldsManager,
      `<name>${escapeXml(name)}</name><moType>VirtualMachine</moType>`,
      signal(),
    );
    return text(child(child(res, 'returnval'), 'key'));
  }

  /** Sets a custom attribute's value on an entity (CustomFieldsManager.SetField). */
  async setField(entity: MoRef, key: string, value: string): Promise<void> {
    const sc = await this.client.serviceContent(signal());
    await this.client.call(
      'SetField',
      sc.customFieldsManager!,
      `${moRefXml('entity', entity)}<key>${escapeXml(key)}</key><value>${escapeXml(value)}</value>`,
      signal(),
    );
  }

  /** A folder under `parent` (Folder.CreateFolder). */
  async createFolder(parent: MoRef, name: string): Promise<MoRef> {
    const res = await this.client.call('CreateFolder', parent, `<name>${escapeXml(name)}</name>`, signal());
    const ref = moRef(child(res, 'returnval'));
    if (!ref) throw new Error('CreateFolder: no folder');
    return ref;
  }

  moveIntoFolder(folder: MoRef, entity: MoRef): Promise<void> {
    return this.task('MoveIntoFolder_Task', folder, moRefXml('list', entity));
  }

  powerOff(vm: MoRef): Promise<void> {
    return this.task('PowerOffVM_Task', vm, '');
  }

  snapshot(vm: MoRef, name: string): Promise<void> {
    return this.task(
      'CreateSnapshot_Task',
      vm,
      `<name>${escapeXml(name)}</name><memory>false</memory><quiesce>false</quiesce>`,
    );
  }

  async unregister(vm: MoRef): Promise<void> {
    await this.client.call('UnregisterVM', vm, '', signal());
  }

  async datacenter(): Promise<MoRef> {
    return (await this.names('Datacenter'))[0]!.ref;
  }

  async makeDirectory(dsPath: string): Promise<void> {
    const sc = await this.client.serviceContent(signal());
    void sc;
    await this.client.call(
      'MakeDirectory',
      { type: 'FileManager', value: 'FileManager' },
      `<name>${escapeXml(dsPath)}</name>${moRefXml('datacenter', await this.datacenter())}` +
        '<createParentDirectories>true</createParentDirectories>',
      signal(),
    );
  }

  async createVirtualDisk(dsPath: string, capacityKb: number): Promise<void> {
    await this.task(
      'CreateVirtualDisk_Task',
      { type: 'VirtualDiskManager', value: 'virtualDiskManager' },
      `<name>${escapeXml(dsPath)}</name>${moRefXml('datacenter', await this.datacenter())}` +
        `<spec xsi:type="FileBackedVirtualDiskSpec"><diskType>thin</diskType><adapterType>lsiLogic</adapterType>
        <capacityKb>${capacityKb}</capacityKb></spec>`,
    );
  }

  /** ReconfigureAutostart on the host's HostAutoStartManager: autostart on, the VM set to powerOn. */
  async autostart(host: MoRef, vm: MoRef, startDelay = 0): Promise<void> {
    const mgr = moRef(child(await this.property(host, 'configManager'), 'autoStartManager'));
    if (!mgr) throw new Error(`host ${host.value} has no autoStartManager`);
    await this.client.call(
      'ReconfigureAutostart',
      mgr,
      `<spec><defaults><enabled>true</enabled><startDelay>0</startDelay></defaults>
      <powerInfo>${moRefXml('key', vm)}<startOrder>1</startOrder>` +
        `<startDelay>${startDelay}</startDelay><waitForHeartbeat>systemDefault</waitForHeartbeat>
        <startAction>powerOn</startAction>` +
        '<stopDelay>-1</stopDelay><stopAction>systemDefault</stopAction></powerInfo></spec>',
      signal(),
    );
  }

  /** config.managedBy, as SRM sets it on a placeholder VM. */
  setManagedBy(vm: MoRef, extensionKey: string, type: string): Promise<void> {
    return this.task(
      'ReconfigVM_Task',
      vm,
      `<spec><managedBy><extensionKey>${escapeXml(extensionKey)}</extensionKey><type>${escapeXml(type)}</type>` +
        '</managedBy></spec>',
    );
  }

  /**
   * Puts the VM's first disk on a delta over its current file (ReconfigVM_Task edit with a backing
   * parent), the state a failed snapshot removal leaves: the VM runs on `<disk>-000001.vmdk`.
   */
  async runOnDelta(vm: MoRef): Promise<string> {
    const disk = children(await this.property(vm, 'config.hardware.device'), 'VirtualDevice').find(
      (d) => xsiType(d) === 'VirtualDisk',
    );
    const fileName = text(child(child(disk, 'backing'), 'fileName'));
    if (!disk || !fileName) throw new Error(`VM ${vm.value} has no disk`);
    const delta = fileName.replace(/\.vmdk$/, '-000001.vmdk');
    await this.createVirtualDisk(delta, 1024);
    const backing = (name: string, parent = '') =>
      `<fileName>${escapeXml(name)}</fileName><diskMode>persistent</diskMode><thinProvisioned>true</thinProvisioned>` +
      parent;
    await this.task(
      'ReconfigVM_Task',
      vm,
      `<spec><deviceChange><operation>edit</operation><device xsi:type="VirtualDisk">` +
        `<key>${text(child(disk, 'key'))}</key>` +
        // Without deviceInfo the simulator's edit path fails (it clears the summary of the old one).
        `<deviceInfo><label>${escapeXml(text(child(child(disk, 'deviceInfo'), 'label')))}</label>` +
        '<summary>delta</summary></deviceInfo>' +
        `<backing xsi:type="VirtualDiskFlatVer2BackingInfo">` +
        backing(delta, `<parent>${backing(fileName)}</parent>`) +
        `</backing><controllerKey>${text(child(disk, 'controllerKey'))}</controllerKey>` +
        `<unitNumber>${text(child(disk, 'unitNumber'))}</unitNumber>` +
        `<capacityInKB>${text(child(disk, 'capacityInKB'))}</capacityInKB></device></deviceChange></spec>`,
    );
    return delta;
  }

  /** A First-Class Disk through the storage-object manager (CreateDisk_Task); returns nothing (its id is random). */
  async createFcd(name: string, datastore: MoRef, capacityMb: number): Promise<void> {
    await this.task(
      'CreateDisk_Task',
      { type: 'VcenterVStorageObjectManager', value: 'VStorageObjectManager' },
      `<spec><name>${escapeXml(name)}</name><backingSpec xsi:type="VslmCreateSpecDiskFileBackingSpec">` +
        `${moRefXml('datastore', datastore)}<provisioningType>thin</provisioningType></backingSpec>` +
        `<capacityInMB>${capacityMb}</capacityInMB></spec>`,
    );
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export function dateTimeXml(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString();
}

/** The snapshot tree of a VM with one root snapshot, as SET.snapshot.rootSnapshotList takes it. */
export function snapshotTreeXml(vm: MoRef, snap: MoRef, name: string, createTime: number): string {
  return (
    `<VirtualMachineSnapshotTree>${moRefXml('snapshot', snap)}${moRefXml('vm', vm)}<name>${escapeXml(name)}</name>
    <description></description>` +
    `<id>1</id><createTime>${dateTimeXml(createTime)}</createTime><state>poweredOn</state><quiesced>false</quiesced>
    </VirtualMachineSnapshotTree>`
  );
}
