#!/usr/bin/env node
// zeek-sim: an executable stand-in for `zeek` as one node of a cluster, for
// `zeek-tui --demo` and the supervisor's tests. It behaves like zeek wherever a
// supervisor can tell (command line, CLUSTER_NODE and cluster-layout.zeek, the -U
// status file, output, signals, exit status, the Prometheus metrics port) and
// misbehaves on request through ZEEK_SIM_* variables (see README.md beside this file).
// It never starts a child and idles on a handful of timers.
import {readFileSync, renameSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import {
	parseZeekArgs,
	readBehaviour,
	SIM_ENV,
	SimConfigError,
	unknownSimVariables,
	type Behaviour,
	type ZeekArgs,
} from './sim-options.js';
import {findLayout, layoutSearchPath, parseLayoutEntry, type SimNode} from './sim-layout.js';
import {packetSummaryLine, renderMetrics, Traffic} from './sim-traffic.js';
import {chatterLine, floodLine, StreamWriter} from './sim-output.js';

const VERSION = '8.1.0';
/** How long the last output may take to drain before exit gives up on it. */
const FLUSH_TIMEOUT_MS = 1000;
const FLOOD_CHUNK_LINES = 1000;

const out = new StreamWriter(process.stdout);
const err = new StreamWriter(process.stderr);

/** zeek's `-U` file: one word, rewritten on each change. */
class StatusFile {
	private warned = false;

	constructor(private readonly file: string | undefined) {}

	set(status: 'INITIALIZING' | 'RUNNING' | 'TERMINATING' | 'TERMINATED'): void {
		if (this.file === undefined) return;
		// Through a rename so a reader never sees the file empty between truncate and write.
		const temporary = `${this.file}.${process.pid}.tmp`;
		try {
			writeFileSync(temporary, status + '\n');
			renameSync(temporary, this.file);
		} catch (error) {
			if (!this.warned) err.must(`warning: can't write status file ${this.file}: ${String(error)}`);
			this.warned = true;
		}
	}
}

async function exitAfterFlush(code: number): Promise<never> {
	await Promise.all([out.flush(FLUSH_TIMEOUT_MS), err.flush(FLUSH_TIMEOUT_MS)]);
	process.exit(code);
}

/**
 * Whether a fault limited to `times` runs fires in this run: the runs that armed it are
 * counted in a file in the working directory, so a restarted node can come up healthy.
 */
function armFault(times: number | undefined, counterFile: string): boolean {
	if (times === undefined) return true;
	let runs = 0;
	try {
		runs = Number.parseInt(readFileSync(counterFile, 'utf8'), 10) || 0;
	} catch {
		// No file yet: no run has armed it.
	}
	if (runs >= times) return false;
	try {
		writeFileSync(counterFile, `${runs + 1}\n`);
	} catch (error) {
		err.must(`warning: zeek-sim: can't count runs in ${counterFile}: ${String(error)}`);
	}
	return true;
}

class SimulatedZeek {
	private readonly traffic: Traffic;
	private readonly startedAt = Date.now();
	/** Set once a termination signal is being honoured (never with ignoreTerm). */
	private shuttingDown = false;
	private signalled = false;
	private readonly timers = new Set<NodeJS.Timeout>();
	private server: Server | undefined;

	constructor(
		private readonly node: SimNode,
		private readonly args: ZeekArgs,
		private readonly behaviour: Behaviour,
		private readonly status: StatusFile,
	) {
		this.traffic = new Traffic({
			packetsPerSecond: behaviour.packetsPerSecond,
			dropFraction: behaviour.dropFraction,
			jitter: behaviour.jitter,
		});
	}

	start(): void {
		for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
			process.on(signal, () => this.terminate());
		}
		// Zeek runs until told otherwise, even with no timer or socket of ours pending.
		setInterval(() => {}, 1 << 30);
		this.serveMetrics();
		this.armFaults();
		this.later(this.behaviour.initMs, () => this.run());
	}

	private later(ms: number, action: () => void): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			action();
		}, ms);
		this.timers.add(timer);
	}

	private run(): void {
		const {args, behaviour} = this;
		if (args.interface !== undefined) {
			err.must(`listening on ${args.interface}`);
			this.traffic.start(Date.now());
			if (!args.noChecksums) {
				this.later(1500, () =>
					err.chatter(
						'warning in /usr/local/zeek/share/zeek/base/misc/find-checksum-offloading.zeek, line 54: ' +
							'Your interface is likely receiving invalid TCP checksums, most likely from NIC checksum offloading.',
					),
				);
			}
		}
		this.status.set('RUNNING');
		this.chatter();
		if (behaviour.flood) void this.flood(behaviour.flood.lines, behaviour.flood.stream);
		if (behaviour.burn) this.burn(behaviour.burn.percent);
	}

	private armFaults(): void {
		const {crash, exit} = this.behaviour;
		if (crash && armFault(crash.times, '.zeek-sim-crash-count')) {
			this.later(crash.afterMs, () => {
				err.must(`internal error: zeek-sim: aborting as ${SIM_ENV.crash} asks`);
				this.status.set('TERMINATED');
				void err.flush(FLUSH_TIMEOUT_MS).then(() => process.kill(process.pid, 'SIGABRT'));
			});
		}
		if (exit && armFault(exit.times, '.zeek-sim-exit-count')) {
			this.later(exit.afterMs, () => {
				err.must(`fatal error: zeek-sim: exiting with code ${exit.code} as ${SIM_ENV.exit} asks`);
				this.status.set('TERMINATED');
				void exitAfterFlush(exit.code);
			});
		}
	}

	/** About `linesPerSecond` lines in total, paced by the clock rather than by timer precision. */
	private chatter(): void {
		const rate = this.behaviour.linesPerSecond;
		if (rate <= 0) return;
		const interval = Math.max(1000 / rate, 50);
		const since = Date.now();
		let written = 0;
		const tick = () => {
			if (this.shuttingDown) return;
			const now = Date.now();
			const due = Math.floor(((now - since) / 1000) * rate) - written;
			// After a long stall (a stopped process, a full pipe), resume rather than catch up.
			const lines = Math.min(due, Math.ceil(rate * 2));
			written += due;
			const packets = this.traffic.stats(now);
			for (let index = 0; index < lines; index++) {
				const line = chatterLine({
					node: this.node.name,
					type: this.node.type,
					now,
					received: packets.received,
					dropped: packets.dropped,
					random: Math.random,
				});
				(line.stream === 'stdout' ? out : err).chatter(line.text);
			}
			this.later(interval, tick);
		};
		this.later(interval, tick);
	}

	private async flood(lines: number, stream: 'stdout' | 'stderr'): Promise<void> {
		const writer = stream === 'stdout' ? out : err;
		const stop = () => this.shuttingDown;
		for (let first = 1; first <= lines && !stop(); first += FLOOD_CHUNK_LINES) {
			const last = Math.min(lines, first + FLOOD_CHUNK_LINES - 1);
			let text = '';
			for (let index = first; index <= last; index++) text += floodLine(index, lines) + '\n';
			await writer.chunk(text, stop);
		}
	}

	/** Busy for `percent` of every 100 ms, yielding in between so signals are still handled. */
	private burn(percent: number): void {
		const slice = () => {
			if (this.shuttingDown) return;
			const until = performance.now() + percent;
			let sink = 0;
			while (performance.now() < until) sink += Math.sqrt(sink + 1);
			if (percent >= 100) setImmediate(slice);
			else this.later(100 - percent, slice);
		};
		slice();
	}

	private serveMetrics(): void {
		const port = this.node.metricsPort;
		if (port === undefined) return;
		const host = this.behaviour.metricsHost;
		const server = createServer((request, response) => {
			if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
				response.writeHead(404, {'Content-Type': 'text/plain'}).end('not found\n');
				return;
			}
			response
				.writeHead(200, {'Content-Type': 'text/plain; version=0.0.4; charset=utf-8'})
				.end(this.metricsText());
		});
		server.on('error', (error: NodeJS.ErrnoException) => {
			if (server.listening) {
				err.chatter(`warning: Prometheus endpoint: ${error.code ?? error.message}`);
				return;
			}
			// Zeek would stop here; several clusters share a test box, so carry on without metrics.
			err.must(
				`warning: Failed to setup Prometheus endpoint on ${host}:${port}: ${error.code ?? error.message}; ` +
					'continuing without metrics',
			);
			this.server = undefined;
			server.close();
		});
		server.listen(port, host);
		this.server = server;
	}

	private metricsText(): string {
		const now = Date.now();
		const capturing = this.traffic.capturing;
		const sessions = capturing
			? Math.round(this.behaviour.packetsPerSecond * 0.15 * (0.9 + 0.2 * Math.random()))
			: 0;
		const cpu = process.cpuUsage();
		return renderMetrics({
			node: this.node.name,
			packets: this.traffic.stats(now),
			lagSeconds: capturing ? 0.001 + Math.random() * 0.01 : 0,
			sessions: {
				tcp: Math.round(sessions * 0.7),
				udp: Math.round(sessions * 0.28),
				icmp: Math.round(sessions * 0.02),
			},
			residentBytes: process.memoryUsage.rss(),
			cpuSeconds: (cpu.user + cpu.system) / 1e6,
			startTimeSeconds: this.startedAt / 1000,
		});
	}

	private terminate(): void {
		if (this.behaviour.ignoreTerm) {
			// A zeek hung in its shutdown: it noticed, and never gets further.
			err.must('received termination signal');
			this.status.set('TERMINATING');
			return;
		}
		if (this.signalled) return;
		this.signalled = true;
		this.shuttingDown = true;
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		this.status.set('TERMINATING');
		err.must('received termination signal');
		setTimeout(() => void this.finish(), this.behaviour.stopDelayMs);
	}

	private async finish(): Promise<void> {
		if (this.args.interface !== undefined) {
			err.must(packetSummaryLine(this.traffic.stats(Date.now()), this.args.interface));
		}
		this.server?.close();
		this.server?.closeAllConnections();
		this.status.set('TERMINATED');
		await exitAfterFlush(0);
	}
}

const USAGE = `usage: zeek-sim [options] [file ...]
A simulated zeek cluster node for zeek-tui --demo and tests. Needs CLUSTER_NODE and
cluster-layout.zeek in the working directory or in a ZEEKPATH directory.
    -i|--iface <interface>       capture (simulated) packets
    -U|--status-file <file>      write the processing status to <file>
    -C|--no-checksums            accepted
    -v|--version                 print version and exit
Every other zeek option and script name is accepted and ignored. ZEEK_SIM_* variables
make a node misbehave: see source/demo/README.md in zeek-tui.`;

async function main(): Promise<void> {
	const args = parseZeekArgs(process.argv.slice(2));
	if (args.version) {
		out.must(`zeek version ${VERSION} (zeek-sim)`);
		return exitAfterFlush(0);
	}
	if (args.help) {
		out.must(USAGE);
		return exitAfterFlush(0);
	}

	const status = new StatusFile(args.statusFile);
	status.set('INITIALIZING');
	const fatal = (message: string) => {
		err.must(`fatal error: ${message}`);
		status.set('TERMINATED');
		return exitAfterFlush(1);
	};

	for (const name of unknownSimVariables(process.env)) {
		err.must(`warning: zeek-sim: unknown variable ${name} ignored`);
	}
	const nodeName = process.env['CLUSTER_NODE'];
	if (!nodeName) {
		return fatal('CLUSTER_NODE is not set: zeek-sim runs only as a node of a cluster');
	}
	const cwd = process.cwd();
	const layoutFile = findLayout(cwd, process.env['ZEEKPATH']);
	if (layoutFile === undefined) {
		const searched = layoutSearchPath(cwd, process.env['ZEEKPATH']).join(':');
		return fatal(`can't find cluster-layout (searched ${searched})`);
	}
	const node = parseLayoutEntry(readFileSync(layoutFile, 'utf8'), nodeName);
	if (node === undefined) {
		return fatal(
			`'${nodeName}' is not a valid node in the Cluster::nodes configuration (${layoutFile})`,
		);
	}
	let behaviour: Behaviour;
	try {
		behaviour = readBehaviour(process.env, nodeName);
	} catch (error) {
		if (error instanceof SimConfigError) return fatal(`zeek-sim: ${error.message}`);
		throw error;
	}
	new SimulatedZeek(node, args, behaviour, status).start();
}

await main();
