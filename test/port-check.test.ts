// Ports are checked before anything starts: a busy one is one line naming the port, the node and
// the process holding it (from /proc), exit 2, nothing created; adopted nodes hold their own.
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {cleanEnv, runCli, simulatorPath} from './helpers/cli.js';
import {killProcessesIn} from './helpers/processes.js';
import {checkPortsFree, freePortBlock, PortBusyError} from '../source/cluster/port-check.js';
import type {NodePlan} from '../source/cluster/types.js';

let work: string;
let server: Server;
let busyPort: number;
beforeEach(async () => {
	work = mkdtempSync(path.join(os.tmpdir(), 'zeek-tui-ports-'));
	server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	busyPort = (server.address() as {port: number}).port;
});
afterEach(async () => {
	killProcessesIn(work);
	await new Promise((resolve) => server.close(resolve));
	rmSync(work, {recursive: true, force: true});
});

const plan = (name: string, listens: NodePlan['listens']): NodePlan => ({
	name,
	type: 'manager',
	cwd: '/nonexistent',
	argv: ['zeek'],
	env: {},
	listens,
});

describe('checkPortsFree', () => {
	it('refuses a port something listens on, naming the port, the node and the holder', () => {
		const nodes = [plan('manager', [{port: busyPort, what: 'metrics port'}])];
		expect(() => checkPortsFree(nodes)).toThrow(PortBusyError);
		expect(() => checkPortsFree(nodes)).toThrow(
			new RegExp(
				`^port ${busyPort}, manager's metrics port, is already in use by \\S+ \\(pid ${process.pid}\\)`,
			),
		);
	});

	it("lets an adopted node's own ports be", () => {
		const nodes = [plan('manager', [{port: busyPort, what: 'metrics port'}])];
		expect(() => checkPortsFree(nodes, new Set([process.pid]))).not.toThrow();
	});

	it('refuses two nodes of the plan on one port', () => {
		const nodes = [
			plan('manager', [{port: 40_001, what: 'cluster port'}]),
			plan('worker-1', [{port: 40_001, what: 'metrics port'}]),
		];
		expect(() => checkPortsFree(nodes, new Set(), [])).toThrow(
			"port 40001 is worker-1's metrics port and also manager's cluster port",
		);
	});

	it('finds a free block of ports', () => {
		const base = freePortBlock(busyPort - 1, 3, 3, [], [{port: busyPort, inode: '0'}]);
		expect(base).toBe(busyPort + 2);
	});
});

describe('zeek-tui with a busy port', () => {
	it('exits 2 with one line before anything is created or started', async () => {
		const layout = path.join(work, 'layout.zeek');
		writeFileSync(
			layout,
			[
				'redef Cluster::nodes += {',
				`    ["manager"] = [$node_type=Cluster::MANAGER, $ip=127.0.0.1, $p=${busyPort + 10}/tcp, $metrics_port=${busyPort}/tcp],`,
				'};',
			].join('\n'),
		);
		const spool = path.join(work, 'spool');
		const result = await runCli(
			['--headless', '--zeek', simulatorPath, '--layout', layout, '--spool-dir', spool],
			{cwd: work, env: cleanEnv()},
		);
		expect(result.exitCode).toBe(2);
		expect(result.stderr).toMatch(
			new RegExp(
				`^zeek-tui: port ${busyPort}, manager's metrics port, is already in use by .+ \\(pid ${process.pid}\\); .+\\n$`,
			),
		);
		expect(existsSync(spool)).toBe(false);
	});
});

describe('--demo ports', () => {
	type Planned = {name: string; listens: Array<{port: number}>};
	const demoPlan = async (spool: string) => {
		const result = await runCli(['--demo', '--dry-run', '--json', '--spool-dir', spool], {
			cwd: work,
			env: cleanEnv(),
		});
		expect(result.exitCode, result.stderr).toBe(0);
		return result.stdout
			.trimEnd()
			.split('\n')
			.map((line) => JSON.parse(line) as Planned)
			.flatMap((node) => node.listens.map((listen) => listen.port));
	};

	it('a second demo takes other ports while the first one holds its own', async () => {
		const first = await demoPlan(path.join(work, 'first'));
		// The first demo's manager (its cluster port, the lowest) and every metrics port stand busy.
		const held: Server[] = [];
		for (const port of [
			Math.min(...first.filter((port) => port > 20_000)),
			...first.filter((port) => port < 20_000),
		]) {
			const holder = createServer();
			await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
			held.push(holder);
		}
		try {
			const second = await demoPlan(path.join(work, 'second'));
			expect(second.filter((port) => first.includes(port))).toEqual([]);
		} finally {
			await Promise.all(held.map((holder) => new Promise((resolve) => holder.close(resolve))));
		}
	});
});
