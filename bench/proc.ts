// What the kernel says about a process: CPU time from /proc/PID/stat, memory from
// /proc/PID/status. Read directly (no pidusage) so the benchmark holds no descriptors and adds
// nothing to the processes it measures.
import {execFileSync} from 'node:child_process';
import {readFileSync, readdirSync, readlinkSync} from 'node:fs';
import os from 'node:os';

export const CLOCK_TICKS =
	Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100;

export type CpuTimes = {
	/** utime + stime of the process itself (all its threads), in seconds. */
	own: number;
	/** stime alone: time in the kernel on the process's behalf (syscalls: /proc reads, sockets, tty). */
	system: number;
	/** cutime + cstime: children it has waited for, in seconds. */
	reapedChildren: number;
};

/**
 * undefined when the process is gone. With `thread`, the times of that one thread
 * (/proc/PID/task/TID/stat; the main thread's tid is the pid).
 */
export function cpuTimes(pid: number, thread?: number): CpuTimes | undefined {
	let stat: string;
	try {
		stat = readFileSync(
			thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`,
			'utf8',
		);
	} catch {
		return undefined;
	}
	// The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	// fields[0] is field 3 (state); utime is field 14.
	const tick = (field: number) => Number(fields[field - 3]) / CLOCK_TICKS;
	return {own: tick(14) + tick(15), system: tick(15), reapedChildren: tick(16) + tick(17)};
}

export type Memory = {rss: number; peak: number};

/** VmRSS and VmHWM (the peak RSS) in bytes; undefined when the process is gone. */
export function memory(pid: number): Memory | undefined {
	let status: string;
	try {
		status = readFileSync(`/proc/${pid}/status`, 'utf8');
	} catch {
		return undefined;
	}
	const kib = (name: string) =>
		Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
	return {rss: kib('VmRSS'), peak: kib('VmHWM')};
}

export function commandLine(pid: number): string[] {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
	} catch {
		return [];
	}
}

/** Every process whose working directory is `directory` or below it. */
export function processesUnder(directory: string): number[] {
	const pids: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const cwd = readlinkSync(`/proc/${entry}/cwd`);
			if (cwd === directory || cwd.startsWith(directory + '/')) pids.push(Number(entry));
		} catch {
			// Gone, or not ours to read.
		}
	}
	return pids;
}

export type Machine = {cpus: number; model: string; node: string; kernel: string; memory: string};

export function machine(): Machine {
	const model =
		/^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
	return {
		cpus: Number(execFileSync('nproc', {encoding: 'utf8'}).trim()),
		model,
		node: process.version,
		kernel: os.release(),
		memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
	};
}

/**
 * CPU seconds used by a changing set of processes between two moments, from polling: a process
 * seen at the first poll counts from that reading, one born later counts from zero, one that dies
 * counts up to its last reading (so at most one poll period of its life is missed).
 */
export class CpuAccount {
	private first = new Map<number, number>();
	private last = new Map<number, number>();
	private started: boolean;

	/** fromZero: every process counts from its birth, as when none of them existed before. */
	constructor({fromZero = false} = {}) {
		this.started = fromZero;
	}

	poll(pids: readonly number[]): void {
		for (const pid of pids) {
			const times = cpuTimes(pid);
			if (!times) continue;
			if (!this.first.has(pid)) this.first.set(pid, this.started ? 0 : times.own);
			this.last.set(pid, times.own);
		}
		this.started = true;
	}

	seconds(): number {
		let total = 0;
		for (const [pid, last] of this.last) total += last - (this.first.get(pid) ?? 0);
		return total;
	}
}
