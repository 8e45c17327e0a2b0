// The state file on disk: format, atomic write, mode, what the controller records, and the two
// refusals (a corrupt file, a spool another zeek-tui supervises).
import {
	chownSync,
	existsSync,
	lstatSync,
	mkdirSync,
	readFileSync,
	readdirSync,
	statSync,
	symlinkSync,
	truncateSync,
	writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, describe, expect, it} from 'vitest';
import {SpoolBusyError, createController} from '../source/cluster/controller.js';
import {readStartTime} from '../source/cluster/process.js';
import {acquireSpoolLock, lockFilePath} from '../source/cluster/spool-lock.js';
import {
	StateFileError,
	readStateFile,
	stateFilePath,
	writeStateFile,
	type StateFile,
} from '../source/cluster/state-file.js';
import {FifoGuards, makeFifo} from './helpers/fifo.js';
import {processesIn} from './helpers/processes.js';
import {FAST, SMALL_CLUSTER, Sandbox, fakeSpec, settled} from './fixtures/cluster.js';

const sandbox = new Sandbox();
const fifos = new FifoGuards();
afterEach(() => {
	fifos.stop();
	sandbox.cleanup();
});

const mode = (file: string) => statSync(file).mode & 0o777;

describe('state file format', () => {
	it('round-trips, is mode 0600 in a 0700 directory, and leaves no temp file', () => {
		const spool = sandbox.spool();
		const state: StateFile = {
			version: 1,
			supervisor: {pid: 10, startTime: 20},
			nodes: {
				manager: {pid: 11, startTime: 21},
				'worker-1': {pin: [0, 1]},
				'worker-2': {held: true},
				'worker-3': {pid: 12, startTime: 22, held: true, killAt: 1_700_000_000_000},
			},
		};
		expect(readStateFile(spool)).toBeUndefined();
		writeStateFile(spool, state);
		writeStateFile(spool, state);
		expect(readStateFile(spool)).toEqual(state);
		expect(mode(stateFilePath(spool))).toBe(0o600);
		expect(mode(path.dirname(stateFilePath(spool)))).toBe(0o700);
		expect(readdirSync(path.dirname(stateFilePath(spool)))).toEqual(['state.json']);
	});

	it.each([
		['not JSON', '{"version": 1, "supervisor":'],
		['another version', '{"version": 2, "supervisor": {"pid": 1, "startTime": 1}, "nodes": {}}'],
		['no supervisor', '{"version": 1, "nodes": {}}'],
		[
			'a pid without start time',
			'{"version": 1, "supervisor": {"pid": 1, "startTime": 1}, "nodes": {"manager": {"pid": 5}}}',
		],
		['a negative pid', '{"version": 1, "supervisor": {"pid": -1, "startTime": 1}, "nodes": {}}'],
		[
			'a hold that is not true',
			'{"version": 1, "supervisor": {"pid": 1, "startTime": 1}, "nodes": {"manager": {"held": "yes"}}}',
		],
		[
			'a deadline that is not a time',
			'{"version": 1, "supervisor": {"pid": 1, "startTime": 1}, "nodes": {"manager": {"killAt": -5}}}',
		],
	])('a corrupt file (%s) is a StateFileError that says what to do', (_what, text) => {
		const spool = sandbox.spool();
		mkdirSync(path.join(spool, '.zeek-tui'));
		writeFileSync(stateFilePath(spool), text);
		expect(() => readStateFile(spool)).toThrow(StateFileError);
		expect(() => readStateFile(spool)).toThrow(/is corrupt .*remove .*state\.json/);
	});
});

describe('a state file that is not what zeek-tui wrote', () => {
	const STATE: StateFile = {version: 1, supervisor: {pid: 10, startTime: 20}, nodes: {}};

	it('a FIFO is refused at once, naming it', () => {
		const spool = sandbox.spool();
		mkdirSync(path.join(spool, '.zeek-tui'));
		makeFifo(stateFilePath(spool));
		// Releases a regression's blocked open after 3 s, so it fails instead of hanging.
		fifos.guard(stateFilePath(spool));
		const began = Date.now();
		expect(() => readStateFile(spool)).toThrow(
			`${stateFilePath(spool)} is a FIFO, not a regular file: remove it`,
		);
		expect(Date.now() - began).toBeLessThan(1000);
	});

	it('one over 1 MiB is refused without reading it (a 200 MB one hung the start)', async () => {
		const spool = sandbox.spool();
		mkdirSync(path.join(spool, '.zeek-tui'));
		writeFileSync(stateFilePath(spool), '{}');
		truncateSync(stateFilePath(spool), 200 * 1024 * 1024);
		const began = Date.now();
		const controller = sandbox.track(createController(fakeSpec(spool, [{name: 'manager'}]), FAST));
		await expect(controller.start()).rejects.toThrow(
			`${stateFilePath(spool)} is larger than 1 MiB: remove it`,
		);
		expect(Date.now() - began).toBeLessThan(1000);
		expect(existsSync(path.join(spool, 'manager'))).toBe(false);
	});

	it('a symlink planted as state.json is replaced on write, its target untouched, and refused on read', () => {
		const spool = sandbox.spool();
		mkdirSync(path.join(spool, '.zeek-tui'));
		const target = path.join(sandbox.spool(), 'shadow');
		writeFileSync(target, 'secret\n', {mode: 0o600});
		symlinkSync(target, stateFilePath(spool));
		expect(() => readStateFile(spool)).toThrow(/state\.json is a symbolic link/);
		writeStateFile(spool, STATE);
		expect(readFileSync(target, 'utf8')).toBe('secret\n');
		expect(mode(target)).toBe(0o600);
		expect(lstatSync(stateFilePath(spool)).isFile()).toBe(true);
		expect(readStateFile(spool)).toEqual(STATE);
	});

	it('a .zeek-tui left 0755 is made 0700 at start; one of another user is refused', async () => {
		const spool = sandbox.spool();
		mkdirSync(path.join(spool, '.zeek-tui'), {mode: 0o755});
		const controller = sandbox.track(createController(fakeSpec(spool, [{name: 'manager'}]), FAST));
		await controller.start();
		expect(mode(path.join(spool, '.zeek-tui'))).toBe(0o700);
		await controller.stopAll();
		if (process.geteuid?.() !== 0) return;
		const other = sandbox.spool();
		mkdirSync(path.join(other, '.zeek-tui'), {mode: 0o700});
		chownSync(path.join(other, '.zeek-tui'), 65_534, 65_534);
		const refused = sandbox.track(createController(fakeSpec(other, [{name: 'manager'}]), FAST));
		await expect(refused.start()).rejects.toThrow(
			`${path.join(other, '.zeek-tui')} is owned by another user (uid 65534)`,
		);
		expect(existsSync(path.join(other, 'manager'))).toBe(false);
	});
});

describe('what the controller records', () => {
	it('its own pid and start time, and every node pid + start time + pin, kept current', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [{name: 'manager'}, {name: 'worker-1', cpus: [1]}]);
		const controller = sandbox.track(createController(spec, FAST));
		await controller.start();
		await settled(controller, spool);
		const expectRecorded = () => {
			const state = readStateFile(spool)!;
			expect(state.supervisor).toEqual({pid: process.pid, startTime: readStartTime(process.pid)});
			for (const node of controller.snapshot().nodes) {
				expect(state.nodes[node.name]).toEqual({
					pid: node.pid,
					startTime: readStartTime(node.pid!),
					...(node.pin ? {pin: node.pin} : {}),
				});
			}
		};
		expectRecorded();
		expect(readStateFile(spool)!.nodes['worker-1']!.pin).toEqual([1]);
		expect(mode(stateFilePath(spool))).toBe(0o600);

		const before = controller.snapshot().nodes[0]!.pid;
		controller.restartNode('manager');
		await settled(controller, spool);
		expect(controller.snapshot().nodes[0]!.pid).not.toBe(before);
		expectRecorded();
	});
});

describe('refusing to start', () => {
	it('on a corrupt state file: a clear error, and nothing started', async () => {
		const spool = sandbox.spool();
		mkdirSync(path.join(spool, '.zeek-tui'));
		writeFileSync(stateFilePath(spool), 'garbage');
		const controller = sandbox.track(createController(fakeSpec(spool, SMALL_CLUSTER), FAST));
		await expect(controller.start()).rejects.toThrow(StateFileError);
		expect(existsSync(path.join(spool, 'manager'))).toBe(false);
		expect(processesIn(spool)).toEqual([]);
	});

	it('while another live zeek-tui supervises the spool; a dead one (or a reused pid) is no obstacle', async () => {
		const spool = sandbox.spool();
		// Stands in for the other zeek-tui: any live process with its recorded start time.
		const other = execa('sleep', ['30'], {
			stdin: 'ignore',
			stdout: 'ignore',
			stderr: 'ignore',
			reject: false,
		});
		sandbox.trackPid(other.pid);
		const identity = {pid: other.pid!, startTime: readStartTime(other.pid!)!};
		writeStateFile(spool, {version: 1, supervisor: identity, nodes: {}});

		const refused = sandbox.track(createController(fakeSpec(spool, SMALL_CLUSTER), FAST));
		await expect(refused.start()).rejects.toThrow(SpoolBusyError);
		await expect(refused.start()).rejects.toThrow(
			`another zeek-tui (pid ${other.pid}) supervises ${spool}`,
		);
		expect(processesIn(spool)).toEqual([]);

		// Same pid, other start time: the pid was reused, the old zeek-tui is gone.
		writeStateFile(spool, {
			version: 1,
			supervisor: {...identity, startTime: identity.startTime + 1},
			nodes: {},
		});
		const accepted = sandbox.track(createController(fakeSpec(spool, [{name: 'manager'}]), FAST));
		await accepted.start();
		await settled(accepted, spool);
		expect(readStateFile(spool)!.supervisor.pid).toBe(process.pid);
	});
});

describe('the spool lock', () => {
	it('a live holder of the lock refuses the start before anything is written; the stop releases it', async () => {
		const spool = sandbox.spool();
		const other = execa('sleep', ['30'], {stdin: 'ignore', reject: false});
		sandbox.trackPid(other.pid);
		const holder = {pid: other.pid!, startTime: readStartTime(other.pid!)!};
		const taken = acquireSpoolLock(spool, holder);
		expect(taken.ok).toBe(true);
		const refused = sandbox.track(createController(fakeSpec(spool, SMALL_CLUSTER), FAST));
		await expect(refused.start()).rejects.toThrow(
			`another zeek-tui (pid ${other.pid}) supervises ${spool}`,
		);
		expect(readdirSync(path.join(spool, '.zeek-tui'))).toEqual(['lock']);
		expect(existsSync(path.join(spool, 'manager'))).toBe(false);

		if (taken.ok) taken.lock.release();
		const accepted = sandbox.track(createController(fakeSpec(spool, [{name: 'manager'}]), FAST));
		await accepted.start();
		expect(JSON.parse(readFileSync(lockFilePath(spool), 'utf8'))).toMatchObject({
			pid: process.pid,
		});
		await accepted.stopAll();
		expect(existsSync(lockFilePath(spool))).toBe(false);
	});
});
