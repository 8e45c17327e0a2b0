// CPU and memory of the node processes, sampled from /proc/PID/stat once per interval.
//
// Why not pidusage (a dependency of this package): pidusage 4.1 caches an open descriptor of
// /proc/PID/stat per pid in module-global history (lib/procfile.js `open`, lib/history.js). The
// descriptor is closed only by an expiry timer, `maxage` (60 s by default) after the last call for
// that pid, and never by pidusage.clear(), which forgets the history and so leaks the descriptors
// for good. A node crash-looping for hours gets a new pid every restart, and the cached descriptor
// of a dead process keeps failing with ESRCH even if the pid is reused. Its first call for a pid
// also reports 0 % CPU. This sampler keeps a descriptor too (StatFiles below: a read of an open
// one is a single system call, where opening the file for each read cost as much again), but
// closes it as soon as a read fails (the process is gone) or the pid is no longer sampled, keys
// the baseline by pid *and* start time, and reports real CPU from the first sample.
//
// The reads are synchronous on purpose: /proc files are generated in memory, a read takes
// microseconds and never blocks on a disk, while fs/promises costs a FileHandle, several promises
// and four thread-pool round trips per file (measured: about 1.5 % of a core at 32 nodes).
import {execFile} from 'node:child_process';
import {closeSync, constants as fsConstants, openSync, readFileSync, readSync} from 'node:fs';
import {uptime} from 'node:os';
import {performance} from 'node:perf_hooks';
import type {ResourceUsage} from '../cluster/types.js';

export type ResourceSamplerOptions = {
	/** Default 2000: the screen refreshes as often (live-painter.ts), top every 3 s. */
	intervalMs?: number;
	/** Live pids only; a pid that died or was never there is left out. */
	onSample: (usage: Map<number, ResourceUsage>) => void;
};

export type ResourceSampler = {
	/** The pids to sample from the next tick on; an empty list samples nothing. */
	setPids(pids: readonly number[]): void;
	stop(): void;
};

/** The fields of /proc/PID/stat this module needs, in the kernel's units. */
export type ProcStat = {
	/** Field 3: R, S, D, Z, ... */
	state: string;
	/** Fields 14 + 15, utime + stime, in clock ticks. */
	cpuTicks: number;
	/** Field 22, in clock ticks since boot: with the pid, identifies the process. */
	startTicks: number;
	/** Field 24, in pages. */
	rssPages: number;
};

export type SystemConstants = {clockTicksPerSecond: number; pageSize: number};

type Baseline = {startTicks: number; cpuTicks: number; atMs: number};

/** Parses /proc/PID/stat. The command name (field 2) may hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | undefined {
	const end = text.lastIndexOf(')');
	if (end === -1) return undefined;
	const [state, utime, stime, startTicks, rssPages] = statFields(
		text,
		end + 2,
		[3, 14, 15, 22, 24],
	);
	const stat = {
		state: state ?? '',
		cpuTicks: Number(utime) + Number(stime),
		startTicks: Number(startTicks),
		rssPages: Number(rssPages),
	};
	return Number.isFinite(stat.cpuTicks + stat.startTicks + stat.rssPages) ? stat : undefined;
}

/**
 * Fields `wanted` (1-based, ascending, from 3 on) of the space-separated text that starts at
 * `from` with field 3. Read in place: split() would make some 50 strings per process and sample.
 */
function statFields(text: string, from: number, wanted: readonly number[]): string[] {
	const found: string[] = [];
	let field = 3;
	let start = from;
	for (const want of wanted) {
		for (; field < want; field++) {
			const space = text.indexOf(' ', start);
			if (space === -1) return found;
			start = space + 1;
		}
		const space = text.indexOf(' ', start);
		found.push(text.slice(start, space === -1 ? undefined : space).trim());
	}
	return found;
}

/**
 * Percent of one core. Against the previous sample of the same process when there is one;
 * otherwise (first sight, or a pid reused by a new process) the average over the process's
 * life, which is what `ps` shows, rather than a meaningless 0.
 */
export function cpuPercent(
	stat: ProcStat,
	previous: Baseline | undefined,
	nowMs: number,
	uptimeSeconds: number,
	clockTicksPerSecond: number,
): number {
	if (previous && previous.startTicks === stat.startTicks && nowMs > previous.atMs) {
		const cpuSeconds = (stat.cpuTicks - previous.cpuTicks) / clockTicksPerSecond;
		return Math.max(0, (cpuSeconds / ((nowMs - previous.atMs) / 1000)) * 100);
	}
	const lifeSeconds = uptimeSeconds - stat.startTicks / clockTicksPerSecond;
	if (lifeSeconds <= 0) return 0;
	return Math.max(0, (stat.cpuTicks / clockTicksPerSecond / lifeSeconds) * 100);
}

function getconf(name: string, fallback: number): Promise<number> {
	return new Promise((resolve) => {
		execFile('getconf', [name], (error, stdout) => {
			const value = Number.parseInt(String(stdout), 10);
			resolve(error || !(value > 0) ? fallback : value);
		});
	});
}

let systemConstants: Promise<SystemConstants> | undefined;

/** USER_HZ (100 on Linux) and the page size (4 KiB on x86-64, larger on some ARM kernels). */
export function readSystemConstants(): Promise<SystemConstants> {
	systemConstants ??= Promise.all([getconf('CLK_TCK', 100), getconf('PAGESIZE', 4096)]).then(
		([clockTicksPerSecond, pageSize]) => ({clockTicksPerSecond, pageSize}),
	);
	return systemConstants;
}

function readUptimeSeconds(): number {
	try {
		return Number.parseFloat(readFileSync('/proc/uptime', 'utf8'));
	} catch {
		return uptime();
	}
}

/**
 * /proc/PID/stat of each sampled pid, kept open between samples. A descriptor belongs to the
 * process that had the pid when it was opened: once that process is gone its reads fail (ESRCH),
 * even if the pid is reused, and it is closed then.
 */
class StatFiles {
	private readonly descriptors = new Map<number, number>();
	// A stat line is some 300 bytes; a command name can add at most 64.
	private readonly buffer = Buffer.alloc(1024);

	read(pid: number): {stat: ProcStat; atMs: number} | undefined {
		let fd = this.descriptors.get(pid);
		try {
			if (fd === undefined) {
				fd = openSync(`/proc/${pid}/stat`, fsConstants.O_RDONLY);
				this.descriptors.set(pid, fd);
			}
			const length = readSync(fd, this.buffer, 0, this.buffer.length, 0);
			const stat = parseProcStat(this.buffer.toString('latin1', 0, length));
			const atMs = performance.now();
			// A zombie has exited; it only waits to be reaped.
			return stat && stat.state !== 'Z' && stat.state !== 'X' ? {stat, atMs} : undefined;
		} catch {
			// ENOENT or ESRCH: the process is gone, which is not an error for a sampler.
			this.close(pid);
			return undefined;
		}
	}

	/** Closes the descriptors of every pid not in `pids`. */
	keepOnly(pids: ReadonlySet<number>): void {
		for (const pid of this.descriptors.keys()) if (!pids.has(pid)) this.close(pid);
	}

	private close(pid: number): void {
		const fd = this.descriptors.get(pid);
		if (fd === undefined) return;
		this.descriptors.delete(pid);
		closeSync(fd);
	}
}

export function createResourceSampler(options: ResourceSamplerOptions): ResourceSampler {
	const intervalMs = options.intervalMs ?? 2000;
	let pids: number[] = [];
	const files = new StatFiles();
	/** Only the pids of the last sample: a crash loop's dead pids fall out at the next tick. */
	let baselines = new Map<number, Baseline>();
	let lastWasEmpty = true;
	let timer: NodeJS.Timeout | undefined;
	let stopped = false;

	const sample = async (): Promise<Map<number, ResourceUsage>> => {
		const usage = new Map<number, ResourceUsage>();
		const nextBaselines = new Map<number, Baseline>();
		if (pids.length > 0) {
			const constants = await readSystemConstants();
			// Stopped meanwhile: no descriptor may be opened after stop() closed them all.
			if (stopped) return usage;
			const uptimeSeconds = readUptimeSeconds();
			for (const pid of pids) {
				const read = files.read(pid);
				if (!read) continue;
				const {stat, atMs} = read;
				usage.set(pid, {
					cpu: cpuPercent(
						stat,
						baselines.get(pid),
						atMs,
						uptimeSeconds,
						constants.clockTicksPerSecond,
					),
					memory: stat.rssPages * constants.pageSize,
				});
				nextBaselines.set(pid, {startTicks: stat.startTicks, cpuTicks: stat.cpuTicks, atMs});
			}
		}
		baselines = nextBaselines;
		return usage;
	};

	const tick = async () => {
		const usage = await sample();
		if (stopped) return;
		schedule();
		// One empty map tells the consumer that the last pids are gone; after that, silence.
		if (usage.size === 0 && lastWasEmpty) return;
		lastWasEmpty = usage.size === 0;
		options.onSample(usage);
	};
	const schedule = () => {
		timer = setTimeout(() => void tick(), intervalMs);
		timer.unref();
	};
	schedule();

	return {
		setPids(next) {
			const unique = new Set(next.filter((pid) => Number.isInteger(pid) && pid > 0));
			pids = [...unique];
			files.keepOnly(unique);
		},
		stop() {
			stopped = true;
			clearTimeout(timer);
			files.keepOnly(new Set());
		},
	};
}
