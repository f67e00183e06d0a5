// The test API server of scripts/bench-kube.ts in its own process, so the agent's memory and CPU are
// measured alone. Loads the object counts for the resources the server knows, then answers
// the parent over the fork IPC channel: {cmd:'churn', perSecond} starts a steady stream of VMI
// freeze/unfreeze updates, {cmd:'burst', events, held} sends that many as fast as it can (held: stored
// first, then written together), {cmd:'stop'} stops the stream, {cmd:'stats'} reports list requests and
// its CPU. It exits when the parent goes away.
//   (forked by bench-kube.ts) node --import tsx scripts/bench-kube-api.ts --vms=10000
import { KubeApiServer, type ResourceName } from '../test/support/kube-api-server.js';
import * as k from '../test/support/kubevirt-objects.js';

type Obj = Parameters<KubeApiServer['create']>[1];
const arg = (name: string, def: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const VMS = Math.min(arg('vms', 10000), 20000);
const NODES = 50;
const NAMESPACES = 20;

const api = new KubeApiServer();
await api.start();
const now = Math.floor(Date.now() / 1000);
const counts: Record<string, number> = {};
const add = (resource: ResourceName, o: unknown) => {
  counts[resource] = (counts[resource] ?? 0) + 1;
  return api.create(resource, o as Obj);
};
const dataVolume = (namespace: string, name: string) => ({
  apiVersion: 'cdi.kubevirt.io/v1beta1',
  kind: 'DataVolume',
  metadata: { name, namespace },
  spec: {
    source: { http: { url: 'https://images.example.com/focal.qcow2' } },
    storage: { resources: { requests: { storage: '10Gi' } } },
  },
  status: { phase: 'Succeeded', progress: '100.0%' },
});
for (let i = 0; i < VMS; i++) {
  const ns = `team-${i % NAMESPACES}`;
  const deleting =
    i % 100 === 0
      ? { deletionTimestamp: now - 1000, finalizers: ['wrangler.cattle.io/VMController.CleanupPVCAndSnapshot'] }
      : undefined;
  add('vms', k.vm(ns, `vm-${i}`, deleting ? 'Terminating' : 'Running', deleting));
  const vmi = add('vmis', k.vmi(ns, `vm-${i}`, { node: `node-${i % NODES}` }));
  add(
    'pods',
    k.launcherPod(ns, `virt-launcher-vm-${i}-abcde`, vmi.metadata.uid as string, `vm-${i}`, {
      node: `node-${i % NODES}`,
    }),
  );
  // 3 PVCs per VM (30 000 at 10 000 VMs), 1 DataVolume, a Harvester backup for every tenth.
  for (let d = 0; d < 3; d++) add('pvcs', k.pvc(ns, `vm-${i}-disk-${d}`));
  add('datavolumes', dataVolume(ns, `vm-${i}-disk-0`));
  if (i % 10 === 0) add('vmbackups', k.vmBackup(ns, `vm-${i}-backup`, `vm-${i}`));
  // One migration per ten VMs (1 000 at 10 000), done an hour ago; one VM snapshot per two (5 000), ready.
  if (i % 10 === 5) add('migrations', k.migration(ns, `vm-${i}-migration`, `vm-${i}`, 'Succeeded', now - 3600));
  if (i % 2 === 1) add('vmsnapshots', k.vmSnapshot(ns, `vm-${i}-snapshot`, `vm-${i}`, 'Succeeded', now - 7200));
}
for (let n = 0; n < NODES; n++) add('pods', k.handlerPod('harvester-system', `virt-handler-${n}`, `node-${n}`));

// Freeze/unfreeze toggles spread over the VMIs: each is one MODIFIED event the agent counts.
let next = 0;
let sent = 0;
const toggle = () => {
  const i = next++ % VMS;
  api.modify('vmis', `team-${i % NAMESPACES}`, `vm-${i}`, (o) => {
    const st = o.status as Record<string, unknown>;
    if (st.fsFreezeStatus) delete st.fsFreezeStatus;
    else st.fsFreezeStatus = 'frozen';
  });
  sent++;
};

let churn: NodeJS.Timeout | null = null;
type Command =
  { cmd: 'churn'; perSecond: number } | { cmd: 'burst'; events: number; held?: boolean } | { cmd: 'stop' | 'stats' };
process.on('message', (m: Command) => {
  switch (m.cmd) {
    case 'churn': {
      // Every 50 ms, the events due since the stream started (the timer drifts; the count does not).
      const start = Date.now();
      const base = sent;
      churn = setInterval(() => {
        const due = Math.floor(((Date.now() - start) / 1000) * m.perSecond) - (sent - base);
        for (let e = 0; e < due; e++) toggle();
      }, 50);
      process.send?.({ ok: 'churn' });
      break;
    }
    case 'stop':
      if (churn) clearInterval(churn);
      churn = null;
      process.send?.({ ok: 'stop', sent });
      break;
    case 'burst': {
      // Held: the watches' writes wait until every event is stored, then go out together; releasedAt (epoch ms)
      // is when the client can start reading them.
      if (m.held) api.holdWatches();
      const t0 = process.hrtime.bigint();
      for (let e = 0; e < m.events; e++) toggle();
      const storeMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const releasedAt = performance.timeOrigin + performance.now();
      if (m.held) api.releaseWatches();
      process.send?.({ ok: 'burst', sent, storeMs, releasedAt });
      break;
    }
    case 'stats': {
      const cpu = process.cpuUsage();
      // Lists of the watched resources only: metrics.k8s.io is polled (it has no watch), not relisted.
      process.send?.({
        ok: 'stats',
        sent,
        // The API server's own CPU (user + system) so far, to set beside the agent's.
        cpuMs: (cpu.user + cpu.system) / 1000,
        listRequests: api.listRequests() - api.listRequests('podmetrics'),
        openWatches: api.openWatches(),
      });
      break;
    }
  }
});
process.on('disconnect', () => {
  if (churn) clearInterval(churn);
  void api.stop().then(() => process.exit(0));
});
process.send?.({ ok: 'ready', url: api.url, counts });
