// Writing to stdout/stderr without ever letting a full pipe stall the node: chatter
// is dropped while a stream is backed up, floods wait for 'drain', and the final
// flush before exit gives up after a bound. Files (the production case) are written
// synchronously by Node, so nothing is ever dropped there.

/** Bytes queued in a stream beyond which chatter is dropped instead of buffered. */
const BACKLOG_LIMIT = 64 * 1024;

export class StreamWriter {
	private broken = false;

	constructor(private readonly stream: NodeJS.WritableStream & Partial<NodeJS.WriteStream>) {
		// A reader that went away (EPIPE) must not kill the node: zeek-sim just goes quiet.
		stream.on('error', () => {
			this.broken = true;
		});
	}

	private get backlog(): number {
		return this.stream.writableLength ?? 0;
	}

	/** Writes unless the stream is backed up; returns whether the line was written. */
	chatter(line: string): boolean {
		if (this.backlog > BACKLOG_LIMIT) return false;
		return this.must(line);
	}

	/** Writes whatever the backlog (shutdown lines, fatal errors). */
	must(line: string): boolean {
		return this.write(line + '\n');
	}

	/** Writes a chunk; resolves once the stream can take more (or is broken, or `stop()` says so). */
	async chunk(text: string, stop: () => boolean): Promise<void> {
		if (this.write(text) || this.broken) {
			// Give signals and timers a turn between chunks even when writes are synchronous.
			await new Promise((resolve) => setImmediate(resolve));
			return;
		}
		await new Promise<void>((resolve) => {
			const poll = setInterval(() => {
				if (stop() || this.broken) done();
			}, 50);
			const done = () => {
				clearInterval(poll);
				this.stream.off('drain', done);
				resolve();
			};
			this.stream.once('drain', done);
		});
	}

	/** Resolves when everything queued is written, or after `timeoutMs`, whichever is first. */
	async flush(timeoutMs: number): Promise<void> {
		// Polled rather than 'drain': drain fires only after a write returned false.
		const giveUpAt = Date.now() + timeoutMs;
		while (this.backlog > 0 && !this.broken && Date.now() < giveUpAt) {
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	}

	private write(text: string): boolean {
		if (this.broken) return true;
		try {
			return this.stream.write(text);
		} catch {
			// A synchronous file write can throw (ENOSPC, EBADF); treat like a broken pipe.
			this.broken = true;
			return true;
		}
	}
}

const RESET = '\x1b[0m';
const YELLOW = '\x1b[33m';
const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const BOLD = '\x1b[1m';

export type ChatterContext = {
	node: string;
	type: 'manager' | 'logger' | 'proxy' | 'worker';
	/** Epoch ms. */
	now: number;
	received: number;
	dropped: number;
	random: () => number;
};

type Template = (context: ChatterContext, ts: string) => string;

function pick<T>(items: readonly T[], random: () => number): T {
	return items[Math.floor(random() * items.length) % items.length]!;
}

function someNumber(random: () => number, max: number): number {
	return Math.floor(random() * max);
}

const STDOUT: Record<ChatterContext['type'], Template[]> = {
	manager: [
		(c, ts) => `${ts} Cluster: node ${pick(['worker-1', 'proxy-1', 'logger-1'], c.random)} up`,
		(c, ts) =>
			`${ts} ${GREEN}stats${RESET}: events_proc=${someNumber(c.random, 50_000)} timers=${someNumber(c.random, 9000)}`,
		(c, ts) => `${ts} Notice::policy: ${someNumber(c.random, 12)} notices suppressed`,
	],
	logger: [
		(c, ts) =>
			`${ts} log writes: conn=${someNumber(c.random, 9000)} dns=${someNumber(c.random, 4000)} http=${someNumber(c.random, 800)} ssl=${someNumber(c.random, 1200)}`,
		(c, ts) => `${ts} ${GREEN}stats${RESET}: writer queue depth ${someNumber(c.random, 64)}`,
	],
	proxy: [
		(c, ts) =>
			`${ts} proxy: relayed ${someNumber(c.random, 4000)} events to ${pick([2, 3, 4], c.random)} peers`,
		(c, ts) =>
			`${ts} ${GREEN}stats${RESET}: known_hosts store size ${someNumber(c.random, 20_000)}`,
	],
	worker: [
		(c, ts) =>
			`${ts} ${GREEN}stats${RESET}: pkts_recv=${c.received} pkts_dropped=${c.dropped} mem=${90 + someNumber(c.random, 40)}MB`,
		(c, ts) =>
			`${ts} sessions: tcp=${someNumber(c.random, 300)} udp=${someNumber(c.random, 120)} icmp=${someNumber(c.random, 5)}`,
		(c, ts) =>
			`${ts} files: ${someNumber(c.random, 60)} analyzed, ${someNumber(c.random, 3)} extracted`,
	],
};

const STDERR: Template[] = [
	(c, ts) =>
		`${ts} ${BOLD}${YELLOW}warning${RESET} in ./local.zeek, line ${10 + someNumber(c.random, 90)}: deprecated event handler (use of 'packet_contents')`,
	(_c, ts) => `${ts} Reporter::WARNING  SumStats: observation ignored, epoch already finished`,
	(c, ts) =>
		`${ts} ${RED}error${RESET}: connection to ${pick(['manager', 'logger-1', 'proxy-1'], c.random)} timed out, retrying`,
	(c, ts) =>
		`${ts} reporter message: ${pick(['weird: bad_TCP_checksum', 'weird: truncated_header', 'dns_unmatched_msg'], c.random)}`,
];

/** One line of zeek-ish background output: mostly stdout, sometimes a stderr warning, some coloured. */
export function chatterLine(context: ChatterContext): {stream: 'stdout' | 'stderr'; text: string} {
	// Zeek's timestamps carry microseconds; the clock here has milliseconds, so make up the rest.
	const ts = ((context.now + context.random()) / 1000).toFixed(6);
	if (context.random() < 0.25)
		return {stream: 'stderr', text: pick(STDERR, context.random)(context, ts)};
	return {stream: 'stdout', text: pick(STDOUT[context.type], context.random)(context, ts)};
}

/** Line `index` (1-based) of `total` in a flood: numbered so a test can check none was lost. */
export function floodLine(index: number, total: number): string {
	return `zeek-sim flood ${index}/${total} ${'x'.repeat(40)}`;
}
