// The spool lock on real files: taken atomically, refused while its holder lives, broken when
// the holder is dead or its pid reused, never written through a planted symlink.
import {existsSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, describe, expect, it} from 'vitest';
import {readStartTime} from '../source/cluster/process.js';
import {acquireSpoolLock, liveLockHolder, lockFilePath} from '../source/cluster/spool-lock.js';
import {Sandbox} from './fixtures/cluster.js';

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

const self = () => ({pid: process.pid, startTime: readStartTime(process.pid)!});

/** A process that has exited: its pid is dead. */
async function deadIdentity() {
	const child = execa('true');
	await child;
	return {pid: child.pid!, startTime: 1};
}

describe('acquireSpoolLock', () => {
	it('takes a free spool: the lock names its holder, mode 0600, no temp file left; release frees it', () => {
		const spool = sandbox.spool();
		const taken = acquireSpoolLock(spool, self());
		expect(taken.ok).toBe(true);
		const file = lockFilePath(spool);
		expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(self());
		expect(statSync(file).mode & 0o777).toBe(0o600);
		expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
		expect(readdirSync(path.dirname(file))).toEqual(['lock']);
		expect(liveLockHolder(spool)).toEqual(self());
		if (taken.ok) {
			expect(taken.lock.held()).toBe(true);
			taken.lock.release();
		}
		expect(existsSync(file)).toBe(false);
		expect(liveLockHolder(spool)).toBeUndefined();
	});

	it('is refused while another live process holds it, naming the holder', () => {
		const spool = sandbox.spool();
		const other = execa('sleep', ['30'], {stdin: 'ignore', reject: false});
		sandbox.trackPid(other.pid);
		const holder = {pid: other.pid!, startTime: readStartTime(other.pid!)!};
		expect(acquireSpoolLock(spool, holder).ok).toBe(true);
		expect(acquireSpoolLock(spool, self())).toEqual({ok: false, holder});
		expect(JSON.parse(readFileSync(lockFilePath(spool), 'utf8'))).toEqual(holder);
	});

	it('breaks a stale lock: a dead holder, a reused pid (another start time), a file not ours', async () => {
		const spool = sandbox.spool();
		for (const stale of [
			await deadIdentity(),
			{...self(), startTime: self().startTime + 1},
			'garbage',
		]) {
			const file = lockFilePath(spool);
			const first = acquireSpoolLock(spool, self());
			if (first.ok) first.lock.release();
			writeFileSync(file, typeof stale === 'string' ? stale : JSON.stringify(stale));
			const taken = acquireSpoolLock(spool, self());
			expect(taken.ok).toBe(true);
			expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(self());
			if (taken.ok) taken.lock.release();
		}
	});

	it('a symlink planted as the lock is replaced, its target left alone', () => {
		const spool = sandbox.spool();
		const target = path.join(sandbox.spool(), 'precious');
		writeFileSync(target, 'keep me');
		const first = acquireSpoolLock(spool, self());
		if (first.ok) first.lock.release();
		const file = lockFilePath(spool);
		symlinkSync(target, file);
		const taken = acquireSpoolLock(spool, self());
		expect(taken.ok).toBe(true);
		expect(readFileSync(target, 'utf8')).toBe('keep me');
		expect(statSync(file).isFile()).toBe(true);
	});

	it('release leaves a lock that is no longer this holder’s', () => {
		const spool = sandbox.spool();
		const taken = acquireSpoolLock(spool, self());
		const other = {pid: 1, startTime: readStartTime(1)!};
		writeFileSync(lockFilePath(spool), JSON.stringify(other));
		if (taken.ok) {
			expect(taken.lock.held()).toBe(false);
			taken.lock.release();
		}
		expect(JSON.parse(readFileSync(lockFilePath(spool), 'utf8'))).toEqual(other);
	});
});
