// Basic auth decisions: which hash each request is compared against, and what is cached.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import bcrypt from 'bcryptjs';
import { BasicAuth, type Compare } from '../../src/web/basic-auth.js';

const header = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const hash = await bcrypt.hash('right', 4);

describe('BasicAuth', () => {
  const calls: Array<[string, string]> = [];
  const counting: Compare = async (password, h) => {
    calls.push([password, h]);
    return bcrypt.compare(password, h);
  };

  it("an unknown user costs one bcrypt comparison too, against a hash that is no user's", async () => {
    const auth = new BasicAuth(new Map([['alice', hash]]), counting);
    calls.length = 0;
    assert.equal(await auth.check(header('mallory', 'right')), false);
    assert.equal(calls.length, 1);
    const [, used] = calls[0] as [string, string];
    assert.notEqual(used, hash);
    assert.match(used, /^\$2[aby]\$10\$/, 'at least the usual cost, so it takes as long as a real check');
    assert.equal(await auth.check(undefined), false);
    assert.equal(calls.length, 2, 'no credentials at all: still one comparison');
  });

  it('a wrong password is compared every time; a right one is compared once and then cached', async () => {
    const auth = new BasicAuth(new Map([['alice', hash]]), counting);
    calls.length = 0;
    assert.equal(await auth.check(header('alice', 'wrong')), false);
    assert.equal(await auth.check(header('alice', 'wrong')), false);
    assert.equal(calls.length, 2);
    assert.equal(await auth.check(header('alice', 'right')), true);
    assert.equal(await auth.check(header('alice', 'right')), true);
    assert.equal(calls.length, 3);
  });

  it('new users drop the cache: a removed password stops working', async () => {
    const auth = new BasicAuth(new Map([['alice', hash]]), counting);
    assert.equal(await auth.check(header('alice', 'right')), true);
    auth.setUsers(new Map([['alice', await bcrypt.hash('other', 4)]]));
    assert.equal(await auth.check(header('alice', 'right')), false);
  });

  it('the dummy hash follows the highest cost in use', async () => {
    const auth = new BasicAuth(new Map([['alice', await bcrypt.hash('x', 11)]]), counting);
    calls.length = 0;
    await auth.check(header('bob', 'x'));
    assert.match((calls[0] as [string, string])[1], /^\$2[aby]\$11\$/);
  });
});
