#!/usr/bin/env node
// zeek-sim: an executable stand-in for `zeek` as one node of a cluster, for
// `zeek-tui --demo` and the supervisor's tests. It behaves like zeek wherever a
// supervisor can tell (command line, CLUSTER_NODE and cluster-layout.zeek, the -U
// status file, output, signals, exit status, the Prometheus metrics port) and
// misbehaves on request through ZEEK_SIM_* variables (see README.md beside this file).
// It never starts a child and idles on a handful of timers.
import {readFileSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import {createServer as createTcpServer, type Server as TcpServer} from 'node:net';
import {
	parseZeekArgs,
	readBehaviour,
	SIM_ENV,
	SimConfigError,
	unknownSimVariables,
	type Behaviour,
	type ZeekArgs,
} from './sim-options.js';
import {
	findLayout,
	layoutSearchPath,
	parseLayoutEntry,
	parseLayoutOptions,
	type SimLayoutOptions,
	type SimNode,
} from './sim-layout.js';
import {packetSummaryLine, renderMetrics, Traffic} from './sim-traffic.js';
import {chatterLine, floodLine, StreamWriter} from './sim-output.js';

const VERSION = '8.1.0';
const TELEMETRY_SCRIPT =
	'/usr/local/zeek/share/zeek/base/frameworks/telemetry/./main.zeek, line 476';
const ZEROMQ_SCRIPT =
	'/usr/local/zeek/share/zeek/policy/frameworks/cluster/backend/zeromq/./main.zeek';
// CivetServer's own words when it cannot bind.
const CIVETWEB_BIND_FAILURE =
	'null context when constructing CivetServer. Possible problem binding to port';
const ZEROMQ_BACKEND = /(^|\/)frameworks\/cluster\/backend\/zeromq(\/|$)/;
// Zeek's defaults for the proxy (policy/frameworks/cluster/backend/zeromq/options.zeek).
const ZEROMQ_DEFAULTS = {xpub: 'tcp://127.0.0.1:5555', xsub: 'tcp://127.0.0.1:5556'};
/** The thread zeek names when a signal arrives while it waits for its log writers. */
const LOG_THREAD = 'conn/Log::WRITER_ASCII';
/** How long zeek still takes once its threads are aborted. */
const ABORTED_THREADS_MS = 300;
/** How long the last output may take to drain before exit gives up on it. */
const FLUSH_TIMEOUT_MS = 1000;
const FLOOD_CHUNK_LINES = 1000;

const out = new StreamWriter(process.stdout);
const err = new StreamWriter(process.stderr);

type Status = 'INITIALIZING' | 'RUNNING' | 'TERMINATING' | 'TERMINATED';

/** zeek's `-U` file: `WORD [reason]`, rewritten on each change. */
class StatusFile {
	private warned = false;

	constructor(private readonly file: string | undefined) {}

	set(status: Status, reason: string): void {
		if (this.file === undefined) return;
		// In place, as zeek's set_processing_status does (open O_TRUNC, write, close): a reader
		// may find the file empty in between.
		try {
			writeFileSync(this.file, `${status} [${reason}]\n`);
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
	/** Termination signals seen since the first; zeek counts them while it waits for its threads. */
	private extraSignals = 0;
	private readonly timers = new Set<NodeJS.Timeout>();
	private server: Server | undefined;
	private readonly sockets: TcpServer[] = [];

	constructor(
		private readonly node: SimNode,
		private readonly layout: SimLayoutOptions,
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

	/**
	 * Like zeek: its listeners are bound while it loads (zeek_init), and a busy one is fatal;
	 * its signal handlers come only after that, so a SIGTERM while INITIALIZING kills it by signal.
	 */
	async start(): Promise<void> {
		// Zeek runs until told otherwise, even with no timer or socket of ours pending.
		setInterval(() => {}, 1 << 30);
		this.armFaults();
		const loaded = new Promise<void>((resolve) => this.later(this.behaviour.initMs, resolve));
		await Promise.all([this.serveMetrics(), this.listenZeroMq(), loaded]);
		for (const signal of ['SIGTERM', 'SIGINT'] as const) {
			process.on(signal, () => this.terminate());
		}
		// zeek's handler takes SIGHUP too, but only SIGTERM and SIGINT end its run loop.
		process.on('SIGHUP', () => this.status.set('TERMINATING', 'sig_handler'));
		this.run();
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
		this.status.set('RUNNING', 'run_loop');
		this.chatter();
		if (behaviour.flood) void this.flood(behaviour.flood.lines, behaviour.flood.stream);
		if (behaviour.burn) this.burn(behaviour.burn.percent);
	}

	private armFaults(): void {
		const {crash, exit} = this.behaviour;
		if (crash && armFault(crash.times, '.zeek-sim-crash-count')) {
			this.later(crash.afterMs, () => {
				err.must(`internal error: zeek-sim: aborting as ${SIM_ENV.crash} asks`);
				this.status.set('TERMINATED', 'internal_error');
				void err.flush(FLUSH_TIMEOUT_MS).then(() => process.kill(process.pid, 'SIGABRT'));
			});
		}
		if (exit && armFault(exit.times, '.zeek-sim-exit-count')) {
			this.later(exit.afterMs, () => {
				err.must(`fatal error: zeek-sim: exiting with code ${exit.code} as ${SIM_ENV.exit} asks`);
				this.status.set('TERMINATED', 'fatal_error');
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

	/** zeek's fatal error: the message on stderr, TERMINATED [fatal_error], exit 1. */
	private async fatal(message: string): Promise<never> {
		err.must(`fatal error in ${message}`);
		this.status.set('TERMINATED', 'fatal_error');
		return exitAfterFlush(1);
	}

	/** Telemetry::listen_prometheus in zeek_init: civetweb on ADDRESS:PORT, or a fatal error. */
	private async serveMetrics(): Promise<void> {
		const port = this.node.metricsPort;
		if (port === undefined) return;
		const address = this.behaviour.metricsHost ?? (this.layout.metricsAddress || '0.0.0.0');
		const where = `${address}:${port}`;
		const fatal = (reason: string) =>
			this.fatal(
				`${TELEMETRY_SCRIPT}: Failed to setup Prometheus endpoint: ${reason}. Attempted to bind to ${where}.`,
			);
		// civetweb takes IPv6 only in brackets: `::1:9991` is no address to it.
		const host = /^\[(.*)\]$/.exec(address)?.[1] ?? address;
		if (address.includes(':') && host === address) return fatal(CIVETWEB_BIND_FAILURE);
		const server = createServer((request, response) => {
			if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
				response.writeHead(404, {'Content-Type': 'text/plain'}).end('not found\n');
				return;
			}
			response
				.writeHead(200, {'Content-Type': 'text/plain; version=0.0.4; charset=utf-8'})
				.end(this.metricsText());
		});
		const bound = await listen(server, port, host);
		if (bound !== undefined) return fatal(`${CIVETWEB_BIND_FAILURE} (${bound})`);
		server.on('error', (error: NodeJS.ErrnoException) =>
			err.chatter(`warning: Prometheus endpoint: ${error.code ?? error.message}`),
		);
		this.server = server;
	}

	/**
	 * The ZeroMQ backend's sockets, when the command line loads it: the manager's XPUB/XSUB
	 * proxy (fatal when busy: "Failed to spawn ZeroMQ proxy thread"), a logger's log endpoint.
	 */
	private async listenZeroMq(): Promise<void> {
		if (!this.args.scripts.some((word) => ZEROMQ_BACKEND.test(word))) return;
		const redefs = commandLineRedefs(this.args.scripts);
		const logs =
			this.node.type === 'logger' || (this.node.type === 'manager' && this.layout.managerIsLogger);
		if (this.node.type === 'manager') {
			for (const socket of ['xpub', 'xsub'] as const) {
				const endpoint =
					redefs.get(`Cluster::Backend::ZeroMQ::listen_${socket}_endpoint`) ??
					ZEROMQ_DEFAULTS[socket];
				const failure = await this.bindEndpoint(endpoint);
				if (failure !== undefined) {
					err.must(
						`error: ZeroMQ: Failed to bind ${socket.toUpperCase()} socket ${endpoint}: ${failure}`,
					);
					return this.fatal(`${ZEROMQ_SCRIPT}, line 58: Failed to spawn ZeroMQ proxy thread`);
				}
			}
		}
		if (logs && this.node.port !== undefined) {
			const ip = this.node.ip ?? '127.0.0.1';
			const endpoint = `tcp://${ip.includes(':') ? `[${ip}]` : ip}:${this.node.port}`;
			const failure = await this.bindEndpoint(endpoint);
			if (failure !== undefined) {
				err.must(`error: ZeroMQ: Failed to bind PULL socket ${endpoint}: ${failure}`);
				return this.fatal(`${ZEROMQ_SCRIPT}, line 61: Failed initialize ZeroMQ backend`);
			}
		}
	}

	/** Binds `tcp://HOST:PORT`; the reason it could not, or undefined. */
	private async bindEndpoint(endpoint: string): Promise<string | undefined> {
		const match = /^tcp:\/\/\[?([^\]]*?)\]?:(\d+)$/.exec(endpoint);
		if (!match) return 'Invalid argument';
		const socket = createTcpServer((connection) => connection.destroy());
		const failure = await listen(socket, Number(match[2]), match[1]!);
		if (failure === undefined) this.sockets.push(socket);
		return failure === 'EADDRINUSE' ? 'Address already in use' : failure;
	}

	private metricsText(): string {
		const flood = this.behaviour.metricsFloodSamples;
		if (flood !== undefined) return 'zeek_net_packet_lag_seconds 1\n'.repeat(flood);
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
		this.status.set('TERMINATING', 'sig_handler');
		if (this.behaviour.ignoreTerm) {
			// A zeek hung in its shutdown: it noticed, and never gets further.
			err.must('received termination signal');
			return;
		}
		if (this.signalled) {
			this.anotherSignal();
			return;
		}
		this.signalled = true;
		this.shuttingDown = true;
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		// zeek_terminate_loop(): the reason, the final packet figures, then it waits for its threads.
		this.status.set('TERMINATING', 'received termination signal');
		err.must('received termination signal');
		if (this.args.interface !== undefined) {
			err.must(packetSummaryLine(this.traffic.stats(Date.now()), this.args.interface));
		}
		this.status.set('TERMINATING', 'done_with_network');
		this.later(this.behaviour.stopDelayMs, () => void this.finish());
	}

	/** src/threading/MsgThread.cc: a second signal aborts the threads, a third exits 1. */
	private anotherSignal(): void {
		this.extraSignals++;
		if (this.extraSignals === 1) {
			err.must(`received signal while waiting for thread ${LOG_THREAD}, aborting all ...`);
			for (const timer of this.timers) clearTimeout(timer);
			this.timers.clear();
			this.later(ABORTED_THREADS_MS, () => void this.finish());
			return;
		}
		err.must(`received another signal while waiting for thread ${LOG_THREAD}, aborting processing`);
		this.status.set('TERMINATED', 'atexit');
		void exitAfterFlush(1);
	}

	private async finish(): Promise<void> {
		this.server?.close();
		this.server?.closeAllConnections();
		for (const socket of this.sockets) socket.close();
		this.status.set('TERMINATING', 'terminate_zeek');
		this.status.set('TERMINATED', 'atexit');
		await exitAfterFlush(0);
	}
}

/** Listens; resolves with undefined once bound, or with the error code. */
function listen(
	server: Server | TcpServer,
	port: number,
	host: string,
): Promise<string | undefined> {
	return new Promise((resolve) => {
		const onError = (error: NodeJS.ErrnoException) => {
			server.close();
			resolve(error.code ?? error.message);
		};
		server.once('error', onError);
		server.listen(port, host, () => {
			server.removeListener('error', onError);
			resolve(undefined);
		});
	});
}

/** zeek's `ID=value` arguments, by ID (the last one wins, as zeek's redefs do). */
function commandLineRedefs(words: readonly string[]): Map<string, string> {
	const redefs = new Map<string, string>();
	for (const word of words) {
		const match = /^([A-Za-z_][A-Za-z0-9_:]*)=(.*)$/.exec(word);
		if (match) redefs.set(match[1]!, match[2]!);
	}
	return redefs;
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
	status.set('INITIALIZING', 'main');
	const fatal = (message: string) => {
		err.must(`fatal error: ${message}`);
		status.set('TERMINATED', 'fatal_error');
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
	const layoutText = readFileSync(layoutFile, 'utf8');
	const node = parseLayoutEntry(layoutText, nodeName);
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
	const layout = parseLayoutOptions(layoutText, node, process.env);
	await new SimulatedZeek(node, layout, args, behaviour, status).start();
}

await main();
