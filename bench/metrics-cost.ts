// What scraping and sampling cost zeek-tui while it watches, alone: the built scraper against 32
// metrics ports (served here, in another process) and the built sampler over 32 processes, each
// measured in a process of its own (bench/metrics-cost-child.mjs). Medians of RUNS.
//   npm run build && npx tsx bench/metrics-cost.ts [SERIES=400] [SECONDS=60] [RUNS=3]
import {spawn} from 'node:child_process';
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import {fileURLToPath} from 'node:url';

const NODES = 32;
const [series = 400, seconds = 60, runs = 3] = process.argv.slice(2).map(Number);
const child = fileURLToPath(new URL('metrics-cost-child.mjs', import.meta.url));
const startedAt = Date.now();

/** A Zeek-like page: `series` other counters (HELP, TYPE, sample) and the six read. */
function page(node: number): string {
	const lines: string[] = [];
	for (let index = 0; index < series; index++) {
		lines.push(
			`# HELP zeek_other_${index} Another counter.`,
			`# TYPE zeek_other_${index} counter`,
			`zeek_other_${index}{endpoint="worker-${node}"} ${index * 7}`,
		);
	}
	const received = Date.now() - startedAt;
	lines.push(
		`zeek_net_received_packets_total{node="worker-${node}"} ${received}`,
		`zeek_net_dropped_packets_total{node="worker-${node}"} 0`,
		`zeek_net_link_packets_total{node="worker-${node}"} ${received}`,
		`zeek_net_packet_lag_seconds{node="worker-${node}"} 0.01`,
		`zeek_active_sessions{node="worker-${node}",protocol="tcp"} 5`,
		`process_start_time_seconds{node="worker-${node}"} 1700000000`,
	);
	return `${lines.join('\n')}\n`;
}

async function servePorts(): Promise<number[]> {
	const ports: number[] = [];
	for (let node = 0; node < NODES; node++) {
		const server = createServer((_request, response) => {
			response.writeHead(200, {'content-type': 'text/plain; version=0.0.4'});
			response.end(page(node));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		ports.push((server.address() as AddressInfo).port);
	}
	return ports;
}

function measure(mode: string, intervalMs: number, list: number[]): Promise<{cpuPercent: number}> {
	return new Promise((resolve, reject) => {
		const run = spawn(
			process.execPath,
			[child, mode, String(intervalMs), String(seconds), list.join(',')],
			{stdio: ['ignore', 'pipe', 'inherit']},
		);
		let out = '';
		run.stdout.on('data', (chunk: Buffer) => (out += chunk));
		run.on('exit', (code) =>
			code === 0 ? resolve(JSON.parse(out) as {cpuPercent: number}) : reject(new Error(out)),
		);
	});
}

const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const ports = await servePorts();
const sleepers = Array.from({length: NODES}, () => spawn('sleep', ['3600'], {stdio: 'ignore'}));
const pids = sleepers.map((sleeper) => sleeper.pid!);
try {
	for (const [mode, intervalMs, list] of [
		['scrape', 5000, ports],
		['scrape', 15_000, ports],
		['sample', 2000, pids],
	] as const) {
		const figures: number[] = [];
		for (let run = 0; run < runs; run++)
			figures.push((await measure(mode, intervalMs, list)).cpuPercent);
		console.log(
			`${mode} every ${intervalMs / 1000} s, ${NODES} nodes${mode === 'scrape' ? `, ${series} other series` : ''}: ` +
				`${median(figures).toFixed(2)} % of a core (runs: ${figures.map((figure) => figure.toFixed(2)).join(', ')})`,
		);
	}
} finally {
	for (const sleeper of sleepers) sleeper.kill('SIGKILL');
	process.exit(0);
}
