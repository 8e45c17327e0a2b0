// CPU and memory of the node processes: one pidusage call for all of them per interval.
//
// How pidusage is called follows from what it does on Linux (4.1, lib/procfile.js, history.js):
// - It keeps each pid's /proc/PID/stat open in its history until `maxage` ms after the last call
//   that named the pid (default 60 s), and `clear()` forgets the history without closing them:
//   so maxage is a few intervals (a crash loop's dead pids are closed soon), and clear() is never
//   called.
// - A pid's first call measures the process against itself and reports 0 % CPU: the first sample
//   of a pid carries no CPU figure (`cpu` undefined) and the screen shows `-` until the second.
// - A call for several pids leaves out (null) the ones that are gone; a call whose only pid is
//   gone rejects. Either way the pids that live are what the sample holds.
import {performance} from 'node:perf_hooks';
import pidusage from 'pidusage';
import type {ResourceUsage} from '../cluster/types.js';

export type ResourceSamplerOptions = {
	/** Default 2000: the screen refreshes as often (live-painter.ts), top every 3 s. */
	intervalMs?: number;
	/** Live pids only; a pid that died or was never there is left out. */
	onSample: (usage: Map<number, ResourceUsage>) => void;
	/** A call that failed for another reason than its pids being gone; optional. */
	onError?: (error: Error) => void;
};

export type ResourceSampler = {
	/** The pids to sample from the next tick on; an empty list samples nothing. */
	setPids(pids: readonly number[]): void;
	stop(): void;
};

/** A pid's history lives this many intervals after its last sample: a late tick never loses it. */
const HISTORY_INTERVALS = 3;

type PidStatus = {cpu: number; memory: number} | null | undefined;

export function createResourceSampler(options: ResourceSamplerOptions): ResourceSampler {
	const intervalMs = options.intervalMs ?? 2000;
	// usePs given: PIDUSAGE_USE_PS in the environment would spawn ps for every call.
	const callOptions = {maxage: HISTORY_INTERVALS * intervalMs, usePs: false};
	let pids: number[] = [];
	/** The pids of the last sample: pidusage holds their history, so their CPU figure is real. */
	let measured = new Set<number>();
	let lastCallAt = Number.NEGATIVE_INFINITY;
	let lastWasEmpty = true;
	let timer: NodeJS.Timeout | undefined;
	let stopped = false;

	const callPidusage = async (asked: number[]): Promise<Record<string, PidStatus>> => {
		try {
			return (await pidusage(asked, callOptions)) as Record<string, PidStatus>;
		} catch (error) {
			const {code} = error as NodeJS.ErrnoException;
			// ENOENT: no such pid; ESRCH: its kept descriptor belongs to a process that is gone.
			const gone = asked.length === 1 && (code === 'ENOENT' || code === 'ESRCH');
			if (!gone) options.onError?.(error instanceof Error ? error : new Error(String(error)));
			return {};
		}
	};

	const sample = async (): Promise<Map<number, ResourceUsage>> => {
		const usage = new Map<number, ResourceUsage>();
		if (pids.length === 0) {
			measured = new Set();
			return usage;
		}
		const asked = pids;
		// Calls further apart than maxage (a stalled event loop) may find the history expired.
		if (performance.now() - lastCallAt > callOptions.maxage) measured = new Set();
		lastCallAt = performance.now();
		const stats = await callPidusage([...asked]);
		for (const pid of asked) {
			const status = stats[pid];
			if (!status) continue;
			usage.set(
				pid,
				measured.has(pid) ? {cpu: status.cpu, memory: status.memory} : {memory: status.memory},
			);
		}
		measured = new Set(usage.keys());
		return usage;
	};

	const tick = async () => {
		const usage = await sample();
		if (stopped) return;
		schedule();
		// One empty map tells the consumer that the last pids are gone; after that, silence.
		if (usage.size === 0 && lastWasEmpty) return;
		lastWasEmpty = usage.size === 0;
		try {
			options.onSample(usage);
		} catch (error) {
			// Reported, never thrown: a timer's exception would end zeek-tui and stop the cluster.
			options.onError?.(error instanceof Error ? error : new Error(String(error)));
		}
	};
	const schedule = () => {
		timer = setTimeout(() => void tick(), intervalMs);
		timer.unref();
	};
	schedule();

	return {
		setPids(next) {
			pids = [...new Set(next.filter((pid) => Number.isInteger(pid) && pid > 0))];
		},
		stop() {
			stopped = true;
			clearTimeout(timer);
		},
	};
}
