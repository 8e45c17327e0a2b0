// Gives the memory that start-up (and any later burst of lifecycle work) made V8 grow back to
// the system once the cluster is quiet, instead of ~30 s later; and the memory of loading the
// modules before the cluster starts, so that the start does not keep it (startAfterRelease).
//
// Why: while modules load and the nodes start, V8 grows its young generation to its maximum
// (two 16 MB semispaces) and keeps it until its memory reducer judges the program idle, which
// with 32 nodes took about 30 s; until then zeek-tui's RSS sat at 97-106 MB, after it at 80-85
// (docs/performance.md). Isolate::LowMemoryNotification does at once what the reducer does: full
// collections that shrink the young generation and return free pages. Node offers it only as the
// inspector protocol's HeapProfiler.collectGarbage, reached through an in-process session: no
// port is opened, no debugger is enabled, and the session is closed right after.
// The price: with a small young generation V8 collects every few seconds instead of every half
// minute, and its reducer follows the call with one or two collections of its own; over minutes
// the CPU is the same as without it (docs/performance.md, per-window figures).
// (`--max-semi-space-size` would cap the growth, but only on node's command line; `gc()` from
// `--expose-gc` does not shrink it.)

import type {Controller} from './cluster/controller.js';
import type {NodeState} from './cluster/types.js';

/** One LowMemoryNotification; resolves false where node was built without the inspector. */
export async function releaseMemory(): Promise<boolean> {
	let inspector: typeof import('node:inspector');
	try {
		inspector = await import('node:inspector');
	} catch {
		return false;
	}
	const session = new inspector.Session();
	try {
		session.connect();
		await new Promise<void>((resolve, reject) => {
			session.post('HeapProfiler.collectGarbage', (error) => {
				if (error) reject(error);
				else resolve();
			});
		});
		return true;
	} catch {
		return false;
	} finally {
		session.disconnect();
	}
}

/**
 * Starts the cluster once the memory of loading zeek-tui has been given back. Loading the modules
 * makes V8 grow its young generation to the maximum, and the start's work keeps it there: with 32
 * nodes RSS peaked at 100-104 MB just before the release after the start; given back first, the
 * young generation stays small through the start and the peak is that of loading, 86-89 MB.
 */
export async function startAfterRelease(
	controller: Pick<Controller, 'start'>,
	release: () => Promise<unknown> = releaseMemory,
): Promise<void> {
	await release();
	await controller.start();
}

export type MemoryReleaseOptions = {
	/** Release once nothing has happened for this long. Default 1000. */
	quietMs?: number;
	/**
	 * Whether the burst is over: no node still starting or stopping. Until it says so, a quiet
	 * moment between two stages of a start is not the end of it, and the release waits (at most
	 * `unsettledMaxMs` of quiet: a node that never reports RUNNING does not hold it back for good).
	 * Default: always settled.
	 */
	settled?: () => boolean;
	/** Default 10 s. */
	unsettledMaxMs?: number;
	/** And not more often than this (a crash loop is a burst that never ends). Default 30 s. */
	minIntervalMs?: number;
	release?: () => Promise<unknown>;
	clock?: () => number;
};

/**
 * Releases memory after each burst of activity (the start, a restart of all nodes, a crash), once
 * it is over and `quietMs` have passed without another: the cluster's lifecycle events are what
 * allocate, the refresh in between allocates little. The first burst is the start, so this counts
 * as activity. Soon after the end of the burst, because the release costs a moment of CPU (two
 * full collections): better in the start, which costs seconds of it anyway, than in the minutes
 * of watching after it.
 */
export function releaseMemoryWhenQuiet(
	onActivity: (listener: () => void) => () => void,
	options: MemoryReleaseOptions = {},
): {stop(): void} {
	const {
		quietMs = 1000,
		settled = () => true,
		unsettledMaxMs = 10_000,
		minIntervalMs = 30_000,
		release = releaseMemory,
		clock = Date.now,
	} = options;
	let lastRelease = Number.NEGATIVE_INFINITY;
	let lastActivity = clock();
	let timer: NodeJS.Timeout | undefined;
	let stopped = false;

	const later = (ms: number) => {
		timer = setTimeout(fire, ms);
		timer.unref();
	};
	const fire = () => {
		timer = undefined;
		if (!settled() && clock() - lastActivity < unsettledMaxMs) {
			later(quietMs);
			return;
		}
		const wait = lastRelease + minIntervalMs - clock();
		if (wait > 0) {
			later(wait);
			return;
		}
		lastRelease = clock();
		void release().catch(() => undefined);
	};
	const activity = () => {
		if (stopped) return;
		lastActivity = clock();
		clearTimeout(timer);
		later(quietMs);
	};
	const unsubscribe = onActivity(activity);
	activity();

	return {
		stop() {
			stopped = true;
			clearTimeout(timer);
			unsubscribe();
		},
	};
}

/** The transitions a burst is made of: while a node is in one, the burst is not over. */
const IN_TRANSITION: ReadonlySet<NodeState> = new Set(['starting', 'stopping']);

/** releaseMemoryWhenQuiet on the controller's lifecycle events, settled once no node is in transition. */
export function releaseMemoryWhenClusterQuiet(
	controller: Pick<Controller, 'onEvent' | 'snapshot'>,
	options: Omit<MemoryReleaseOptions, 'settled'> = {},
): {stop(): void} {
	return releaseMemoryWhenQuiet((listener) => controller.onEvent(listener), {
		...options,
		settled: () => !controller.snapshot().nodes.some((node) => IN_TRANSITION.has(node.state)),
	});
}
