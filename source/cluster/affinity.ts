// CPU lists ("0-3,8"), this machine's online CPUs, and taskset: at spawn and live.
import {readFileSync, readdirSync} from 'node:fs';
import {execa} from 'execa';

export class CpuListError extends Error {}

const MAX_CPU = 4095;

/**
 * The CPUs of a Linux CPU list (`2-5`, `3,2`, `0-3,8`) in the order written, ranges counting up,
 * repeats kept: the operator's order, as zeekctl's pin_cpus hands them out.
 */
export function parseCpuSequence(text: string): number[] {
	const cpus: number[] = [];
	const trimmed = text.trim();
	if (trimmed === '') throw new CpuListError('empty CPU list');
	for (const part of trimmed.split(',')) {
		const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
		if (!match) throw new CpuListError(`'${part}' is not a CPU number or range`);
		const first = Number(match[1]);
		const last = match[2] === undefined ? first : Number(match[2]);
		if (last < first) throw new CpuListError(`range '${part}' runs backwards`);
		if (last > MAX_CPU) throw new CpuListError(`CPU ${last} is out of range`);
		for (let cpu = first; cpu <= last; cpu++) cpus.push(cpu);
	}
	return cpus;
}

/** A Linux CPU list as a set: sorted, unique CPU numbers (affinity masks, the kernel's lists). */
export function parseCpuList(text: string): number[] {
	return [...new Set(parseCpuSequence(text))].sort((a, b) => a - b);
}

/** The inverse of parseCpuList, with runs folded into ranges: [0,1,2,3,8] -> "0-3,8". */
export function formatCpuList(cpus: readonly number[]): string {
	const sorted = [...new Set(cpus)].sort((a, b) => a - b);
	const parts: string[] = [];
	for (let index = 0; index < sorted.length;) {
		const first = sorted[index]!;
		let last = first;
		while (sorted[index + 1] === last + 1) {
			last++;
			index++;
		}
		index++;
		parts.push(first === last ? String(first) : `${first}-${last}`);
	}
	return parts.join(',');
}

export function readOnlineCpus(): number[] {
	return parseCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8'));
}

/** Worker i (0-based) gets the i-th CPU of the list as written, wrapping around (zeekctl's pin_cpus). */
export function cpuForWorker(cpus: readonly number[], workerIndex: number): number {
	return cpus[workerIndex % cpus.length]!;
}

/** The command line that starts `argv` pinned to `cpus`, or `argv` itself when unpinned. */
export function withTaskset(
	argv: readonly string[],
	cpus: readonly number[] | undefined,
): string[] {
	if (!cpus || cpus.length === 0) return [...argv];
	return ['taskset', '-c', formatCpuList(cpus), ...argv];
}

/**
 * Re-pins every thread of a running process (`-a`: `taskset -p` alone moves only the main thread).
 * Rejects with execa's `Command failed with exit code 1: taskset -a -p -c LIST PID` and taskset's
 * own complaint after a blank line, or `Command failed with ENOENT: ...` when there is no taskset.
 */
export async function pinLive(pid: number, cpus: readonly number[]): Promise<void> {
	await execa('taskset', ['-a', '-p', '-c', formatCpuList(cpus), String(pid)], {
		stdin: 'ignore',
		stdout: 'ignore',
		stderr: 'pipe',
		// taskset ends in milliseconds; execa's cleanup would hook zeek-tui's signals meanwhile.
		cleanup: false,
	});
}

/** Cpus_allowed_list of one thread of `pid`, its main thread by default; undefined when gone. */
export function readThreadAffinity(pid: number, tid: number | string = pid): number[] | undefined {
	try {
		const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
		const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(status);
		return line ? parseCpuList(line[1]!) : undefined;
	} catch {
		// The thread ended, or the kernel wrote what parseCpuList does not read.
		return undefined;
	}
}

/**
 * The CPUs the process may run on, as the kernel says: the union of Cpus_allowed_list over all
 * threads (`all`), and the main thread's own list (`main`). Undefined when the process is gone.
 */
export function readThreadAffinities(pid: number): {all: number[]; main?: number[]} | undefined {
	let threads: string[];
	try {
		threads = readdirSync(`/proc/${pid}/task`);
	} catch {
		return undefined;
	}
	const cpus = new Set<number>();
	let main: number[] | undefined;
	for (const tid of threads) {
		const list = readThreadAffinity(pid, tid);
		if (tid === String(pid)) main = list;
		for (const cpu of list ?? []) cpus.add(cpu);
	}
	if (cpus.size === 0) return undefined;
	return {all: [...cpus].sort((a, b) => a - b), ...(main ? {main} : {})};
}

/** The union of Cpus_allowed_list over all threads; undefined when the process is gone. */
export function readAffinity(pid: number): number[] | undefined {
	return readThreadAffinities(pid)?.all;
}
