// libvirt's in-process test driver (virsh -c test:///default) lists networks but has no DHCP leases and
// no nwfilter bindings: the section leaves both out without a problem, and the two kinds say they
// cannot judge instead of looking healthy.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { LibvirtReader } from '../../../src/sources/libvirt/libvirt-reader.js';
import { dhcpLeaseWithoutDomain } from '../../../src/detectors/dhcp-lease-without-domain.js';
import { nwfilterBindingWithoutDomain } from '../../../src/detectors/nwfilter-binding-without-domain.js';
import { missingCommands, skipWithout } from '../../support/components.js';
import { snapshot } from '../../support/builders.js';
import { skipReason } from '../../support/judge.js';

const unavailable = skipWithout('virsh', missingCommands('virsh'));

describe.skipIf(unavailable)('network reads on a driver without them', () => {
  it('test:///default: no leases, no bindings, no problems; both kinds cannot judge', async () => {
    const reader = new LibvirtReader({ virsh: 'virsh', uri: 'test:///default', runDir: '/nonexistent' });
    try {
      const s = await reader.read(AbortSignal.timeout(30_000));
      assert.equal(s.transport?.name, 'virsh');
      assert.equal(s.networks, undefined);
      assert.equal(s.nwfilterBindings, undefined);
      assert.deepEqual(s.problems, []);
      const snap = snapshot({ libvirt: s });
      assert.match(skipReason(dhcpLeaseWithoutDomain, snap) ?? '', /not read/);
      assert.match(skipReason(nwfilterBindingWithoutDomain, snap) ?? '', /not read/);
    } finally {
      await reader.close();
    }
  });
});
