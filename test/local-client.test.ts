// The in-process ClusterClient over a FAKE controller (a real one spawns a whole cluster; here
// a plain object stands in for it and tells the client which node runs with which pid). What the
// client adds is real: /proc sampling of a real simulated zeek process, scraping of its real
// metrics port, the history of both, and crash report files written by writeCrashReport.
import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, test} from 'vitest';
import {CRASH_DIR, type Controller} from '../source/cluster/controller.js';
import {CRASH_REPORT_MAX_BYTES, writeCrashReport} from '../source/cluster/crash-report.js';
import {createLocalClient, type LocalClient} from '../source/cluster/local-client.js';
import {stateDir} from '../source/cluster/state-file.js';
import type {ClusterSnapshot, ClusterSpec, NodeSnapshot} from '../source/cluster/types.js';
import {cleanEnv, simulatorPath} from './helpers/cli.js';
import {waitFor} from './helpers/processes.js';

/** FAKE controller: snapshots set by the test, commands recorded. */
function fakeController(initial: ClusterSnapshot) {
	let snapshot = initial;
	const listeners = new Set<() => void>();
	const calls: string[] = [];
	const record =
		(name: string) =>
		(...args: unknown[]) => {
			calls.push(`${name} ${args.map(String).join(' ')}`.trim());
		};
	const controller: Controller = {
		start: () => Promise.resolve(),
		snapshot: () => snapshot,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		onEvent: () => () => {},
		startNode: record('startNode'),
		stopNode: record('stopNode'),
		killNode: record('killNode'),
		restartNode: record('restartNode'),
		restartAll: () => Promise.resolve(record('restartAll')()),
		pin: (name, cpus) => Promise.resolve(record('pin')(name, cpus.join(','))),
		stopAll: () => Promise.resolve(record('stopAll')()),
		killAll: record('killAll'),
		detach: record('detach'),
		logEvent: record('logEvent'),
	};
	const update = (name: string, patch: Partial<NodeSnapshot>) => {
		snapshot = {
			...snapshot,
			nodes: snapshot.nodes.map((node) => (node.name === name ? {...node, ...patch} : node)),
		};
		for (const listener of listeners) listener();
	};
	return {controller, calls, update};
}

function node(
	name: string,
	type: NodeSnapshot['type'],
	patch: Partial<NodeSnapshot> = {},
): NodeSnapshot {
	return {name, type, state: 'stopped', restarts: 0, exits: [], argv: [], cwd: '', ...patch};
}

let work: string;
let client: LocalClient | undefined;
const children: ChildProcess[] = [];
const servers: Server[] = [];

afterEach(async () => {
	client?.close();
	client = undefined;
	for (const child of children.splice(0)) {
		try {
			process.kill(-child.pid!, 'SIGKILL');
		} catch {
			// Already gone.
		}
	}
	await Promise.all(
		servers.splice(0).map((server) => {
			server.closeAllConnections();
			return new Promise((resolve) => server.close(resolve));
		}),
	);
	if (work) rmSync(work, {recursive: true, force: true});
});

async function listen(server: Server): Promise<number> {
	servers.push(server);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

function specFor(spoolDir: string, metrics: Record<string, number>): ClusterSpec {
	return {
		spoolDir,
		layoutText: '',
		stopTimeoutMs: 1000,
		nodes: Object.entries(metrics).map(([name, port]) => ({
			name,
			type: name === 'manager' ? 'manager' : 'worker',
			cwd: path.join(spoolDir, name),
			argv: [],
			env: {},
			metrics: {host: '127.0.0.1', port},
		})),
	};
}

describe('createLocalClient', () => {
	test('merges /proc usage and scraped metrics into running nodes, with a bounded history', async () => {
		work = mkdtempSync(path.join(os.tmpdir(), 'zeek-tui-local-client-'));
		const workerPort = await freePort();
		writeFileSync(
			path.join(work, 'cluster-layout.zeek'),
			`redef Cluster::nodes += {
    ["manager"] = [$node_type=Cluster::MANAGER, $ip=127.0.0.1, $p=27760/tcp],
    ["worker-1"] = [$node_type=Cluster::WORKER, $ip=127.0.0.1, $manager="manager", $metrics_port=${workerPort}/tcp],
};
`,
		);
		const worker = spawn(process.execPath, [simulatorPath, '-C', '-i', 'lo', 'local'], {
			cwd: work,
			env: cleanEnv({
				CLUSTER_NODE: 'worker-1',
				ZEEK_SIM_PPS: '2000',
				ZEEK_SIM_DROP: '0.05',
				ZEEK_SIM_JITTER: '0',
				ZEEK_SIM_INIT_MS: '0',
				ZEEK_SIM_LINES_PER_SEC: '0',
			}),
			stdio: 'ignore',
			detached: true,
		});
		children.push(worker);
		// The manager is stopped: its metrics port must not be asked.
		let managerRequests = 0;
		const managerPort = await listen(
			createServer((_request, response) => {
				managerRequests++;
				response.end('');
			}),
		);

		const fake = fakeController({
			spoolDir: work,
			nodes: [
				node('manager', 'manager'),
				node('worker-1', 'worker', {state: 'running', pid: worker.pid}),
			],
		});
		client = createLocalClient(
			fake.controller,
			specFor(work, {manager: managerPort, 'worker-1': workerPort}),
			{sampleIntervalMs: 100, scrapeIntervalMs: 200, historyLength: 5},
		);
		const workerOf = () => client!.snapshot().nodes.find((entry) => entry.name === 'worker-1')!;

		const measured = await waitFor(
			() => {
				const current = workerOf();
				return current.history &&
					current.history.cpu.length >= 5 &&
					current.history.packetsPerSecond.length >= 3
					? current
					: undefined;
			},
			{timeoutMs: 15_000, what: 'five usage samples and three packet rates'},
		);
		expect(measured.usage!.memory).toBeGreaterThan(10 * 1024 * 1024);
		expect(measured.metrics!.packetsPerSecond).toBeGreaterThan(2000 * 0.8);
		expect(measured.metrics!.packetsPerSecond).toBeLessThan(2000 * 1.2);
		expect(measured.metrics!.dropPercent).toBeCloseTo(5, 0);
		expect(measured.metrics!.activeSessions).toBeGreaterThan(0);
		// The newest values are the ones on display; the history never grows past its bound.
		expect(measured.history!.cpu.at(-1)).toBe(measured.usage!.cpu);
		expect(measured.history!.memory.at(-1)).toBe(measured.usage!.memory);
		expect(measured.history!.packetsPerSecond.at(-1)).toBe(measured.metrics!.packetsPerSecond);
		await new Promise((resolve) => setTimeout(resolve, 600));
		const later = workerOf().history!;
		expect(later.cpu).toHaveLength(5);
		expect(later.memory).toHaveLength(5);
		expect(later.packetsPerSecond.length).toBeLessThanOrEqual(5);

		const manager = client.snapshot().nodes.find((entry) => entry.name === 'manager')!;
		expect(manager.usage).toBeUndefined();
		expect(manager.metrics).toBeUndefined();
		expect(manager.history).toBeUndefined();
		expect(managerRequests).toBe(0);

		// A new merge keeps the object of a node whose parts did not change (the stopped manager)
		// and makes a new one for a node that got a sample; a controller change shows at once.
		const before = client.snapshot();
		const after = await waitFor(
			() => {
				const current = client!.snapshot();
				return current === before ? undefined : current;
			},
			{timeoutMs: 5000, what: 'a new sample'},
		);
		expect(after.nodes[0]).toBe(before.nodes[0]);
		expect(after.nodes[1]).not.toBe(before.nodes[1]);
		fake.update('manager', {state: 'crashed'});
		expect(client.snapshot().nodes[0]!.state).toBe('crashed');
		expect(client.snapshot().nodes[1]!.usage).toBeDefined();
		// Nothing changed in between: the same object, so the view has nothing to redraw.
		expect(client.snapshot()).toBe(client.snapshot());

		// Once the node is no longer running its metrics go (the port is not asked any more) and its
		// history stays for the detail view.
		fake.update('worker-1', {state: 'stopping'});
		await waitFor(() => workerOf().metrics === undefined, {what: 'metrics gone while stopping'});
		expect(workerOf().history!.packetsPerSecond.length).toBeGreaterThan(0);

		client.restart('worker-1');
		client.pin('worker-1', [0]);
		client.killAll();
		expect(fake.calls).toEqual(['restartNode worker-1', 'pin worker-1 0', 'killAll']);
	}, 30_000);

	test('crash reports: only the named node, newest first, at most the limit, each bounded', () => {
		work = mkdtempSync(path.join(os.tmpdir(), 'zeek-tui-local-client-'));
		const dir = path.join(stateDir(work), CRASH_DIR);
		const stderrLog = path.join(work, 'stderr.log');
		writeFileSync(stderrLog, 'internal error: simulated crash\n');
		const base = Date.parse('2026-11-28T01:02:03.456Z');
		const report = (name: string, at: number, signal: string) =>
			writeCrashReport(dir, {
				node: name,
				at,
				exit: {code: null, signal},
				pid: 4242,
				startedAt: at - 5000,
				adopted: false,
				argv: ['zeek', '-i', 'lo'],
				cwd: `/spool/${name}`,
				stderrLog,
			});
		report('worker-1', base, 'SIGABRT');
		report('worker-1', base + 60_000, 'SIGSEGV');
		report('worker-1', base + 3_600_000, 'SIGBUS');
		// Names that share a prefix with worker-1 are other nodes.
		report('worker-10', base + 7_200_000, 'SIGILL');
		report('worker-1-b', base + 7_200_000, 'SIGFPE');
		writeFileSync(path.join(dir, 'worker-1-notes.txt'), 'not a report');

		const fake = fakeController({spoolDir: work, nodes: [node('worker-1', 'worker')]});
		client = createLocalClient(fake.controller, specFor(work, {}));

		const reports = client.crashReports('worker-1', 2);
		expect(reports.map((entry) => entry.at)).toEqual([base + 3_600_000, base + 60_000]);
		expect(reports[0]!.file).toBe(path.join(dir, 'worker-1-2026-11-28T02-02-03.456Z.txt'));
		expect(reports[0]!.text).toContain('node: worker-1');
		expect(reports[0]!.text).toContain('exit: signal SIGBUS');
		expect(reports[0]!.text).toContain('internal error: simulated crash');
		expect(reports[1]!.text).toContain('exit: signal SIGSEGV');
		expect(client.crashReports('worker-1', 10)).toHaveLength(3);
		expect(client.crashReports('worker-1-b', 10).map((entry) => entry.text)).toEqual([
			expect.stringContaining('exit: signal SIGFPE'),
		]);
		expect(client.crashReports('worker-2', 10)).toEqual([]);

		// A huge report (long stderr lines) is read only up to the bound, cut at a line end.
		writeFileSync(stderrLog, `${'x'.repeat(10_000)}\n`.repeat(50));
		report('worker-2', base, 'SIGABRT');
		const [huge] = client.crashReports('worker-2', 1);
		expect(huge!.text.length).toBeLessThan(CRASH_REPORT_MAX_BYTES + 100);
		expect(huge!.text).toContain('node: worker-2');
		expect(huge!.text).toMatch(/\n\[… cut at \d+ bytes\]\n$/);
	});

	test('no crash directory yet: no reports, no error', () => {
		work = mkdtempSync(path.join(os.tmpdir(), 'zeek-tui-local-client-'));
		const fake = fakeController({spoolDir: work, nodes: [node('worker-1', 'worker')]});
		client = createLocalClient(fake.controller, specFor(work, {}));
		expect(client.crashReports('worker-1', 5)).toEqual([]);
	});

	test("a metrics port's bad answers are events, one per change of reason; a refused port none", async () => {
		work = mkdtempSync(path.join(os.tmpdir(), 'zeek-tui-local-client-'));
		let answer = 'zeek_net_packet_lag_seconds 1\n'.repeat(200_000);
		let status = 200;
		const hostilePort = await listen(
			createServer((_request, response) => {
				response.statusCode = status;
				response.end(answer);
			}),
		);
		const refusedPort = await freePort();
		const fake = fakeController({
			spoolDir: work,
			nodes: [
				node('worker-1', 'worker', {state: 'running'}),
				node('worker-2', 'worker', {state: 'running'}),
			],
		});
		const logged: {kind: string; detail: unknown}[] = [];
		fake.controller.logEvent = (kind, detail) => logged.push({kind, detail});
		client = createLocalClient(
			fake.controller,
			specFor(work, {'worker-1': hostilePort, 'worker-2': refusedPort}),
			{scrapeIntervalMs: 100},
		);
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect(logged).toEqual([
			{
				kind: 'scrape-failed',
				detail: {
					node: 'worker-1',
					error: `http://127.0.0.1:${hostilePort}/metrics sent more than 10000 samples of the metrics read`,
				},
			},
		]);
		status = 500;
		await waitFor(() => logged.length === 2, {what: 'a second reason'});
		expect(logged[1]).toEqual({
			kind: 'scrape-failed',
			detail: {node: 'worker-1', error: `http://127.0.0.1:${hostilePort}/metrics answered 500`},
		});
		[status, answer] = [200, 'zeek_net_packet_lag_seconds 1\n'];
		await waitFor(() => client!.snapshot().nodes[0]!.metrics, {what: 'an answer'});
		expect(logged).toHaveLength(2);
	});
});
