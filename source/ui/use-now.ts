// The time to render with, and a re-render once a second while something on screen counts time.
import {useEffect, useRef, useState} from 'react';

/**
 * `clock()` at this render. Renders caused by a new snapshot read the clock afresh too, so a
 * countdown never shows a second that has already passed.
 */
export function useNow(active: boolean, clock: () => number = Date.now, intervalMs = 1000): number {
	const [, setTick] = useState(0);
	const now = clock();
	// A render for any other reason (a new snapshot, a key) refreshed the clock already: the tick
	// then waits for the rest of its second instead of drawing a frame of its own.
	const lastRender = useRef(now);
	lastRender.current = now;
	useEffect(() => {
		if (!active) return;
		let timer: NodeJS.Timeout;
		const tick = () => {
			const since = clock() - lastRender.current;
			if (since < intervalMs) {
				timer = setTimeout(tick, intervalMs - since);
				return;
			}
			setTick((count) => count + 1);
			timer = setTimeout(tick, intervalMs);
		};
		timer = setTimeout(tick, intervalMs);
		return () => clearTimeout(timer);
	}, [active, intervalMs, clock]);
	return now;
}
