// Workers per interface (-W eth0:2,eth1:3): Zeek 9's generator's names, order and text, and the
// one parser the cluster options and `zeek-tui layout` share.
import {describe, expect, it} from 'vitest';
import {generateLayout, renderLayout, workerNames} from '../source/cluster/layout.js';
import {
	packetSourcePrefix,
	parseWorkersOption,
	WorkersOptionError,
} from '../source/cluster/workers-option.js';
import {parseLayoutArguments} from '../source/commands/layout.js';
import {readReferenceCases, zeek9ReferenceDir} from './helpers/reference-layouts.js';

describe("Zeek 9's generator on workers per interface", () => {
	const cases = readReferenceCases(zeek9ReferenceDir);
	it('has reference cases', () => expect(cases.length).toBeGreaterThan(0));
	it.each(cases)('$name: byte for byte', (reference) => {
		const parsed = parseLayoutArguments(reference.args);
		if (parsed.help) throw new Error('a reference case asked for help');
		expect(renderLayout(generateLayout(parsed.options), {framing: 'zeek-9'})).toBe(
			reference.stdout,
		);
	});
});

describe('parseWorkersOption', () => {
	it('reads a count, or interface:count groups separated by commas or blanks', () => {
		expect(parseWorkersOption(' 4 ')).toBe(4);
		expect(parseWorkersOption('eth0:2,eth1:3')).toEqual([
			{interface: 'eth0', count: 2},
			{interface: 'eth1', count: 3},
		]);
		expect(parseWorkersOption('eth0:2 enp1s0-f_1:0')).toEqual([
			{interface: 'eth0', count: 2},
			{interface: 'enp1s0-f_1', count: 0},
		]);
	});

	it.each([
		['', 'nothing'],
		['eth0:2,', 'a trailing comma'],
		['eth0:2,,eth1:1', 'an empty group'],
		['Eth0:2', 'upper case (Zeek 9 takes a-z only)'],
		['eth0.100:2', 'a dot'],
		['eth0', 'no count'],
		['eth0:-1', 'a negative count'],
		['10001', 'more than 10000 workers'],
		['eth0:5000,eth1:5001', 'more than 10000 in all'],
		['eth0:1,eth0:2', 'an interface twice'],
	])('refuses %j (%s)', (text) => {
		expect(() => parseWorkersOption(text)).toThrow(WorkersOptionError);
	});

	it('names the workers as the generator does, each with its interface', () => {
		expect(workerNames([{interface: 'eth1', count: 2}])).toEqual([
			{name: 'worker-eth1-1', interface: 'eth1'},
			{name: 'worker-eth1-2', interface: 'eth1'},
		]);
		expect(workerNames(2)).toEqual([{name: 'worker-1'}, {name: 'worker-2'}]);
	});

	it('takes the packet source prefix of -i', () => {
		expect(packetSourcePrefix('af_packet::eth0')).toBe('af_packet::');
		expect(packetSourcePrefix('pf_ring::zc::eth0')).toBe('pf_ring::zc::');
		expect(packetSourcePrefix('lo')).toBe('');
	});
});
