// Watching a few processes for a while: CPU as a percentage of one core, RSS each second, peak RSS.
import {cpuTimes, memory} from './proc.js';

export type Usage = {
	/** CPU time over wall time, in % of one core. */
	cpuPercent: number;
	/** The part spent by the main (JavaScript) thread; the rest is libuv's pool and V8's helpers. */
	mainThreadPercent: number;
	/** The part spent in the kernel (stime). */
	systemPercent: number;
	/** Median of the RSS readings, bytes. */
	rss: number;
	/** VmHWM at the end: the highest RSS the process ever had, bytes. */
	peak: number;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Measures each pid over `seconds`: utime+stime at the start and end (the process's own time,
 * not its children's), RSS once a second. Throws if a process dies meanwhile.
 */
export async function measureUsage(pids: readonly number[], seconds: number): Promise<Usage[]> {
	const read = () =>
		pids.map((pid) => {
			const times = cpuTimes(pid);
			const main = cpuTimes(pid, pid);
			if (!times || !main) throw new Error(`process ${pid} exited while being measured`);
			return {...times, main: main.own};
		});
	const rss: number[][] = pids.map(() => []);
	const sample = () =>
		pids.forEach((pid, index) => {
			const reading = memory(pid);
			if (reading) rss[index]!.push(reading.rss);
		});
	const before = read();
	const start = performance.now();
	sample();
	const end = start + seconds * 1000;
	while (performance.now() < end) {
		await sleep(Math.min(1000, end - performance.now()));
		sample();
	}
	const after = read();
	const elapsed = (performance.now() - start) / 1000;
	const percent = (field: 'own' | 'system' | 'main', index: number) =>
		((after[index]![field] - before[index]![field]) / elapsed) * 100;
	return pids.map((pid, index) => ({
		cpuPercent: percent('own', index),
		mainThreadPercent: percent('main', index),
		systemPercent: percent('system', index),
		rss: median(rss[index]!),
		peak: memory(pid)?.peak ?? Math.max(...rss[index]!),
	}));
}

export function median(values: readonly number[]): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[
		Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
	]!;
}

export {sleep};
