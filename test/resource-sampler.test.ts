import {spawn, type ChildProcess} from 'node:child_process';
import {readFileSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, describe, expect, it} from 'vitest';
import type {ResourceUsage} from '../source/cluster/types.js';
import {createResourceSampler, type ResourceSampler} from '../source/metrics/resource-sampler.js';
import {REPO, Sandbox, fakeSpec, sleep, starts} from './fixtures/cluster.js';
import {waitFor} from './helpers/processes.js';

const children: ChildProcess[] = [];
let sampler: ResourceSampler | undefined;

afterEach(() => {
	sampler?.stop();
	sampler = undefined;
	for (const child of children.splice(0)) {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
	}
});

function start(command: string, args: string[]): ChildProcess & {pid: number} {
	const child = spawn(command, args, {stdio: 'ignore'});
	children.push(child);
	if (child.pid === undefined) throw new Error(`${command} did not start`);
	return child as ChildProcess & {pid: number};
}

const busyNode = () => start(process.execPath, ['-e', 'for (;;) {}']);
const idleNode = () => start(process.execPath, ['-e', 'setInterval(() => {}, 1e6)']);

async function killAndReap(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGKILL');
	await exited;
}

/** Starts a sampler and resolves with the first sample that satisfies `accept`. */
function sampleUntil(
	pids: number[],
	accept: (usage: Map<number, ResourceUsage>) => boolean,
	intervalMs = 200,
	timeoutMs = 15_000,
): Promise<Map<number, ResourceUsage>> {
	return new Promise((resolve, reject) => {
		const timeout = setTimeout(() => reject(new Error('no matching sample')), timeoutMs);
		sampler = createResourceSampler({
			intervalMs,
			onSample(usage) {
				if (!accept(usage)) return;
				clearTimeout(timeout);
				resolve(usage);
			},
		});
		sampler.setPids(pids);
	});
}

const openFdCount = () => readdirSync('/proc/self/fd').length;

describe('createResourceSampler', () => {
	it('shows a busy process far above an idle one, both with memory', async () => {
		const busy = busyNode();
		const idle = idleNode();
		let samples = 0;
		const usage = await sampleUntil(
			[busy.pid, idle.pid],
			(sample) => sample.has(busy.pid) && sample.has(idle.pid) && ++samples === 3,
			300,
		);
		const busyUsage = usage.get(busy.pid)!;
		const idleUsage = usage.get(idle.pid)!;
		// A spinning loop gets a good share of a core even on this shared 2-core box.
		expect(busyUsage.cpu).toBeGreaterThan(25);
		expect(idleUsage.cpu).toBeLessThan(10);
		expect(busyUsage.cpu).toBeLessThan(110);
		// Node's resident set is tens of MiB; bytes, not pages or KiB.
		expect(busyUsage.memory).toBeGreaterThan(10 * 1024 * 1024);
		expect(idleUsage.memory).toBeGreaterThan(10 * 1024 * 1024);
		expect(idleUsage.memory).toBeLessThan(1024 * 1024 * 1024);
	});

	it('gives no CPU figure in the first sample of a process (pidusage says 0), a real one after', async () => {
		const busy = busyNode();
		await sleep(500);
		const seen: (number | undefined)[] = [];
		await sampleUntil([busy.pid], (sample) => {
			if (sample.has(busy.pid)) seen.push(sample.get(busy.pid)!.cpu);
			return seen.length === 2;
		});
		expect(seen[0]).toBeUndefined();
		expect(seen[1]).toBeGreaterThan(20);
	});

	it('after a stall longer than pidusage keeps a history, gives no CPU figure rather than its 0', async () => {
		const busy = busyNode();
		const figures: (number | undefined)[] = [];
		await sampleUntil(
			[busy.pid],
			(sample) => {
				figures.push(sample.get(busy.pid)?.cpu);
				return figures.length === 3;
			},
			50,
		);
		expect(figures[2]).toBeGreaterThan(0);
		// The event loop blocked for ten intervals: pidusage's history (three) may be gone.
		const blockedUntil = Date.now() + 500;
		while (Date.now() < blockedUntil);
		await sleep(120);
		expect(figures[3]).toBeUndefined();
		await sleep(200);
		expect(figures.at(-1)).toBeGreaterThan(0);
	});

	it('reads /proc even when PIDUSAGE_USE_PS asks pidusage to run ps for every call', async () => {
		const idle = idleNode();
		const children = () =>
			readdirSync('/proc')
				.filter((entry) => /^\d+$/.test(entry))
				.flatMap((pid) => {
					try {
						const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
						const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
						return ppid === process.pid
							? [stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))]
							: [];
					} catch {
						return [];
					}
				});
		process.env['PIDUSAGE_USE_PS'] = 'true';
		try {
			const seen = new Set<string>();
			let samples = 0;
			sampler = createResourceSampler({intervalMs: 20, onSample: () => samples++});
			sampler.setPids([idle.pid]);
			const deadline = Date.now() + 1500;
			while (Date.now() < deadline) {
				for (const name of children()) seen.add(name);
				await sleep(5);
			}
			expect(samples).toBeGreaterThan(10);
			expect(seen.has('ps')).toBe(false);
		} finally {
			delete process.env['PIDUSAGE_USE_PS'];
		}
	});

	it('leaves out pids that are dead or die between setPids and the sample, without throwing', async () => {
		const alive = idleNode();
		const dead = start('sleep', ['30']);
		await killAndReap(dead);
		const dying = start('sleep', ['30']);
		const usagePromise = sampleUntil([alive.pid, dead.pid, dying.pid, 999_999_999], (sample) =>
			sample.has(alive.pid),
		);
		await killAndReap(dying);
		const usage = await usagePromise;
		expect([...usage.keys()]).toEqual([alive.pid]);
	});

	it('does not call back while it has no pids, and says once when the last ones are gone', async () => {
		const calls: number[] = [];
		sampler = createResourceSampler({intervalMs: 50, onSample: (usage) => calls.push(usage.size)});
		await sleep(300);
		expect(calls).toEqual([]);
		const child = start('sleep', ['30']);
		sampler.setPids([child.pid]);
		const deadline = Date.now() + 10_000;
		while (!calls.includes(1) && Date.now() < deadline) await sleep(20);
		sampler.setPids([]);
		await sleep(400);
		expect(calls.at(-1)).toBe(0);
		expect(calls.filter((size) => size === 0)).toHaveLength(1);
	});

	it('stops calling back after stop()', async () => {
		const child = idleNode();
		let calls = 0;
		await sampleUntil([child.pid], () => ++calls === 1, 50);
		sampler!.stop();
		const callsAtStop = calls;
		await sleep(300);
		expect(calls).toBe(callsAtStop);
	});

	it('a pid gone alone in the call is left out; the next sample has the new pid', async () => {
		const dying = start('sleep', ['30']);
		let latest = new Map<number, ResourceUsage>();
		const errors: Error[] = [];
		sampler = createResourceSampler({
			intervalMs: 50,
			onSample: (usage) => (latest = usage),
			onError: (error) => errors.push(error),
		});
		sampler.setPids([dying.pid]);
		await sampleUntilSeen(() => latest.has(dying.pid));
		await killAndReap(dying);
		// Its descriptor is kept: the next call reads a process that is gone (ESRCH).
		await sleep(150);
		expect(latest.size).toBe(0);
		const next = idleNode();
		sampler.setPids([next.pid]);
		await sampleUntilSeen(() => latest.has(next.pid));
		expect([...latest.keys()]).toEqual([next.pid]);
		expect(errors).toEqual([]);
	});

	it("closes a dead or dropped pid's descriptor within a few intervals, across 50 short-lived processes", async () => {
		// Warm up: the first sample opens what it keeps for good (the getconf lookups' spawn).
		const warmUp = start('sleep', ['30']);
		await sampleUntil([warmUp.pid], (sample) => sample.has(warmUp.pid), 20);
		sampler!.stop();
		await killAndReap(warmUp);
		// Earlier tests' pids expire on pidusage's shared timer: wait until nothing changes.
		const fdsBefore = await steadyFdCount();

		const pids: number[] = [];
		let latest = new Map<number, ResourceUsage>();
		sampler = createResourceSampler({intervalMs: 20, onSample: (usage) => (latest = usage)});
		for (let batch = 0; batch < 10; batch++) {
			const batchChildren = Array.from({length: 5}, () => start('sleep', ['30']));
			const batchPids = batchChildren.map((child) => child.pid);
			pids.push(...batchPids);
			sampler.setPids(batchPids);
			await sampleUntilSeen(() => batchPids.every((pid) => latest.has(pid)));
			await Promise.all(batchChildren.map(killAndReap));
		}
		// Sample the dead pids too, as a crash-looping node's stale pid would be.
		sampler.setPids(pids);
		await sleep(100);
		sampler.setPids([]);
		await waitForFds(fdsBefore);

		// A live pid's descriptor is kept between samples, and closed a few intervals after it
		// is dropped.
		const live = Array.from({length: 3}, () => start('sleep', ['30']));
		sampler.setPids(live.map((child) => child.pid));
		await sampleUntilSeen(() => live.every((child) => latest.has(child.pid)));
		expect(openFdCount()).toBe(fdsBefore + 3);
		sampler.setPids([live[0]!.pid]);
		await waitForFds(fdsBefore + 1);
		sampler.stop();
		await waitForFds(fdsBefore);
		await Promise.all(live.map(killAndReap));
	});
});

async function sampleUntilSeen(seen: () => boolean, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!seen()) {
		if (Date.now() > deadline) throw new Error('not sampled in time');
		await sleep(10);
	}
}

/** The descriptor count once it has not changed for a second. */
async function steadyFdCount(): Promise<number> {
	let count = openFdCount();
	for (let steadyMs = 0; steadyMs < 1000; steadyMs += 50) {
		await sleep(50);
		if (openFdCount() !== count) [count, steadyMs] = [openFdCount(), 0];
	}
	return count;
}

/** Waits up to 2 s (pidusage expires a dropped pid 3 intervals on, checked every 1.5). */
async function waitForFds(count: number): Promise<void> {
	const deadline = Date.now() + 2000;
	while (openFdCount() !== count && Date.now() < deadline) await sleep(20);
	expect(openFdCount()).toBe(count);
}

describe("zeek-tui's descriptors across a crash loop", () => {
	const sandbox = new Sandbox();
	afterEach(() => sandbox.cleanup());

	it('do not grow while a node crashes and restarts with a new pid for 25 s', async () => {
		const spool = sandbox.spool();
		const spec = fakeSpec(spool, [
			{name: 'manager'},
			{name: 'worker-1', env: {FAKE_ZEEK_CRASH_AFTER_MS: '150', FAKE_ZEEK_EXIT_CODE: '1'}},
		]);
		const specFile = path.join(spool, 'spec.json');
		writeFileSync(specFile, JSON.stringify(spec));
		const watched = execa(
			'node',
			['--import', 'tsx', 'test/fixtures/run-watched.ts', specFile, '100'],
			{
				cwd: REPO,
				stdin: 'ignore',
				reject: false,
			},
		);
		sandbox.trackPid(watched.pid);
		const pid = watched.pid!;
		const fdCount = () => readdirSync(`/proc/${pid}/fd`).length;
		await waitFor(() => starts(spool, 'worker-1').length >= 3, {what: 'the crash loop going'});
		await sleep(3000);
		const early = Math.max(...(await countsFor(fdCount, 2000)));
		await sleep(18_000);
		const late = Math.max(...(await countsFor(fdCount, 2000)));
		const restarts = starts(spool, 'worker-1').length;
		process.kill(pid, 'SIGTERM');
		await watched;
		// Some 50 pids came and went: pidusage's default maxage (60 s) would hold all of them.
		expect(restarts).toBeGreaterThan(30);
		// A few spare for a spawn's own pipes caught in one window and not the other.
		expect(late).toBeLessThanOrEqual(early + 3);
	}, 60_000);
});

/** The descriptor count every 100 ms for `ms`. */
async function countsFor(count: () => number, ms: number): Promise<number[]> {
	const counts: number[] = [];
	for (let at = 0; at < ms; at += 100) {
		counts.push(count());
		await sleep(100);
	}
	return counts;
}
