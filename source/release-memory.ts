// Gives the memory that start-up (and any later burst of lifecycle work) made V8 grow back to
// the system once the cluster is quiet, instead of ~30 s later.
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

export type MemoryReleaseOptions = {
	/** Release once nothing has happened for this long. Default 3000. */
	quietMs?: number;
	/** And not more often than this (a crash loop is a burst that never ends). Default 30 s. */
	minIntervalMs?: number;
	release?: () => Promise<unknown>;
	clock?: () => number;
};

/**
 * Releases memory after each burst of activity (the start, a restart of all nodes, a crash), once
 * `quietMs` have passed without another: the cluster's lifecycle events are what allocate, the
 * refresh in between allocates little. The first burst is the start, so this counts as activity.
 */
export function releaseMemoryWhenQuiet(
	onActivity: (listener: () => void) => () => void,
	options: MemoryReleaseOptions = {},
): {stop(): void} {
	const {
		quietMs = 3000,
		minIntervalMs = 30_000,
		release = releaseMemory,
		clock = Date.now,
	} = options;
	let lastRelease = Number.NEGATIVE_INFINITY;
	let timer: NodeJS.Timeout | undefined;
	let stopped = false;

	const fire = () => {
		timer = undefined;
		const wait = lastRelease + minIntervalMs - clock();
		if (wait > 0) {
			timer = setTimeout(fire, wait);
			timer.unref();
			return;
		}
		lastRelease = clock();
		void release().catch(() => undefined);
	};
	const activity = () => {
		if (stopped) return;
		clearTimeout(timer);
		timer = setTimeout(fire, quietMs);
		timer.unref();
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
