// `snapshot --redact` on a hyperv section: the Windows host name and user names in Windows paths go.
import { describe, expect, it } from 'vitest';
import { redactSnapshot } from '../../src/outputs/redact.js';
import { hypervSection, snapshotOf } from '../detectors/hyperv-fixture.js';

describe('redacting a hyperv snapshot', () => {
  it('replaces the host name and the user of C:\\Users\\<name> paths', () => {
    const text = JSON.stringify(redactSnapshot(snapshotOf(hypervSection())));
    expect(text).not.toContain('WIN-LBC2PSOUUG1');
    expect(text).not.toMatch(/vagrant\\\\project/);
    expect(text).toContain('Server25');
  });
});
