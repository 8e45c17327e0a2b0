// The value of -W / --workers / ZEEK_WORKERS, for the cluster commands and `zeek-tui layout`
// alike: a count, or workers per interface the way Zeek 9's zeek-cluster-layout-generator reads
// them (`eth0:2,eth1:3` or `eth0:2 eth1:3`: interface names of a-z, 0-9, `-` and `_`).
import type {InterfaceWorkers} from './layout.js';

/** Beyond this many workers the generated ports would run past 65535. */
export const MAX_WORKERS = 10_000;

/** The reason a -W value is refused; the caller names the flag. */
export class WorkersOptionError extends Error {}

export function parseWorkersOption(text: string, max = MAX_WORKERS): number | InterfaceWorkers[] {
	const EXPECTED = `expected a whole number of workers from 0 to ${max}, or workers per interface like eth0:2,eth1:3 (interface names of a-z, 0-9, - and _)`;
	const value = text.trim();
	if (/^\d+$/.test(value)) {
		if (Number(value) > max) throw new WorkersOptionError(EXPECTED);
		return Number(value);
	}
	// Zeek 9's rule: name:count groups separated by one comma or blank, nothing after the last.
	const groups: InterfaceWorkers[] = [];
	const words = value.replaceAll(',', ' ');
	const group = /^([-_0-9a-z]+):([0-9]+)( |$)/;
	let position = 0;
	let tail = '';
	while (position < words.length) {
		const match = group.exec(words.slice(position));
		if (!match) throw new WorkersOptionError(EXPECTED);
		groups.push({interface: match[1]!, count: Number(match[2])});
		tail = match[3]!;
		position += match[0].length;
	}
	if (groups.length === 0 || tail !== '') throw new WorkersOptionError(EXPECTED);
	const seen = new Set<string>();
	for (const {interface: name} of groups) {
		if (seen.has(name))
			throw new WorkersOptionError(
				`interface ${name} is given twice; its workers would share names (worker-${name}-1 ...)`,
			);
		seen.add(name);
	}
	if (workerCount(groups) > max) throw new WorkersOptionError(`at most ${max} workers in all`);
	return groups;
}

export function workerCount(workers: number | readonly InterfaceWorkers[]): number {
	return typeof workers === 'number' ? workers : workers.reduce((sum, {count}) => sum + count, 0);
}

/** The packet source prefix of -i (`af_packet::` of `af_packet::eth0`), empty for none. */
export function packetSourcePrefix(iface: string): string {
	const end = iface.lastIndexOf('::');
	return end === -1 ? '' : iface.slice(0, end + 2);
}
