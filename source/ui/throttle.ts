// Coalesces bursts of change notifications into at most one run per interval.

export type Throttle = {
	/** Asks for a run: now if the last one is older than the interval, else once it is. */
	schedule(): void;
	cancel(): void;
};

/**
 * Leading and trailing: the first change shows at once, a burst costs one more run at the end of
 * the interval, and the last change always lands (the run reads the latest state when it fires).
 */
export function createThrottle(
	run: () => void,
	intervalMs: number,
	clock: () => number = Date.now,
): Throttle {
	let lastRun = Number.NEGATIVE_INFINITY;
	let timer: NodeJS.Timeout | undefined;
	const fire = () => {
		timer = undefined;
		lastRun = clock();
		run();
	};
	return {
		schedule() {
			if (timer) return;
			const wait = lastRun + intervalMs - clock();
			if (wait <= 0) fire();
			else timer = setTimeout(fire, wait);
		},
		cancel() {
			clearTimeout(timer);
			timer = undefined;
		},
	};
}
