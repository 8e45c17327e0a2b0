// The time to render with, and a re-render once a second while something on screen counts time.
import {useEffect, useState} from 'react';

/**
 * `clock()` at this render. Renders caused by a new snapshot read the clock afresh too, so a
 * countdown never shows a second that has already passed.
 */
export function useNow(active: boolean, clock: () => number = Date.now, intervalMs = 1000): number {
	const [, setTick] = useState(0);
	useEffect(() => {
		if (!active) return;
		let timer: NodeJS.Timeout;
		const tick = () => {
			setTick((count) => count + 1);
			timer = setTimeout(tick, intervalMs);
		};
		timer = setTimeout(tick, intervalMs);
		return () => clearTimeout(timer);
	}, [active, intervalMs]);
	return clock();
}
