// What real zeek does while it starts, and how the supervisor takes it: a status file caught empty
// (zeek truncates it in place) is no answer yet; a SIGTERM before zeek has its signal handlers
// kills it by signal 15, and for a stop that was asked for that is a clean stop, not a crash.
import {existsSync, readFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {createController, CRASH_DIR, type ClusterEvent} from '../source/cluster/controller.js';
import type {ClusterSpec, NodePlan} from '../source/cluster/types.js';
import {waitFor} from './helpers/processes.js';
import {FAST, REPO, Sandbox, sleep} from './fixtures/cluster.js';

const SIM = path.join(REPO, 'dist', 'demo', 'zeek-sim.js');
const LAYOUT = [
	'redef Cluster::nodes += {',
	'    ["manager"] = [$node_type=Cluster::MANAGER, $ip=127.0.0.1],',
	'};',
	'',
].join('\n');

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

function spec(spoolDir: string, plan: Omit<NodePlan, 'name' | 'type' | 'cwd'>): ClusterSpec {
	return {
		spoolDir,
		layoutText: LAYOUT,
		stopTimeoutMs: 5000,
		nodes: [{name: 'manager', type: 'manager', cwd: path.join(spoolDir, 'manager'), ...plan}],
	};
}

const manager = (controller: ReturnType<typeof createController>) =>
	controller.snapshot().nodes[0]!;

describe('a starting zeek', () => {
	it('stays starting while its status file reads empty, and runs once it says RUNNING', async () => {
		const spool = sandbox.spool();
		// zeek's set_processing_status opens with O_TRUNC before it writes: caught in between.
		const script =
			': > .status; sleep 1.5; printf "RUNNING [run_loop]\\n" > .status; exec sleep 60';
		const controller = sandbox.track(
			createController(
				spec(spool, {argv: ['/bin/sh', '-c', script, 'zeek', '-U', '.status'], env: {}}),
				FAST,
			),
		);
		await controller.start();
		await waitFor(() => existsSync(path.join(spool, 'manager', '.status')), {what: '.status'});
		await sleep(600);
		expect(readFileSync(path.join(spool, 'manager', '.status'), 'utf8')).toBe('');
		expect(manager(controller).state).toBe('starting');
		await waitFor(() => manager(controller).state === 'running', {what: 'running'});
		expect(manager(controller).exits).toEqual([]);
	});

	it('stopped while INITIALIZING dies by SIGTERM: stopped as asked, no crash, no restart', async () => {
		const spool = sandbox.spool();
		const controller = sandbox.track(
			createController(
				spec(spool, {
					argv: [SIM, '-U', '.status', 'local'],
					env: {CLUSTER_NODE: 'manager', ZEEK_SIM_INIT_MS: '20000', ZEEK_SIM_LINES_PER_SEC: '0'},
				}),
				FAST,
			),
		);
		const events: ClusterEvent[] = [];
		controller.onEvent((event) => events.push(event));
		await controller.start();
		const status = path.join(spool, 'manager', '.status');
		await waitFor(() => existsSync(status) && readFileSync(status, 'utf8') !== '', {
			what: 'status',
		});
		expect(readFileSync(status, 'utf8')).toBe('INITIALIZING [main]\n');
		controller.stopNode('manager');
		await waitFor(() => manager(controller).state === 'stopped', {what: 'stopped'});
		expect(manager(controller).exits).toEqual([
			expect.objectContaining({code: null, signal: 'SIGTERM', requested: true}),
		]);
		expect(readFileSync(status, 'utf8')).toBe('INITIALIZING [main]\n');
		await sleep(500);
		expect(manager(controller).state).toBe('stopped');
		expect(events.some((event) => event.kind === 'crashed')).toBe(false);
		const crashes = path.join(spool, '.zeek-tui', CRASH_DIR);
		expect(existsSync(crashes) ? readdirSync(crashes) : []).toEqual([]);
	});
});
