import {spawn, type ChildProcess} from 'node:child_process';
import {readdirSync} from 'node:fs';
import {afterEach, describe, expect, it} from 'vitest';
import type {ResourceUsage} from '../source/cluster/types.js';
import {
	cpuPercent,
	createResourceSampler,
	parseProcStat,
	type ResourceSampler,
} from '../source/metrics/resource-sampler.js';

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

describe('parseProcStat', () => {
	it('reads the fields after a command name that holds spaces and parentheses', () => {
		// Fields 3..24 of a real line, with a hostile comm.
		const line =
			'4242 (zeek (worker) 1) S 1 4242 4242 0 -1 4194560 5000 0 0 0 ' +
			'700 300 0 0 20 0 9 0 123456 987654321 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n';
		expect(parseProcStat(line)).toEqual({
			state: 'S',
			cpuTicks: 1000,
			startTicks: 123456,
			rssPages: 2048,
		});
	});

	it('refuses text that is not a stat line', () => {
		expect(parseProcStat('')).toBeUndefined();
		expect(parseProcStat('1 (x) S')).toBeUndefined();
	});
});

describe('cpuPercent', () => {
	const stat = {state: 'R', cpuTicks: 500, startTicks: 1000, rssPages: 1};

	it('uses the delta since the previous sample of the same process', () => {
		// 50 ticks at 100 Hz in 1 s: half a core.
		const previous = {startTicks: 1000, cpuTicks: 450, atMs: 10_000};
		expect(cpuPercent(stat, previous, 11_000, 99, 100)).toBeCloseTo(50);
	});

	it('averages over the process life when it has no baseline, or the pid was reused', () => {
		// Started at 10 s, now 30 s after boot, 5 s of CPU: 25 %.
		expect(cpuPercent(stat, undefined, 11_000, 30, 100)).toBeCloseTo(25);
		const otherProcess = {startTicks: 777, cpuTicks: 450, atMs: 10_000};
		expect(cpuPercent(stat, otherProcess, 11_000, 30, 100)).toBeCloseTo(25);
	});
});

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

	it('reports real CPU already in the first sample of a process', async () => {
		const busy = busyNode();
		await sleep(1000);
		const usage = await sampleUntil([busy.pid], (sample) => sample.has(busy.pid));
		expect(usage.get(busy.pid)!.cpu).toBeGreaterThan(20);
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

	it('holds no descriptor of a dead process or an unsampled pid, across 50 short-lived processes', async () => {
		// Warm up: the first spawn and the first sample open what they keep for good (libuv's
		// signal pipe, the getconf lookups).
		const warmUp = start('sleep', ['30']);
		await sampleUntil([warmUp.pid], (sample) => sample.has(warmUp.pid), 20);
		sampler!.stop();
		await killAndReap(warmUp);
		const fdsBefore = openFdCount();

		const seen = new Set<number>();
		const pids: number[] = [];
		let latest = new Map<number, ResourceUsage>();
		sampler = createResourceSampler({intervalMs: 20, onSample: (usage) => (latest = usage)});
		for (let batch = 0; batch < 10; batch++) {
			const batchChildren = Array.from({length: 5}, () => start('sleep', ['30']));
			const batchPids = batchChildren.map((child) => child.pid);
			pids.push(...batchPids);
			sampler.setPids(batchPids);
			const deadline = Date.now() + 10_000;
			while (!batchPids.every((pid) => latest.has(pid)) && Date.now() < deadline) await sleep(10);
			for (const pid of batchPids) if (latest.has(pid)) seen.add(pid);
			await Promise.all(batchChildren.map(killAndReap));
		}
		expect(seen.size).toBe(50);
		// Sample the dead pids too, as a crash-looping node's stale pid would be.
		sampler.setPids(pids);
		await sleep(200);
		expect(openFdCount()).toBe(fdsBefore);

		// A live pid's descriptor is kept between samples, and closed when the pid is dropped.
		const live = Array.from({length: 3}, () => start('sleep', ['30']));
		sampler.setPids(live.map((child) => child.pid));
		const deadline = Date.now() + 10_000;
		while (!live.every((child) => latest.has(child.pid)) && Date.now() < deadline) await sleep(10);
		expect(openFdCount()).toBe(fdsBefore + 3);
		sampler.setPids([live[0]!.pid]);
		expect(openFdCount()).toBe(fdsBefore + 1);
		sampler.stop();
		expect(openFdCount()).toBe(fdsBefore);
		await Promise.all(live.map(killAndReap));
	});
});
