// A clock that ticks once a second, only while something on screen counts time.
import {useEffect, useState} from 'react';

export function useNow(active: boolean, clock: () => number = Date.now, intervalMs = 1000): number {
	const [now, setNow] = useState(clock);
	useEffect(() => {
		if (!active) return;
		let timer: NodeJS.Timeout;
		const tick = () => {
			setNow(clock());
			timer = setTimeout(tick, intervalMs);
		};
		tick();
		return () => clearTimeout(timer);
	}, [active, clock, intervalMs]);
	return now;
}
