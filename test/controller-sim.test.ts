// The supervisor over the product's own simulator (dist/demo/zeek-sim.js, `npm run build`): a
// cluster that reads its layout, writes -U status files, crashes with SIGABRT, hangs on SIGTERM.
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {readAffinity} from '../source/cluster/affinity.js';
import {createController, type ClusterEvent} from '../source/cluster/controller.js';
import {generateLayout, renderLayout} from '../source/cluster/layout.js';
import type {ClusterSpec, NodePlan} from '../source/cluster/types.js';
import {waitFor} from './helpers/processes.js';
import {FAST, REPO, Sandbox, isRunning} from './fixtures/cluster.js';

const SIM = path.join(REPO, 'dist', 'demo', 'zeek-sim.js');

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

function simSpec(spoolDir: string, simEnv: Record<string, string>): ClusterSpec {
	const layout = generateLayout({
		loggers: 1,
		proxies: 1,
		workers: 2,
		ip: '127.0.0.1',
		port: 27_760,
		// No metrics ports: tests on a shared box must not fight over them.
		metricsPort: 0,
		metricsAddress: '127.0.0.1',
	});
	return {
		spoolDir,
		layoutText: renderLayout(layout),
		stopTimeoutMs: 1500,
		nodes: layout.nodes.map((node): NodePlan => ({
			name: node.name,
			type: node.type,
			cwd: path.join(spoolDir, node.name),
			argv: [
				SIM,
				...(node.type === 'worker' ? ['-C', '-i', 'lo'] : []),
				'-U',
				'.status',
				// No cluster backend: the simulated ZeroMQ proxy and log ports would be fixed ones.
				'local',
			],
			env: {CLUSTER_NODE: node.name, ...simEnv},
		})),
	};
}

describe('supervising zeek-sim', () => {
	it('status-file readiness, a SIGABRT crash and back-off, live pinning, stop with one hung node', async () => {
		expect(existsSync(SIM), `${SIM} is missing: run npm run build`).toBe(true);
		const spool = sandbox.spool();
		const spec = simSpec(spool, {
			ZEEK_SIM_INIT_MS: '700',
			ZEEK_SIM_CRASH: 'worker-2',
			ZEEK_SIM_CRASH_AFTER_MS: '1200',
			ZEEK_SIM_CRASH_TIMES: '1',
			ZEEK_SIM_IGNORE_TERM: 'proxy-1',
			ZEEK_SIM_LINES_PER_SEC: '0',
		});
		const controller = sandbox.track(createController(spec, FAST));
		const events: ClusterEvent[] = [];
		controller.onEvent((event) => events.push(event));
		await controller.start();

		// Starting until each status file says RUNNING.
		expect(controller.snapshot().nodes.every((node) => node.state === 'starting')).toBe(true);
		await waitFor(() => controller.snapshot().nodes.every((node) => node.state === 'running'), {
			what: 'every node RUNNING',
		});
		for (const node of controller.snapshot().nodes) {
			expect(readFileSync(path.join(node.cwd, '.status'), 'utf8')).toBe('RUNNING [run_loop]\n');
		}

		const crashed = await waitFor(() => events.find((event) => event.kind === 'crashed'), {
			what: 'worker-2 crash',
		});
		expect(crashed).toMatchObject({
			node: 'worker-2',
			detail: {signal: 'SIGABRT', restart_in_ms: 200},
		});
		const report = await waitFor(() => events.find((event) => event.kind === 'crash-report'));
		expect(readFileSync(String(report.detail.file), 'utf8')).toMatch(
			/exit: signal SIGABRT[\s\S]*internal error/,
		);
		const worker2 = await waitFor(() => {
			const node = controller.snapshot().nodes.find((each) => each.name === 'worker-2')!;
			return node.state === 'running' && node.restarts === 1 && node;
		});
		expect(worker2.exits).toEqual([expect.objectContaining({signal: 'SIGABRT', requested: false})]);

		const worker1 = controller.snapshot().nodes.find((node) => node.name === 'worker-1')!;
		await controller.pin('worker-1', [0]);
		expect(readAffinity(worker1.pid!)).toEqual([0]);

		const pids = controller.snapshot().nodes.map((node) => node.pid!);
		const stopped: string[] = [];
		controller.onEvent((event) => {
			if (event.kind === 'stopped') stopped.push(event.node!);
		});
		await controller.stopAll();
		for (const pid of pids) expect(isRunning(pid)).toBe(false);
		expect(stopped.slice(0, 2).sort()).toEqual(['worker-1', 'worker-2']);
		expect(stopped.slice(2)).toEqual(['proxy-1', 'manager', 'logger-1']);
		const byName = Object.fromEntries(controller.snapshot().nodes.map((node) => [node.name, node]));
		expect(byName['proxy-1']!.exits.at(-1)).toMatchObject({signal: 'SIGKILL', requested: true});
		expect(byName['manager']!.exits.at(-1)).toMatchObject({code: 0, requested: true});
		expect(readFileSync(path.join(spool, 'worker-1', 'stderr.log'), 'utf8')).toMatch(
			/packets received on interface lo/,
		);
	});
});
