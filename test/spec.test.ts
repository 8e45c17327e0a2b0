// Options -> ClusterSpec, without processes: order, argument splitting, zeek lookup.
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
	buildClusterSpec,
	InputError,
	resolveZeek,
	splitArguments,
	type ClusterOptions,
} from '../source/cluster/spec.js';

let work: string;
let zeek: string;
beforeAll(() => {
	work = mkdtempSync(path.join(os.tmpdir(), 'zeek-tui-spec-'));
	zeek = path.join(work, 'zeek');
	writeFileSync(zeek, '#!/bin/sh\n');
	chmodSync(zeek, 0o755);
});
afterAll(() => rmSync(work, {recursive: true, force: true}));

function options(overrides: Partial<ClusterOptions> = {}): ClusterOptions {
	const flag = (from: string, value: string) => ({value, from});
	return {
		workers: flag('--workers', '2'),
		proxies: flag('--proxies', '1'),
		loggers: flag('--loggers', '1'),
		interface: flag('--interface', 'lo'),
		spoolDir: flag('--spool-dir', 'spool'),
		args: flag('--args', 'local'),
		workerArgs: flag('--worker-args', '-C'),
		backendArgs: flag('--backend-args', 'policy/frameworks/cluster/backend/zeromq'),
		zeek: flag('--zeek', zeek),
		stopTimeout: flag('--stop-timeout', '60'),
		...overrides,
	};
}

describe('buildClusterSpec', () => {
	it('keeps layout order (manager, loggers, proxies, workers) for a hand-written file in any order', () => {
		const file = path.join(work, 'shuffled.zeek');
		writeFileSync(
			file,
			[
				'redef Cluster::nodes += {',
				'    ["worker-b"] = [$node_type=Cluster::WORKER, $ip=127.0.0.1, $manager="boss"],',
				'    ["proxy-a"] = [$node_type=Cluster::PROXY, $ip=127.0.0.1, $p=27762/tcp, $manager="boss"],',
				'    ["worker-a"] = [$node_type=Cluster::WORKER, $ip=127.0.0.1, $manager="boss"],',
				'    ["boss"] = [$node_type=Cluster::MANAGER, $ip=127.0.0.1, $p=27760/tcp],',
				'    ["log-a"] = [$node_type=Cluster::LOGGER, $ip=127.0.0.1, $p=27761/tcp, $manager="boss"],',
				'};',
				'',
			].join('\n'),
		);
		const {spec} = buildClusterSpec(options({layout: {value: file, from: '--layout'}}), {
			cwd: work,
			onlineCpus: [0, 1],
		});
		expect(spec.nodes.map((node) => node.name)).toEqual([
			'boss',
			'log-a',
			'proxy-a',
			'worker-b',
			'worker-a',
		]);
		expect(spec.nodes.map((node) => node.cwd)).toEqual(
			spec.nodes.map((node) => path.join(work, 'spool', node.name)),
		);
	});

	it('gives each node a metrics target on the address it is reached at', () => {
		const {spec} = buildClusterSpec(options(), {cwd: work, onlineCpus: [0, 1]});
		expect(spec.nodes.map((node) => node.metrics)).toEqual(
			[9991, 9992, 9993, 9994, 9995].map((port) => ({host: '127.0.0.1', port})),
		);
		expect(spec.stopTimeoutMs).toBe(60_000);
	});

	it('refuses counts past 10000, which would run the generated ports past 65535', () => {
		expect(() =>
			buildClusterSpec(options({workers: {value: '10001', from: '--workers'}}), {cwd: work}),
		).toThrow(InputError);
		expect(() =>
			buildClusterSpec(options({workers: {value: '10000', from: '--workers'}}), {
				cwd: work,
				onlineCpus: [0],
			}),
		).not.toThrow();
	});
});

describe('splitArguments', () => {
	it('splits like an unquoted shell variable: blanks only, no quotes, no globbing', () => {
		expect(splitArguments('  local\tLog::x=0sec \n "a b" *.zeek ')).toEqual([
			'local',
			'Log::x=0sec',
			'"a',
			'b"',
			'*.zeek',
		]);
		expect(splitArguments('')).toEqual([]);
	});
});

describe('resolveZeek', () => {
	it('finds a bare name on PATH and refuses one that is not there', () => {
		expect(resolveZeek({value: 'zeek', from: 'ZEEK_BIN'}, `/nonexistent:${work}`)).toBe(zeek);
		expect(() => resolveZeek({value: 'zeek', from: 'ZEEK_BIN'}, '/nonexistent')).toThrow(
			/ZEEK_BIN="zeek": not found on PATH/,
		);
	});
});
